/*
 * One WebSocket connection's protocol (RFC 6455, RFC 7692), I/O-free: the
 * peer's bytes go in through ws_proto_receive() and come out as events;
 * calls to send go in and come out as bytes in an output buffer that the
 * transport drains. It never reads or writes a socket, never sleeps, keeps
 * no clock and never logs: every rule can be tested with bytes in, events
 * and bytes out.
 *
 * Events: one callback, called during ws_proto_receive() (and during
 * ws_proto_init() for nothing; ws_proto_eof() for CLOSE). The callback may
 * send, ping or close, but must not release the connection. Data given in
 * an event is borrowed until the callback returns. The CLOSE event of a
 * peer's Close comes while the connection is still OPEN, before the
 * answering Close is queued: the transport may send what it had waiting
 * (RFC 6455 5.5.1 lets an endpoint finish sending first).
 *
 * Messages: by default whole messages are delivered (ev.first and ev.fin
 * both set). A message that arrived as one frame within one receive call
 * is delivered in place, without a copy (the engine unmasks the caller's
 * buffer in place); only a message spread over several frames or calls is
 * gathered, in a buffer reused from message to message, up to max_message
 * bytes: beyond that the connection fails with 1009. With opts.stream,
 * data is delivered as it arrives, piece by piece (ev.first on the first
 * piece of a message, ev.fin on its last), and nothing is gathered; text
 * pieces may then end inside a UTF-8 sequence (the message as a whole is
 * still checked, and fails at its first bad byte either way).
 *
 * Output: one contiguous buffer, drained with ws_proto_output() and
 * ws_proto_consume(). Many frames queue back to back, so one write() sends
 * a whole batch. A payload is copied once into it; a client masks while
 * copying, so the copy costs nothing extra there (iovecs would spare a
 * server that copy for large messages; not done yet). Data sends are
 * refused beyond opts.max_output bytes pending; control frames (the pongs
 * and Close the engine owes) are always queued: the transport bounds them
 * by not reading while output is pending.
 *
 * States: CONNECTING (the opening handshake) -> OPEN -> CLOSING (we sent
 * Close, the peer's is awaited) -> CLOSED (nothing more either way); a
 * failure or the peer's Close goes straight to CLOSED. Nothing is sent
 * after our Close. Once CLOSED, the transport flushes the output and then
 * does what ws_proto_tcp() says: a server drops TCP first; a client after
 * a clean close waits for the server to drop it (RFC 6455 7.1.1), under a
 * timer of the transport's. Timers for the closing handshake or for pongs
 * belong to the transport too: when one expires it calls ws_proto_eof().
 */
#ifndef WSX_WS_PROTO_H
#define WSX_WS_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/msg.h"
#include "util/utf8.h"
#include "ws/deflate.h"
#include "ws/frame.h"
#include "ws/handshake.h"

enum ws_role {
	WS_ROLE_CLIENT,
	WS_ROLE_SERVER,
};

enum ws_state {
	WS_STATE_CONNECTING,
	WS_STATE_OPEN,
	WS_STATE_CLOSING,
	WS_STATE_CLOSED,
};

/* What the transport does with TCP once the output is flushed. */
enum ws_tcp {
	WS_TCP_KEEP,  /* the connection goes on */
	WS_TCP_DROP,  /* close it */
	WS_TCP_AWAIT, /* client: wait (bounded) for the server to close it */
};

enum ws_event_type {
	WS_EV_REQUEST, /* server: an upgrade request that passed the checks */
	WS_EV_OPEN,    /* the handshake is done */
	WS_EV_MESSAGE, /* data */
	WS_EV_PING,    /* a ping; its pong is already queued when OPEN */
	WS_EV_PONG,    /* a pong */
	WS_EV_CLOSE,   /* the peer's Close, or 1006 when TCP ended without */
	WS_EV_FAIL,    /* we failed the connection; CLOSED */
};

/* Server: how to answer a request, filled in by the REQUEST event. */
struct ws_answer {
	int status;		 /* 0: accept; else an HTTP error status */
	const char *message;	 /* the error answer's body */
	struct ws_agreed agreed; /* pre-filled by negotiation; may be edited
				    (a subprotocol the client offered) */
};

struct ws_event {
	enum ws_event_type type;
	enum wsx_msg_type msg_type; /* MESSAGE */
	bool first, fin;	    /* MESSAGE: first and last piece */
	const unsigned char *data;  /* MESSAGE, PING, PONG payload; CLOSE: */
	size_t len;		    /* its reason (not NUL-terminated) */
	int code;		    /* CLOSE: the peer's code (1005: none);
				       FAIL: the close code we sent (0 when
				       still in the handshake) */
	int status;	    /* FAIL in the handshake: HTTP status sent (server)
			       or received (client, 0 if none) */
	const char *reason; /* FAIL: what was wrong, for a person */
	int64_t ping_time;  /* PONG: the time given to ws_proto_ping() for
			       the ping it answers; -1 when it answers none */
	const struct ws_request *request; /* REQUEST */
	struct ws_answer *answer;	  /* REQUEST: the answer to give */
	const struct ws_agreed *agreed;	  /* OPEN */
	const struct ws_http *http;	  /* client, FAIL and OPEN: the server's
					     answer head, when one arrived and
					     parsed (a redirect's Location, a
					     refusal's fields, -v) */
};

struct ws_proto_opts {
	enum ws_role role;
	size_t max_message;   /* 0: 16 MiB. Larger messages fail with 1009 */
	bool stream;	      /* deliver data piece by piece (see above) */
	size_t fragment_size; /* send frames of at most this; 0: one frame */
	size_t max_output;    /* data sends refused beyond it; 0: no limit */
	const struct ws_client_hs *client; /* client: the request to send */
	const struct ws_server_hs *server; /* server: what it speaks */
	const struct ws_agreed *open; /* start OPEN with this agreed, skipping
					 the handshake (done elsewhere) */
	void (*on_event)(void *arg, struct ws_event *ev);
	void *arg;
	/* Optional, for -vv: every frame sent (out) or received, as its
	 * header says, before its payload is judged. */
	void (*on_frame)(void *arg, bool out, int opcode, bool fin,
			 uint64_t len, bool masked);
};

#define WS_MAX_PINGS  8	  /* pings awaiting their pong, for round trips */
#define WS_KEYS_BYTES 256 /* masking keys drawn at a time: 64 frames' */

struct ws_keys {
	uint8_t b[WS_KEYS_BYTES];
};

struct ws_ping_sent {
	uint64_t hash;
	int64_t time;
};

/* One connection. Fields are the engine's; read them through the calls. */
struct ws_proto {
	struct ws_proto_opts o;
	enum ws_state state;
	bool failed; /* CLOSED by a failure, not a close handshake */
	struct wsx_buf
		*head; /* the handshake head, gathered: only until open */
	size_t head_scan;
	char key[WS_KEY_LEN]; /* client: the key sent */
	/* receiving: a partial header, the frame under way, the message */
	uint8_t hdr[WS_FRAME_MAX_HEADER];
	uint8_t hdr_len;
	bool in_frame;
	struct ws_frame f;
	uint64_t rem; /* payload bytes of f still to come */
	unsigned phase;
	uint8_t *ctl; /* a control frame split across reads, gathered */
	uint8_t ctl_len;
	bool rx_active, rx_compressed, rx_started;
	enum wsx_msg_type rx_type;
	size_t rx_total; /* bytes of the message so far (decompressed) */
	struct wsx_utf8 rx_utf8;
	struct wsx_buf msg; /* the message gathered, or inflated */
	/* sending */
	struct wsx_buf out;
	bool tx_active, tx_compressed;
	enum wsx_msg_type tx_type;
	struct wsx_utf8 tx_utf8;
	/*
	 * Allocated when first needed, so that an idle server connection
	 * holds neither: masking keys drawn from the OS (a client's), and
	 * our pings awaiting pongs (payload hash and time given).
	 */
	struct ws_keys *keys;
	uint16_t keys_used;
	struct ws_ping_sent *ping; /* [WS_MAX_PINGS] */
	uint8_t nping, ping_first;
	uint64_t ping_seq;
	bool deflate;
	/* allocated once permessage-deflate is agreed: zlib's streams, and
	 * a message compressed before framing */
	struct ws_deflate *z;
	struct wsx_buf *zbuf;
	bool hold;	  /* ws_proto_hold(): feed no further */
	bool manual_pong; /* ws_proto_answer_pings(p, false) */
};

/*
 * Start a connection. A client queues its upgrade request (opts.client),
 * a server waits for one (answered by opts.server and the REQUEST event);
 * with opts.open both start OPEN. -1 with err when the client's request
 * cannot be built.
 */
int ws_proto_init(struct ws_proto *p, const struct ws_proto_opts *opts,
		  struct wsx_err *err);
void ws_proto_release(struct ws_proto *p);

/*
 * Feed bytes from the peer; events come out through the callback. data is
 * modified (unmasked in place). Returns 0 while the connection goes on, 1
 * once it is CLOSED (later bytes are ignored).
 */
int ws_proto_receive(struct ws_proto *p, unsigned char *data, size_t len);

/*
 * Flow control at message granularity: feed bytes like ws_proto_receive(),
 * but stop as soon as ws_proto_hold(p, true) is in force, typically called
 * from inside an event (the application wants no more for now). Returns
 * the bytes taken; the rest is untouched, and is the caller's to feed again
 * after ws_proto_hold(p, false). Once CLOSED everything counts as taken,
 * but for a client whose handshake was refused: the bytes after the
 * answer's head (its body) are left to the caller.
 * ws_proto_receive() ignores the hold and takes everything.
 */
size_t ws_proto_feed(struct ws_proto *p, unsigned char *data, size_t len);
void ws_proto_hold(struct ws_proto *p, bool hold);

/*
 * Whether the engine answers pings itself (the default). A relay that
 * passes pings on to the other side, for its peer to answer, turns this
 * off and answers with ws_proto_pong() what it cannot pass on.
 */
void ws_proto_answer_pings(struct ws_proto *p, bool answer);

/*
 * TCP ended (or the transport gave up waiting): a CLOSE event with 1006
 * unless the close handshake was already done. The state is CLOSED after.
 */
void ws_proto_eof(struct ws_proto *p);

/*
 * Send a whole message (compressed when permessage-deflate was agreed, in
 * frames of opts.fragment_size). -1 with err when the connection is not
 * OPEN, a fragmented message is under way, text is not UTF-8, or the
 * output holds more than max_output bytes (try again once drained).
 */
int ws_proto_send_message(struct ws_proto *p, enum wsx_msg_type type,
			  const void *data, size_t len, struct wsx_err *err);

/*
 * Send part of a message; fin ends it. type must stay the same through a
 * message. A text message's UTF-8 is checked across the parts.
 */
int ws_proto_send_fragment(struct ws_proto *p, enum wsx_msg_type type,
			   const void *data, size_t len, bool fin,
			   struct wsx_err *err);

/*
 * Ping with up to 125 bytes (data NULL: 8 bytes of a counter, so every
 * ping can be told apart). now is any clock the caller likes; the PONG
 * event that answers this ping hands it back, for a round-trip time.
 */
int ws_proto_ping(struct ws_proto *p, const void *data, size_t len, int64_t now,
		  struct wsx_err *err);

/* An unsolicited pong (a heartbeat), up to 125 bytes. */
int ws_proto_pong(struct ws_proto *p, const void *data, size_t len,
		  struct wsx_err *err);

/*
 * Start the close handshake: code 0 sends a Close without a code; else a
 * code a peer may send (1000-1003, 1007-1014, 3000-4999) and a reason of
 * up to 123 bytes of UTF-8. The state is CLOSING after.
 */
int ws_proto_close(struct ws_proto *p, int code, const char *reason, size_t len,
		   struct wsx_err *err);

/* Bytes to send: a pointer to them and their count (0: nothing). */
const unsigned char *ws_proto_output(const struct ws_proto *p, size_t *len);
/* n of those bytes were written. */
void ws_proto_consume(struct ws_proto *p, size_t n);
/*
 * Buffers a burst grew stay while the connection is busy: whether any is
 * held, and handing back those that are empty (call it once the
 * connection has been quiet for a while).
 */
bool ws_proto_holds_buffers(const struct ws_proto *p);
void ws_proto_trim(struct ws_proto *p);

enum ws_state ws_proto_state(const struct ws_proto *p);
enum ws_tcp ws_proto_tcp(const struct ws_proto *p);

/* Whether a peer may send this close code (RFC 6455 7.4, IANA). */
bool ws_close_code_valid(int code);

#endif
