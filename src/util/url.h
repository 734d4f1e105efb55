/*
 * WebSocket URLs: ws://host[:port][/path][?query] and wss://. A URL with no
 * scheme is taken as ws:// (as wscat does), and http:// / https:// as their
 * WebSocket twins, since people paste those. ws+unix:/path/to.sock[:/path]
 * speaks WebSocket over a unix socket (host "localhost").
 */
#ifndef WSX_UTIL_URL_H
#define WSX_UTIL_URL_H

#include <stdbool.h>

#include "util/err.h"

struct wsx_url {
	bool tls;
	char host[256];	     /* without IPv6 brackets */
	unsigned port;	     /* 1..65535, default 80 / 443 */
	char path[2048];     /* always starts with '/', includes the query */
	char userinfo[256];  /* "user:pass" given before '@', or "" */
	char unix_path[108]; /* ws+unix: the socket's path, else "" */
};

/* Parse s; on failure err names the URL and says what is wrong (exit 2). */
int wsx_url_parse(struct wsx_url *u, const char *s, struct wsx_err *err);

/* s starts with a scheme wsx knows: ws:// wss:// http:// https:// ws+unix: */
bool wsx_url_has_scheme(const char *s);

#endif
