/*
 * A WebSocket connection, client or server side: whole messages in (text
 * and binary kept apart, reassembled up to a limit), a bounded send queue
 * out, pings, and a close that ends in one wsx_close with the exit status.
 * The connection belongs to proto/; the owner of the ops sees it from
 * on_open until on_close and must not touch it afterwards.
 */
#ifndef WSX_PROTO_CONN_H
#define WSX_PROTO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/msg.h"
#include "util/opt.h"

struct wsx_conn;

/* Limits and liveness, shared by client and server connections. */
struct wsx_conn_limits {
	size_t max_message;	   /* reassembly limit; beyond it close 1009 */
	size_t buffer;		   /* send queue budget in bytes */
	uint64_t ping_interval_us; /* 0: no pings of our own */
	uint64_t ping_timeout_us;  /* no pong this long after a ping: drop */
	uint64_t idle_timeout_us;  /* no message either way this long: 1001 */
};

#define WSX_DEFAULT_MAX_MESSAGE (16u << 20)
#define WSX_DEFAULT_BUFFER	(1u << 20)

void wsx_conn_limits_init(struct wsx_conn_limits *lim);
extern const struct wsx_optgroup
	wsx_conn_optgroup; /* target: wsx_conn_limits */

struct wsx_close {
	int code; /* close code; 1006 when the connection just dropped */
	char reason[128]; /* printable */
	bool by_peer;	  /* the peer sent the first close frame */
	/* we sent the first one and the peer answered with the same code
	 * or 1000/1001 (another code is the peer's own close: by_peer) */
	bool answered;
	/* exit status for this ending (enum wsx_exit): 0 for a close we
	 * chose that the peer answered, whatever its code; for one the peer
	 * chose, 0 for 1000/1001 and WSX_EXIT_CLOSED otherwise */
	int status;
	int http_status; /* a refused handshake's HTTP status, else 0 */
	bool timed_out;	 /* connecting or closing took too long */
	/* what happened, for a "wsx: ..." line: wsx_close_describe()'s words
	 * ("the server closed the connection: 1001 going away 'bye'") unless
	 * a failure says more */
	char msg[512];
};

struct wsx_conn_info {
	const char *peer; /* "127.0.0.1:53422"; "" until known */
	const char *path; /* request path with query; "" for clients */
	/* server side, with wsx_server_keep_headers(): "name: value" of the
	 * request headers libwebsockets knows (it drops the others) */
	char **headers;
	size_t n_headers;
	const char *protocol; /* negotiated subprotocol or "" */
	bool compressed;      /* permessage-deflate was agreed */
	uint64_t opened_us;
	uint64_t msgs_in, msgs_out, bytes_in, bytes_out;
};

struct wsx_conn_ops {
	void (*on_open)(struct wsx_conn *c, void *arg);
	void (*on_message)(struct wsx_conn *c, const struct wsx_msg *m,
			   void *arg);
	/* The send queue fell below half its budget after wsx_conn_send()
	 * returned 1. */
	void (*on_drain)(struct wsx_conn *c, void *arg);
	void (*on_pong)(struct wsx_conn *c, uint64_t rtt_us, void *arg);
	/* A ping from the peer, already answered unless
	 * wsx_conn_answer_pings(c, false). */
	void (*on_ping)(struct wsx_conn *c, const void *data, size_t len,
			void *arg);
	/* Any pong from the peer, ours answered or not, with its payload. */
	void (*on_pong_payload)(struct wsx_conn *c, const void *data,
				size_t len, void *arg);
	/* Last call: c is freed when this returns. */
	void (*on_close)(struct wsx_conn *c, const struct wsx_close *cl,
			 void *arg);
};

void wsx_conn_set_ops(struct wsx_conn *c, const struct wsx_conn_ops *ops,
		      void *arg);
/*
 * Queue a message. 0: queued; 1: queued, and the queue is now at its budget,
 * so stop producing until on_drain; -1: refused (closing, or already over
 * budget).
 */
int wsx_conn_send(struct wsx_conn *c, enum wsx_msg_type type, const void *data,
		  size_t len);
/* Drop the oldest queued message not yet begun; false when there is none. */
bool wsx_conn_drop_oldest(struct wsx_conn *c);
/* Stop (true) or resume reading from the peer: flow control, not buffering. */
void wsx_conn_pause(struct wsx_conn *c, bool pause);
/*
 * Send a ping now; its pong reaches on_pong with the round trip. On a
 * server connection give it data: libwebsockets 4.1 drops empty pongs there.
 */
int wsx_conn_ping(struct wsx_conn *c, const void *data, size_t len);
/*
 * Whether pings from the peer are answered at once (the default); a relay
 * passing them on answers them with wsx_conn_pong() itself.
 */
void wsx_conn_answer_pings(struct wsx_conn *c, bool answer);
/* Send a pong with this payload (up to 125 bytes): a heartbeat, or one a
 * relay passes on. */
int wsx_conn_pong(struct wsx_conn *c, const void *data, size_t len);
/*
 * Close with code and reason after what is queued has gone out; the
 * connection keeps delivering messages until the peer's close arrives (or
 * a timeout), then on_close.
 */
void wsx_conn_close(struct wsx_conn *c, int code, const char *reason);
const struct wsx_conn_info *wsx_conn_info(const struct wsx_conn *c);
/* Payload bytes queued and not yet written. */
size_t wsx_conn_pending(const struct wsx_conn *c);
/*
 * Stamp each read from the socket with the time (wsx_now_ns()), for
 * latency measurements: wsx_conn_read_ns() is the time of the read that
 * brought the message being delivered. One clock read per read, not per
 * message (bench's echoes come 16 to a read).
 */
void wsx_conn_stamp_reads(struct wsx_conn *c, bool on);
uint64_t wsx_conn_read_ns(const struct wsx_conn *c);

#endif
