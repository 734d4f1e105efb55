/*
 * TLS without I/O: OpenSSL on in-memory buffers. The transport feeds the
 * ciphertext it read from the socket and writes out the ciphertext this
 * module queues; plaintext goes in and out through calls. It never touches
 * a socket, never blocks and never prints.
 *
 * A session's life:
 *
 *	t = wsx_tls_new(ctx, host);   client: the ClientHello is queued now
 *	on bytes from the socket:     wsx_tls_feed(), then wsx_tls_read()
 *	                              until it returns 0 (it also drives the
 *	                              handshake: see wsx_tls_established())
 *	to send plaintext:            wsx_tls_write() (takes part of it)
 *	after any of these calls:     send wsx_tls_output(), then
 *	                              wsx_tls_consume() what the socket took
 *	to end it:                    wsx_tls_close(), flush the output
 *
 * Failure: feed, read and write return -1 once the session has failed (a
 * certificate that does not verify, a protocol error, a peer's alert) and
 * go on returning -1; wsx_tls_error() then says why in one line for a
 * person, and the exit status is WSX_EXIT_TLS. The output may still hold
 * an alert for the peer: send it if the socket takes it, then close.
 *
 * Memory: a session keeps no buffer while idle. Its input and output
 * buffers are freed when drained, and OpenSSL's own record buffers too
 * (SSL_MODE_RELEASE_BUFFERS), so a server can hold many idle sessions.
 * The output has a budget: wsx_tls_write() takes at most one record
 * (16 KiB) per call, and nothing while WSX_TLS_OUTPUT_BUDGET bytes or more
 * wait to be sent. The input is the caller's to bound: stop reading the
 * socket while the application cannot take the plaintext wsx_tls_read()
 * has; wsx_tls_feed() fails past WSX_TLS_INPUT_MAX bytes not read.
 *
 * Threads: a context is read-only once made and may be shared by sessions
 * on many threads; a session is used by one thread at a time. A context
 * lives until it and all its sessions are freed, in any order.
 */
#ifndef WSX_PROTO_TLS_H
#define WSX_PROTO_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* wsx_tls_write() takes nothing while this much output waits. */
#define WSX_TLS_OUTPUT_BUDGET (64 * 1024)
/* wsx_tls_feed() fails beyond this much ciphertext fed and not read. */
#define WSX_TLS_INPUT_MAX (4 * 1024 * 1024)

struct wsx_tls_ctx; /* an SSL_CTX with wsx's settings */
struct wsx_tls;	    /* one session */

/*
 * --pinnedpubkey, as curl spells it: the SHA-256 digests of the public
 * keys (SubjectPublicKeyInfo, DER) a server may have. A client context
 * with pins fails a session whose server's key is none of them once the
 * handshake is done, before any plaintext is written, with or without
 * certificate verification (-k).
 */
struct wsx_tls_pins {
	unsigned char (*sha256)[32];
	size_t n;
};

/*
 * Parse --pinnedpubkey's argument into p (replacing what it held):
 * "sha256//BASE64[;sha256//BASE64...]", or the path of a file holding the
 * public key itself, in PEM ("BEGIN PUBLIC KEY") or DER. Fails with err
 * (WSX_EXIT_USAGE) naming what was wrong.
 */
int wsx_tls_pins_parse(struct wsx_tls_pins *p, const char *arg,
		       struct wsx_err *err);
void wsx_tls_pins_release(struct wsx_tls_pins *p);

struct wsx_tls_server_opts {
	const char *cert, *key; /* PEM files; cert may hold the chain */
	const char *cacert;	/* non-NULL: mTLS, require a client
				   certificate signed by a CA in this file */
	const char *alpn;	/* the first of these protocols (e.g.
				   "http/1.1", comma-separated) that the
				   client offers is chosen; NULL: no ALPN */
};

struct wsx_tls_client_opts {
	const char *cacert;	/* trust the CAs in this file, and only them
				   (NULL: the system's default paths) */
	const char *cert, *key; /* client certificate, optional; key NULL:
				   the key is in the cert file */
	const char *alpn;	/* offer these protocols, comma-separated
				   (e.g. "http/1.1"); NULL: no ALPN */
	bool insecure;		/* -k: no verification at all */
	const struct wsx_tls_pins *pins; /* --pinnedpubkey; NULL or none:
					    no pinning */
};

/*
 * Contexts. TLS 1.2 at least; no session resumption (no cache, no
 * tickets: nothing grows with the connections served). When the
 * environment's SSLKEYLOGFILE is set, every context appends its sessions'
 * secrets to that file (NSS key log format, for Wireshark): opened once
 * per process, in append mode, created 0600; when it cannot be opened a
 * warning is logged once and TLS goes on without it. A file that cannot
 * be loaded fails with err naming the option and the file, as in
 * "cannot load --cert 'x.pem': No such file or directory" (WSX_EXIT_USAGE).
 */
struct wsx_tls_ctx *wsx_tls_server_ctx(const struct wsx_tls_server_opts *o,
				       struct wsx_err *err);
struct wsx_tls_ctx *wsx_tls_client_ctx(const struct wsx_tls_client_opts *o,
				       struct wsx_err *err);
/* Another reference, for one more wsx_tls_ctx_free() (NULL is fine). */
struct wsx_tls_ctx *wsx_tls_ctx_ref(struct wsx_tls_ctx *ctx);
void wsx_tls_ctx_free(struct wsx_tls_ctx *ctx);

/*
 * A session. servername: NULL for a server. For a client, the URL's host
 * (an IPv6 literal with or without its brackets): sent as SNI unless it is
 * an IP literal, and, unless the context is insecure, the certificate must
 * be for it (a name, or the address for a literal). NULL only when
 * OpenSSL cannot allocate.
 */
struct wsx_tls *wsx_tls_new(struct wsx_tls_ctx *ctx, const char *servername);
void wsx_tls_free(struct wsx_tls *t);

/* Ciphertext that arrived from the network: 0, or -1 (see above). Once
 * the peer's close_notify was read, more is ignored. */
int wsx_tls_feed(struct wsx_tls *t, const void *data, size_t len);
/*
 * Plaintext out: > 0 bytes, 0 nothing more for now (and *eof set, eof may
 * be NULL, once the peer sent close_notify), -1 failed. Drives the
 * handshake too.
 */
long wsx_tls_read(struct wsx_tls *t, void *buf, size_t cap, bool *eof);
/*
 * Plaintext in: the bytes taken (a part of len, at most a record, so call
 * again with the rest), 0 none for now (the handshake is under way: retry
 * after more input; or the output is over budget: retry after consuming
 * it), -1 failed (also after wsx_tls_close()). Retrying with different
 * data is fine.
 */
long wsx_tls_write(struct wsx_tls *t, const void *data, size_t len);
/* Ciphertext to send (NULL, *len 0 when there is none), then consume what
 * the socket took; the pointer is good until the next call on t. */
const unsigned char *wsx_tls_output(const struct wsx_tls *t, size_t *len);
void wsx_tls_consume(struct wsx_tls *t, size_t n);
/*
 * Queue close_notify (once the handshake is done; before that there is
 * nothing to close politely: drop the connection). Writing ends; reading
 * goes on until the peer's close_notify, if the caller waits for it.
 */
void wsx_tls_close(struct wsx_tls *t);
bool wsx_tls_established(const struct wsx_tls *t);
/* After -1: one line a person understands, e.g. "TLS certificate problem:
 * certificate has expired"; NULL while the session has not failed. */
const char *wsx_tls_error(const struct wsx_tls *t);
/*
 * For -v: lines "TLSv1.3 TLS_AES_256_GCM_SHA384", "ALPN: http/1.1" (or
 * "none"), then the peer certificate's "subject: CN=...", "issuer: ..." and
 * "expires: 2026-01-31 12:00:00 UTC" (or "peer certificate: none"), how
 * it was checked, and with pins "public key pinned: sha256//... matches",
 * joined by '\n', cut to fit cap with a NUL. Returns the length written, -1
 * before the handshake is done.
 */
int wsx_tls_describe(const struct wsx_tls *t, char *out, size_t cap);

#endif
