/*
 * Private to src/proto/: the structures behind the public handles, and the
 * only header in wsx that includes libwebsockets.
 */
#ifndef WSX_PROTO_INTERNAL_H
#define WSX_PROTO_INTERNAL_H

#include <libwebsockets.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "proto/conn.h"
#include "proto/loop.h"
#include "proto/sendq.h"
#include "proto/server.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "ws/proto.h"

struct wsx_server;
struct wsx_client;

struct wsx_loop {
	struct lws_context *ctx;
	struct lws_vhost *base_vh; /* no listener; fds are adopted here */
	atomic_bool stopping; /* wsx_loop_stop() may come from another thread */
	bool owns_signals;    /* SIGINT/SIGTERM land on this loop */
	bool owns_sighup;     /* and SIGHUP, which was not ignored */
	bool destroying;      /* in wsx_loop_free(): owners are gone */
	int signals_seen;
	wsx_signal_cb on_signal;
	void *signal_arg;
	unsigned vhost_seq;
	char **vhost_strings; /* strings lws keeps pointers to */
	size_t n_vhost_strings;
	unsigned char *rx_buf;	 /* link.c reads into it */
	struct wsx_link *links;	 /* client connections */
	struct fdw_set *sockets; /* our sockets' epoll set (fdwatch.c) */
};

struct wsx_conn {
	struct wsx_loop *loop;
	struct wsx_link *link; /* the connection itself (link.c) */
	const struct wsx_conn_ops *ops;
	void *arg;
	struct wsx_conn_limits lim;
	bool client;
	bool open;	   /* handshake done, on_open called */
	bool finished;	   /* on_close called; only freeing left */
	bool rx_paused;	   /* the owner paused reading */
	bool manual_pongs; /* wsx_conn_answer_pings(c, false) */
	bool drain_wanted; /* a producer was told "full" */
	bool stamp_reads;  /* wsx_conn_stamp_reads(): read_ns kept */
	uint64_t read_ns;

	/* sending: messages not yet framed (framed ones are the engine's) */
	struct wsx_sendq q;
	bool ping_waiting;
	uint64_t ping_sent_us;
	struct wsx_alarm *al_ping;
	struct wsx_alarm *al_idle;
	uint64_t idle_msgs;	/* msgs_in + msgs_out when last seen moving */
	uint64_t idle_since_us; /* ... and when */

	/* closing */
	bool close_wanted;
	bool close_sent;
	int close_code;
	char *close_reason;	    /* wsx_conn_close()'s, malloc'd */
	struct wsx_alarm *al_close; /* the wait for the peer's Close */
	struct wsx_alarm *al_fail;  /* a failure reported from the loop */
	struct wsx_close *result; /* how it ended, once it is: conn_result() */

	struct wsx_conn_info info;
	struct wsx_server *server;
	struct wsx_conn *srv_next, *srv_prev;
	struct conn_client *cc; /* a client's own; NULL on a server */
};

/* A client connection's own, apart so that a server's do not carry it. */
struct conn_client {
	struct wsx_client *cli;
	char *url_auth; /* Basic credentials from the URL's user:pass@ */
	char *url;	/* the URL being connected (after redirects) */
	char *location; /* a 3xx handshake answer's Location */
	unsigned redirects;
	bool other_host; /* redirected to another origin: no credentials */
	struct wsx_alarm *al_redirect;
	char **extra_headers; /* this connection's own "Name: value" lines */
	size_t n_extra_headers;
	char *protocols; /* this connection's own offer, else the client's */
};

/*
 * Alarms: one-shot timers that take memory only while armed (a
 * lws_sorted_usec_list_t is 48 bytes, and a connection has seven kinds of
 * timer, most of them idle most of the time). *slot is the owner's
 * handle: NULL when not armed, and set back to NULL before cb runs.
 * Arming an armed alarm moves it.
 */
struct wsx_alarm;
void wsx_alarm_set(struct wsx_loop *loop, struct wsx_alarm **slot,
		   uint64_t usec, wsx_timer_cb cb, void *arg);
void wsx_alarm_cancel(struct wsx_alarm **slot);

/* conn.c: the handle's side */
struct wsx_conn *conn_new(struct wsx_loop *loop, bool client,
			  const struct wsx_conn_limits *lim);
void conn_free(struct wsx_conn *c);
/* How the connection ended (code 1006 until something says otherwise),
 * allocated when first asked for: an open connection has none. */
struct wsx_close *conn_result(struct wsx_conn *c);
/* Without allocating: a refused handshake's HTTP status, the exit status
 * a failure set (0 while nothing has) */
int conn_http_status(const struct wsx_conn *c);
int conn_status(const struct wsx_conn *c);
/* info.path: a copy of path ("/", the usual one, is not allocated) */
void conn_set_path(struct wsx_conn *c, const char *path);
/* info.protocol: a copy of name, or "" */
void conn_set_protocol(struct wsx_conn *c, const char *name);
/* info.peer, formatted */
void conn_set_peer(struct wsx_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The WebSocket ended: describe how (unless a failure did), tell the
 * owner, free the connection. */
void conn_closed(struct wsx_conn *c);
/* Report the ending as it stands to the owner and free the connection. */
void conn_finish(struct wsx_conn *c);
/* A failure seen inside the connect call is reported from the loop. */
void conn_defer_failure(struct wsx_conn *c);
void conn_start_idle_timer(struct wsx_conn *c);

/* server.c */
struct wsx_link;
/* What to answer a request with, written to out; then file_fd's bytes. */
struct server_answer {
	struct wsx_buf *out;
	int status;	    /* the gate's refusal, else 0 */
	int file_fd;	    /* -1: no body to send from a file */
	uint64_t file_size; /* its bytes to send */
	bool close;	    /* no keep-alive after it */
};
/* 0: the upgrade may go on; else the refusal is written to a->out. */
int server_gate_upgrade(struct wsx_server *s, const struct ws_http *h,
			struct server_answer *a);
void server_http_answer(struct wsx_server *s, const struct ws_http *h,
			const char *peer, struct server_answer *a);
void server_copy_headers(struct wsx_server *s, struct wsx_conn *c,
			 const struct ws_http *h);
void server_accept(struct wsx_server *s, struct wsx_conn *c);
void server_forget(struct wsx_server *s, struct wsx_conn *c);
void server_unlink(struct wsx_server *s, struct wsx_link *l);
const struct wsx_conn_limits *server_limits(const struct wsx_server *s);
const struct ws_server_hs *server_handshake(const struct wsx_server *s);
uint64_t server_head_timeout_us(const struct wsx_server *s);

/* link.c: connections on the protocol engine over our own sockets */
struct wsx_tls_ctx;
struct wsx_link *link_accept(struct wsx_server *s, struct wsx_loop *loop,
			     int fd, const char *peer, struct wsx_tls_ctx *tls);
void link_free(struct wsx_link *l);
/* The conn is being freed: the link goes too, without a word. */
void link_forget_conn(struct wsx_link *l);
void link_list_add(struct wsx_link **head, struct wsx_link *l);
void link_list_remove(struct wsx_link **head, struct wsx_link *l);
int link_send(struct wsx_conn *c, enum wsx_msg_type type, const void *data,
	      size_t len);
size_t link_pending(const struct wsx_conn *c);
void link_pause(struct wsx_conn *c);
void link_answer_pings(struct wsx_conn *c);
int link_ping(struct wsx_conn *c, const void *data, size_t len);
int link_pong(struct wsx_conn *c, const void *data, size_t len);
void link_close(struct wsx_conn *c);

/* httpd.c: plain HTTP answers */
long http_percent_decode(const char *s, size_t n, char *out, size_t cap);
void http_status_answer(struct wsx_buf *out, int status, const char *header,
			const char *value, bool close);
/* 200 with the file's head, or 304 (then false: no body) */
bool http_file_answer(struct wsx_buf *out, const struct ws_http *h,
		      const char *type, uint64_t size, time_t mtime,
		      bool close);
void http_redirect_answer(struct wsx_buf *out, const char *location,
			  bool close);

/* client.c */
/* A 3xx answer: true when -L follows it (the connection lives on). */
bool client_follow_redirect(struct wsx_conn *c, int status);
/* Whether -L was given. */
bool client_follows_redirects(const struct wsx_conn *c);

/* fdwatch.c: the protocol adopted fds are bound to */
#define WSX_FD_PROTOCOL "wsx-fd"
/* Close the loop's epoll set; its sockets' owners are gone. */
void fdwatch_sockets_free(struct wsx_loop *loop);
int fdwatch_callback(struct lws *wsi, enum lws_callback_reasons reason,
		     void *user, void *in, size_t len);

/* gate.c: the server's admission checks */
struct wsx_gate {
	/* a copy: its strings belong to the caller, and outlive the server */
	struct wsx_server_opts opts;
	char *basic; /* "Basic base64(user:pass)" for --user */
};
void gate_init(struct wsx_gate *g, const struct wsx_server_opts *o);
void gate_release(struct wsx_gate *g);
/* 0, or the HTTP status to refuse with (*challenge: 401's
 * WWW-Authenticate value) */
int gate_check(const struct wsx_gate *g, size_t clients,
	       const struct ws_http *h, const char **challenge);
int gate_check_http(const struct wsx_gate *g, const struct ws_http *h,
		    const char **challenge);

/* loop.c */
extern const struct lws_protocols wsx_protocols[];
struct lws_vhost *loop_vhost_new(struct wsx_loop *loop,
				 struct lws_context_creation_info *info,
				 struct wsx_err *err);
void loop_check_signals(struct wsx_loop *loop);

#endif
