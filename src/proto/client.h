/*
 * WebSocket clients: the client options of every subcommand (headers,
 * origin, subprotocols, credentials, TLS, timeouts) and connecting a URL
 * with them.
 */
#ifndef WSX_PROTO_CLIENT_H
#define WSX_PROTO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/conn.h"
#include "proto/loop.h"
#include "proto/tls.h"
#include "util/opt.h"

struct wsx_client_opts {
	char **headers; /* "Name: value" */
	size_t n_headers;
	char **protocols;
	size_t n_protocols;
	const char *origin;
	char *user; /* "user:pass", scrubbed from argv */
	const char *cacert, *cert, *key;
	bool insecure;
	struct wsx_tls_pins pins; /* --pinnedpubkey, for wss:// */
	bool compress;		  /* offer permessage-deflate (--compress) */
	uint64_t connect_timeout_us;
	/* wsx_client_net_optgroup */
	bool follow_redirects;	  /* -L */
	unsigned long max_redirs; /* --max-redirs, default 5 */
	const char *proxy;	  /* --proxy; else https_proxy/http_proxy */
	const char *noproxy;	  /* --noproxy: hosts never proxied, "*" all */
	int family;		  /* -4: 4, -6: 6, else 0 */
};

#define WSX_DEFAULT_CONNECT_TIMEOUT_US (10 * 1000000ull)
#define WSX_DEFAULT_MAX_REDIRS	       5

void wsx_client_opts_init(struct wsx_client_opts *o);
void wsx_client_opts_release(struct wsx_client_opts *o);
extern const struct wsx_optgroup
	wsx_client_optgroup; /* target: wsx_client_opts */
/* -L, --max-redirs, --proxy, --noproxy, -4, -6, --compress: for the
 * interactive and pipe clients. Target: wsx_client_opts. */
extern const struct wsx_optgroup wsx_client_net_optgroup;

struct wsx_client;

/* Set up TLS and headers once for any number of connections. */
struct wsx_client *wsx_client_new(struct wsx_loop *loop,
				  const struct wsx_client_opts *opts,
				  struct wsx_err *err);
void wsx_client_free(struct wsx_client *cl);
/* -v shows the handshake of only the first n connections (bench). */
void wsx_client_trace_first(struct wsx_client *cl, unsigned n);
/*
 * Start connecting to url. A bad URL fails here (exit 2); every later
 * failure (refused, timed out, HTTP status, TLS) reaches ops->on_close with
 * its exit status, from the loop.
 */
struct wsx_conn *wsx_client_connect(struct wsx_client *cl, const char *url,
				    const struct wsx_conn_limits *lim,
				    const struct wsx_conn_ops *ops, void *arg,
				    struct wsx_err *err);

/* What one connection adds to the client's options (a relay passes on what
 * its own client sent): more request headers, other subprotocols. */
struct wsx_client_extra {
	const char *const *headers; /* "Name: value" */
	size_t n_headers;
	const char *protocols; /* comma-separated; NULL: --subprotocol's */
};

struct wsx_conn *wsx_client_connect_extra(struct wsx_client *cl,
					  const char *url,
					  const struct wsx_client_extra *x,
					  const struct wsx_conn_limits *lim,
					  const struct wsx_conn_ops *ops,
					  void *arg, struct wsx_err *err);

#endif
