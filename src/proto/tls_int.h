/*
 * What the two files of the TLS module share (tls_ctx.c: contexts; tls.c:
 * sessions). Not for other modules.
 */
#ifndef WSX_PROTO_TLS_INT_H
#define WSX_PROTO_TLS_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "proto/tls.h"

struct wsx_tls_ctx {
	SSL_CTX *ssl;
	BIO_METHOD *bio; /* a session's buffers as OpenSSL's BIO */
	atomic_int refs; /* the caller's, plus one per session */
	bool server;
	bool verify;		 /* the peer's certificate is checked */
	bool asked_password;	 /* a key file wanted a passphrase */
	unsigned char alpn[256]; /* ALPN wire format: length, name, ... */
	unsigned alpn_len;
	struct wsx_tls_pins pins; /* client: --pinnedpubkey, a copy */
};

/* Drop a reference: the caller's (wsx_tls_ctx_free) or a session's. */
void wsx_tls_ctx_unref(struct wsx_tls_ctx *ctx);
/* The BIO a session's SSL reads and writes: see tls.c. */
BIO_METHOD *wsx_tls_bio_method_new(void);
/* The first error OpenSSL queued on this thread (the cause; later ones
 * wrap it), in its words, or NULL; its code in *code when not NULL. */
const char *wsx_tls_reason(unsigned long *code);
bool wsx_tls_is_reason(unsigned long e, int lib, int reason);

/* SSLKEYLOGFILE: have ssl log its sessions' secrets there, when it is set
 * and could be opened (tls_keylog.c). */
void wsx_tls_keylog_attach(SSL_CTX *ssl);
/*
 * --pinnedpubkey (tls_pin.c): whether the peer's public key is one of
 * pins; its own pin, base64 without "sha256//", goes into got (cap 45 or
 * more), "" when the peer showed no key.
 */
bool wsx_tls_pins_match(const struct wsx_tls_pins *pins, SSL *ssl, char *got,
			size_t cap);

#endif
