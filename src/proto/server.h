/*
 * WebSocket listeners: the server options (--host, --port, TLS) and
 * accepting connections, which are handed to the owner through on_accept.
 */
#ifndef WSX_PROTO_SERVER_H
#define WSX_PROTO_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/conn.h"
#include "proto/loop.h"
#include "util/opt.h"

struct wsx_server_opts {
	const char *host; /* address to bind; default 127.0.0.1 */
	unsigned port;	  /* 0 picks a free port; default 8080 */
	const char *cert, *key;
	const char *cacert; /* mTLS: client certificates from this CA */
	/* the gate (proto/gate.c) */
	const char **origins; /* --origin allowlist; empty: any */
	size_t n_origins;
	char *user;  /* --user USER:PASS (HTTP Basic), scrubbed from argv */
	char *token; /* --token (Bearer or ?token=), scrubbed from argv */
	unsigned long max_conns;
	unsigned handshake_timeout_s; /* connect to complete request */
	bool compress;		      /* accept permessage-deflate */
	bool reuseport; /* others may listen on the port too (SO_REUSEPORT) */
};

#define WSX_DEFAULT_PORT		8080
#define WSX_DEFAULT_HANDSHAKE_TIMEOUT_S 10

void wsx_server_opts_init(struct wsx_server_opts *o);
void wsx_server_opts_release(struct wsx_server_opts *o);
extern const struct wsx_optgroup
	wsx_server_optgroup; /* target: wsx_server_opts */

struct wsx_server;

/* A plain HTTP request: anything that does not ask for a WebSocket. */
struct wsx_http_request {
	const char *method; /* "GET", "HEAD", or "" for any other */
	const char *path;   /* percent-decoded, without the query */
	const char *peer;   /* "127.0.0.1:53422" */
	const char *verb;   /* the method as sent, made printable: for logs */
};

/* What to answer it: a file (status 200), a redirect, or a status. */
struct wsx_http_answer {
	unsigned status;
	char file[4096];	  /* 200: send this file */
	const char *content_type; /* 200: its type */
	char location[2048];	  /* 301: where to */
};

struct wsx_server_ops {
	/* A client finished its handshake: set its ops with wsx_conn_set_ops().
	 */
	void (*on_accept)(struct wsx_server *s, struct wsx_conn *c, void *arg);
	/* Fill ans for a plain HTTP request (after the gate's --user and
	 * --token checks). Without it, every such request gets 426. */
	void (*on_http)(struct wsx_server *s,
			const struct wsx_http_request *req,
			struct wsx_http_answer *ans, void *arg);
	/* Optional: a plain HTTP request was answered with status (also
	 * those the server refused by itself: 400, 401), for a log. */
	void (*on_http_done)(struct wsx_server *s,
			     const struct wsx_http_request *req,
			     unsigned status, void *arg);
	/* Optional, after the gate let a client's upgrade through: 0 lets
	 * it go on, else the HTTP status to refuse it with (relay's 502). */
	int (*on_upgrade)(struct wsx_server *s, void *arg);
};

struct wsx_server *wsx_server_new(struct wsx_loop *loop,
				  const struct wsx_server_opts *opts,
				  const struct wsx_conn_limits *lim,
				  const struct wsx_server_ops *ops, void *arg,
				  struct wsx_err *err);
/* "ws://127.0.0.1:8080", with the port actually bound. */
const char *wsx_server_url(const struct wsx_server *s);
unsigned wsx_server_port(const struct wsx_server *s);
/* Keep each client's request headers in its wsx_conn_info (for --exec). */
void wsx_server_keep_headers(struct wsx_server *s);
/* Keep this header too, which libwebsockets does not know by name. */
void wsx_server_keep_header(struct wsx_server *s, const char *name);
/* Refuse new clients from now on (shutting down). */
void wsx_server_stop_accepting(struct wsx_server *s);
/* Close every client with code and reason. */
void wsx_server_close_all(struct wsx_server *s, int code, const char *reason);
size_t wsx_server_count(const struct wsx_server *s);
void wsx_server_free(struct wsx_server *s);

#endif
