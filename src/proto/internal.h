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

/* Largest frame we write in one go; big messages go out in fragments. */
#define WSX_CHUNK (32 * 1024)
/* messages up to WSX_BATCH_MSG bytes are framed by wsx and written in
 * batches of up to WSX_BATCH_BYTES (see conn_flush_batch) */
#define WSX_BATCH_MSG	(16 * 1024)
#define WSX_BATCH_BYTES (64 * 1024)
/* larger messages go out in frames of up to this (conn_write_fragment) */
#define WSX_FRAGMENT_BYTES (256 * 1024)

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
	unsigned char *rx_buf;	/* link.c reads into it */
	struct wsx_link *links; /* client connections */
};

struct wsx_conn {
	struct wsx_loop *loop;
	struct lws *wsi;
	const struct wsx_conn_ops *ops;
	void *arg;
	struct wsx_conn_limits lim;
	bool client;
	bool open;	  /* handshake done, on_open called */
	bool finished;	  /* on_close called; only freeing left */
	bool in_callback; /* inside lws_client_connect_via_info() */
	bool fail_deferred;
	bool rx_paused;	   /* the owner paused reading */
	bool rx_held;	   /* server: held while lws holds unsent output */
	bool rx_enabled;   /* what libwebsockets was last told */
	bool drain_wanted; /* a producer was told "full" */
	bool rx_failed;	   /* conn_fail_rx(): ignore what else arrives */

	/* receiving: one message reassembled at a time */
	struct wsx_buf rx;
	enum wsx_msg_type rx_type;
	bool rx_in_message;
	struct wsx_utf8 rx_utf8;

	/* sending */
	struct wsx_sendq q;
	bool batch;		  /* may frame small messages itself */
	uint64_t mask_state;	  /* client: masking keys for those frames */
	unsigned char *batch_buf; /* LWS_PRE + WSX_BATCH_BYTES, made on use */
	bool ping_due;
	bool ping_waiting;
	uint64_t ping_sent_us;
	unsigned char ping_buf[LWS_PRE + 125];
	size_t ping_len;
	lws_sorted_usec_list_t sul_ping;
	bool pong_due; /* wsx_conn_pong(): an unsolicited pong to send */
	unsigned char pong_buf[LWS_PRE + 125];
	size_t pong_len;
	lws_sorted_usec_list_t sul_idle;
	uint64_t idle_msgs;	/* msgs_in + msgs_out when last seen moving */
	uint64_t idle_since_us; /* ... and when */

	/* closing */
	bool close_wanted;
	bool close_sent;
	int close_code;
	char close_reason[123];
	lws_sorted_usec_list_t sul_close; /* close-ack and connect timeouts */
	lws_sorted_usec_list_t sul_fail;  /* deferred connect failure */
	const char *tls_verify_error;	  /* OpenSSL's words, static */
	struct wsx_close result;

	struct wsx_conn_info info;
	struct wsx_server *server;
	struct wsx_conn *srv_next, *srv_prev;
	struct wsx_link *link; /* on the protocol engine (link.c) */
	struct wsx_client *cli;
	char *url_auth; /* Basic credentials from the URL's user:pass@ */
	char *url;	/* client: the URL being connected (after redirects) */
	char *location; /* a 3xx handshake answer's Location */
	unsigned redirects;
	bool other_host; /* redirected to another origin: no credentials */
	lws_sorted_usec_list_t sul_redirect;
	char **extra_headers; /* this connection's own "Name: value" lines */
	size_t n_extra_headers;
	char *protocols; /* this connection's own offer, else the client's */
};

/* conn.c: the connection's side of each libwebsockets callback */
struct wsx_conn *conn_new(struct wsx_loop *loop, bool client,
			  const struct wsx_conn_limits *lim);
int conn_established(struct wsx_conn *c, struct lws *wsi);
int conn_receive(struct wsx_conn *c, const void *in, size_t len);
int conn_writeable(struct wsx_conn *c);
int conn_peer_close(struct wsx_conn *c, const unsigned char *in, size_t len);
void conn_pong(struct wsx_conn *c, const void *in, size_t len);
void conn_closed(struct wsx_conn *c);
void conn_note_subprotocol(struct wsx_conn *c, struct lws *wsi);
void conn_note_tls_verify(struct wsx_conn *c, void *x509_store_ctx);
void conn_connect_failed(struct wsx_conn *c, const char *why);
void conn_free(struct wsx_conn *c);
/* Report the ending to the owner and free the connection. */
void conn_finish(struct wsx_conn *c);
void conn_start_idle_timer(struct wsx_conn *c);
/* A failure seen inside the connect call is reported from the loop. */
void conn_defer_failure(struct wsx_conn *c);
void conn_close_timeout_arm(struct wsx_conn *c, uint64_t usec);

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
int link_ping(struct wsx_conn *c, const void *data, size_t len);
int link_pong(struct wsx_conn *c, const void *data, size_t len);
void link_close(struct wsx_conn *c);

/* httpd.c: plain HTTP answers */
long http_percent_decode(const char *s, size_t n, char *out, size_t cap);
const char *http_reason(int status);
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

/* fdwatch.c: the protocol adopted fds are bound to */
#define WSX_FD_PROTOCOL "wsx-fd"
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
int gate_check(const struct wsx_gate *g, size_t clients, const struct ws_http *h,
	       const char **challenge);
int gate_check_http(const struct wsx_gate *g, const struct ws_http *h,
		    const char **challenge);

/* loop.c */
extern const struct lws_protocols wsx_protocols[];
struct lws_vhost *loop_vhost_new(struct wsx_loop *loop,
				 struct lws_context_creation_info *info,
				 struct wsx_err *err);
void loop_check_signals(struct wsx_loop *loop);

#endif
