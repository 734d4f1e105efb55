/* Versions of the libraries wsx runs on, for `wsx --version`. */
#ifndef WSX_PROTO_VERSION_H
#define WSX_PROTO_VERSION_H

const char *wsx_lws_version(void);
const char *wsx_openssl_version(void);

#endif
