/*
 * WebSocket connections; see conn.h. Each function here is one
 * libwebsockets callback seen from the connection's side.
 *
 * Closing is done by hand rather than with lws_close_reason(): after
 * libwebsockets sends its own close frame it drops every data frame that
 * arrives before the peer's answering close, and the replies to our last
 * messages are usually exactly those frames. So we write the close frame
 * ourselves, keep delivering messages, and end the connection when the
 * peer's close arrives (or the close timeout passes).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "proto/frame.h"
#include "proto/internal.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define CLOSE_TIMEOUT_US (5 * 1000000)

/*
 * libwebsockets 4.1 keeps the close opcode of lws_write() out of its public
 * enum (private-lib-roles-ws.h: LWS_WRITE_CLOSE 4), but lws_write() frames
 * it like any control frame without touching the connection state, which is
 * what the manual close above needs.
 */
#define WSX_LWS_WRITE_CLOSE ((enum lws_write_protocol)4)

/* our frame headers go in the LWS_PRE headroom */
_Static_assert(LWS_PRE >= WSX_FRAME_MAX_HEADER, "LWS_PRE too small");

void
wsx_conn_limits_init(struct wsx_conn_limits *lim)
{
	lim->max_message = WSX_DEFAULT_MAX_MESSAGE;
	lim->buffer = WSX_DEFAULT_BUFFER;
	lim->ping_interval_us = 0;
	lim->ping_timeout_us = 0;
	lim->idle_timeout_us = 0;
}

enum {
	OPT_MAX_MESSAGE = WSX_OPTKEY_CLIENT + 0x80,
	OPT_BUFFER,
	OPT_PING_INTERVAL,
	OPT_PING_TIMEOUT,
};

static const struct wsx_opt conn_opts[] = {
	{ OPT_MAX_MESSAGE, "max-message", "BYTES",
	  "largest message taken (16M); larger: close 1009" },
	{ OPT_BUFFER, "buffer", "BYTES",
	  "buffer per direction before reads pause (1M)" },
	{ OPT_PING_INTERVAL, "ping-interval", "SECS",
	  "send a ping every SECS seconds" },
	{ OPT_PING_TIMEOUT, "ping-timeout", "SECS",
	  "drop the peer if no pong by then (= interval)" },
	{ 0 },
};

static int
conn_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	     struct wsx_err *err)
{
	struct wsx_conn_limits *lim = target;
	char name[40];

	snprintf(name, sizeof(name), "--%s", opt->name);
	switch (opt->key) {
	case OPT_MAX_MESSAGE:
		return wsx_parse_size(name, arg, 1, (size_t)1 << 31,
				      &lim->max_message, err);
	case OPT_BUFFER:
		return wsx_parse_size(name, arg, 1024, (size_t)1 << 31,
				      &lim->buffer, err);
	case OPT_PING_INTERVAL:
		return wsx_parse_secs(name, arg, &lim->ping_interval_us, err);
	case OPT_PING_TIMEOUT:
		return wsx_parse_secs(name, arg, &lim->ping_timeout_us, err);
	}
	return 0;
}

const struct wsx_optgroup wsx_conn_optgroup = {
	.title = "Connection options",
	.opts = conn_opts,
	.set = conn_opt_set,
};

struct wsx_conn *
conn_new(struct wsx_loop *loop, bool client, const struct wsx_conn_limits *lim)
{
	struct wsx_conn *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->client = client;
	c->lim = *lim;
	if (!c->lim.ping_timeout_us)
		c->lim.ping_timeout_us = c->lim.ping_interval_us;
	wsx_buf_init(&c->rx, 0, c->lim.max_message);
	wsx_sendq_init(&c->q, LWS_PRE, c->lim.buffer);
	c->batch = true;
	if (client)
		c->mask_state = wsx_frame_mask_seed();
	c->result.code = 1006;
	c->info.path = xstrdup("");
	return c;
}

void
conn_free(struct wsx_conn *c)
{
	lws_sul_cancel(&c->sul_ping);
	lws_sul_cancel(&c->sul_idle);
	lws_sul_cancel(&c->sul_close);
	lws_sul_cancel(&c->sul_fail);
	lws_sul_cancel(&c->sul_redirect);
	if (c->wsi)
		lws_set_opaque_user_data(c->wsi, NULL);
	wsx_buf_release(&c->rx);
	wsx_sendq_release(&c->q);
	free(c->batch_buf);
	free(c->info.path);
	for (size_t i = 0; i < c->info.n_headers; i++)
		free(c->info.headers[i]);
	free(c->info.headers);
	free(c->url_auth);
	free(c->url);
	free(c->location);
	for (size_t i = 0; i < c->n_extra_headers; i++)
		free(c->extra_headers[i]);
	free(c->extra_headers);
	free(c->protocols);
	free(c);
}

void
wsx_conn_set_ops(struct wsx_conn *c, const struct wsx_conn_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

const struct wsx_conn_info *
wsx_conn_info(const struct wsx_conn *c)
{
	return &c->info;
}

static void conn_update_rx(struct wsx_conn *c);

static void
conn_want_write(struct wsx_conn *c)
{
	if (c->wsi && c->open)
		lws_callback_on_writable(c->wsi);
}

/* End the connection now, without a close handshake (timeouts). */
static void
conn_kill(struct wsx_conn *c)
{
	if (c->wsi)
		lws_set_timeout(c->wsi, PENDING_TIMEOUT_CLOSE_SEND,
				LWS_TO_KILL_ASYNC);
}

static void
conn_ping_tick(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c = lws_container_of(sul, struct wsx_conn, sul_ping);
	uint64_t now = wsx_now_us();

	if (c->ping_waiting &&
	    now - c->ping_sent_us >= c->lim.ping_timeout_us) {
		snprintf(c->result.msg, sizeof(c->result.msg),
			 "no pong within %.1f s: connection dropped",
			 (double)c->lim.ping_timeout_us / 1e6);
		c->result.code = 1006;
		c->result.status = WSX_EXIT_CLOSED;
		c->result.timed_out = true;
		conn_kill(c);
		return;
	}
	if (!c->ping_waiting) {
		/*
		 * Not empty: a libwebsockets 4.1 server never reports an empty
		 * pong, so a peer answering an empty ping would look dead.
		 */
		memcpy(c->ping_buf + LWS_PRE, "wsx", 3);
		c->ping_len = 3;
		c->ping_due = true;
		conn_want_write(c);
	}
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_ping, conn_ping_tick,
			 (lws_usec_t)(c->ping_waiting
					      ? c->lim.ping_timeout_us
					      : c->lim.ping_interval_us));
}

/*
 * --idle-timeout: rather than re-arm a timer per message, look at the
 * message counters four times per period; a connection closes between one
 * and one and a quarter periods after its last message.
 */
static void conn_idle_tick(lws_sorted_usec_list_t *sul);

void
conn_start_idle_timer(struct wsx_conn *c)
{
	if (!c->lim.idle_timeout_us)
		return;
	c->idle_since_us = c->info.opened_us;
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_idle, conn_idle_tick,
			 (lws_usec_t)(c->lim.idle_timeout_us / 4 + 1));
}

static void
conn_idle_tick(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c = lws_container_of(sul, struct wsx_conn, sul_idle);
	uint64_t now = wsx_now_us(), msgs = c->info.msgs_in + c->info.msgs_out;

	if (msgs != c->idle_msgs) {
		c->idle_msgs = msgs;
		c->idle_since_us = now;
	} else if (now - c->idle_since_us >= c->lim.idle_timeout_us &&
		   !c->close_wanted) {
		wsx_conn_close(c, 1001, "idle timeout");
		return;
	}
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_idle, conn_idle_tick,
			 (lws_usec_t)(c->lim.idle_timeout_us / 4 + 1));
}

/* Keep the subprotocol the handshake settled on, while lws has headers. */
void
conn_note_subprotocol(struct wsx_conn *c, struct lws *wsi)
{
	char proto[64];

	if (!c->info.protocol[0] &&
	    lws_hdr_copy(wsi, proto, sizeof(proto), WSI_TOKEN_PROTOCOL) > 0)
		snprintf(c->info.protocol, sizeof(c->info.protocol), "%s",
			 proto);
}

int
conn_established(struct wsx_conn *c, struct lws *wsi)
{
	c->wsi = wsi;
	c->open = true;
	c->rx_enabled = true;
	conn_update_rx(c); /* a pause asked for while connecting */
	c->info.opened_us = wsx_now_us();
	lws_sul_cancel(&c->sul_close); /* the connect timeout */
	conn_note_subprotocol(c, wsi);
	if (c->lim.ping_interval_us)
		lws_sul_schedule(c->loop->ctx, 0, &c->sul_ping, conn_ping_tick,
				 (lws_usec_t)c->lim.ping_interval_us);
	conn_start_idle_timer(c);
	if (c->ops && c->ops->on_open)
		c->ops->on_open(c, c->arg);
	if (c->q.count || c->close_wanted)
		conn_want_write(c);
	return 0;
}

/* Close at once with an error code: nothing queued goes out first. */
static int
conn_fail(struct wsx_conn *c, int code, const char *why)
{
	c->result.code = code;
	c->result.by_peer = false;
	c->result.status = WSX_EXIT_CLOSED;
	snprintf(c->result.msg, sizeof(c->result.msg), "%s; closed with %d",
		 why, code);
	lws_close_reason(c->wsi, (enum lws_close_status)code,
			 (unsigned char *)why, strlen(why));
	return -1;
}

/*
 * conn_fail() for a message being received. On a client, while the frame is
 * still arriving, -1 from the receive callback makes libwebsockets 4.1.6
 * crash (a server announcing a 2 GiB frame past --max-message did it), so
 * the connection is failed from the loop instead, without a close frame
 * (RFC 6455 7.1.7 allows that), and the rest of the frame is ignored.
 */
static int
conn_fail_rx(struct wsx_conn *c, int code, const char *why)
{
	conn_fail(c, code, why);
	if (!c->client || !lws_remaining_packet_payload(c->wsi))
		return -1;
	c->rx_failed = true;
	conn_kill(c);
	return 0;
}

int
conn_receive(struct wsx_conn *c, const void *in, size_t len)
{
	struct wsx_msg m;
	char why[96];

	if (c->rx_failed)
		return 0;
	if (lws_is_first_fragment(c->wsi) || !c->rx_in_message) {
		c->rx_in_message = true;
		c->rx_type = lws_frame_is_binary(c->wsi) ? WSX_MSG_BINARY
							 : WSX_MSG_TEXT;
		wsx_buf_clear(&c->rx);
		wsx_utf8_init(&c->rx_utf8);
	}
	if (c->rx_type == WSX_MSG_TEXT && !wsx_utf8_feed(&c->rx_utf8, in, len))
		return conn_fail_rx(c, 1007, "text message is not valid UTF-8");
	if (wsx_buf_append(&c->rx, in, len)) {
		snprintf(why, sizeof(why),
			 "message larger than --max-message (%zu bytes)",
			 c->lim.max_message);
		return conn_fail_rx(c, 1009, why);
	}
	if (!lws_is_final_fragment(c->wsi))
		return 0;
	if (c->rx_type == WSX_MSG_TEXT && !wsx_utf8_complete(&c->rx_utf8))
		return conn_fail(c, 1007, "text message is not valid UTF-8");
	c->rx_in_message = false;
	m.type = c->rx_type;
	m.data = c->rx.len ? wsx_buf_data(&c->rx) : (const unsigned char *)"";
	m.len = c->rx.len;
	c->info.msgs_in++;
	c->info.bytes_in += m.len;
	if (c->ops && c->ops->on_message)
		c->ops->on_message(c, &m, c->arg);
	return 0;
}

int
wsx_conn_send(struct wsx_conn *c, enum wsx_msg_type type, const void *data,
	      size_t len)
{
	if (c->close_wanted || c->finished)
		return -1;
	if (c->link)
		return link_send(c, type, data, len);
	if (wsx_sendq_push(&c->q, type, data, len))
		return -1;
	conn_want_write(c);
	if (wsx_sendq_full(&c->q)) {
		c->drain_wanted = true;
		return 1;
	}
	return 0;
}

static void
conn_update_rx(struct wsx_conn *c)
{
	bool enable = !c->rx_paused && !c->rx_held;

	if (enable == c->rx_enabled || !c->wsi || c->finished)
		return;
	c->rx_enabled = enable;
	lws_rx_flow_control(c->wsi, enable);
}

bool
wsx_conn_drop_oldest(struct wsx_conn *c)
{
	return wsx_sendq_drop_oldest(&c->q);
}

void
wsx_conn_pause(struct wsx_conn *c, bool pause)
{
	c->rx_paused = pause;
	if (c->link)
		link_pause(c);
	else
		conn_update_rx(c);
}

/*
 * A server does not read while libwebsockets holds part of a frame it could
 * not send: a close frame parsed in that state makes libwebsockets drop the
 * connection with the rest of our replies unsent. The peer reads our output
 * independently of its writes (a client that did not would be stuck on its
 * own TCP backlog anyway), so holding our reads cannot deadlock. Clients do
 * not hold, or two wsx peers could each wait for the other to read.
 */
static void
conn_hold_rx_while_partial(struct wsx_conn *c)
{
	if (c->client)
		return;
	c->rx_held = lws_partial_buffered(c->wsi) != 0;
	conn_update_rx(c);
}

int
wsx_conn_ping(struct wsx_conn *c, const void *data, size_t len)
{
	if (len > 125 || !c->open || c->close_sent)
		return -1;
	if (c->link)
		return link_ping(c, data, len);
	memcpy(c->ping_buf + LWS_PRE, data, len);
	c->ping_len = len;
	c->ping_due = true;
	conn_want_write(c);
	return 0;
}

int
wsx_conn_pong(struct wsx_conn *c, const void *data, size_t len)
{
	if (len > 125 || !c->open || c->close_sent)
		return -1;
	if (c->link)
		return link_pong(c, data, len);
	memcpy(c->pong_buf + LWS_PRE, data, len);
	c->pong_len = len;
	c->pong_due = true;
	conn_want_write(c);
	return 0;
}

void
conn_pong(struct wsx_conn *c, const void *in, size_t len)
{
	uint64_t rtt = wsx_now_us() - c->ping_sent_us;

	if (c->ops && c->ops->on_pong_payload)
		c->ops->on_pong_payload(c, in, len, c->arg);
	if (c->finished || !c->ping_waiting)
		return; /* unsolicited pong: allowed as a heartbeat */
	c->ping_waiting = false;
	wsx_debug("pong from %s after %.3f ms", c->info.peer, rtt / 1000.0);
	if (c->ops && c->ops->on_pong)
		c->ops->on_pong(c, rtt, c->arg);
}

void
wsx_conn_close(struct wsx_conn *c, int code, const char *reason)
{
	if (c->close_wanted || c->finished)
		return;
	c->close_wanted = true;
	c->close_code = code;
	snprintf(c->close_reason, sizeof(c->close_reason), "%s",
		 reason ? reason : "");
	if (c->link)
		link_close(c);
	else if (c->open)
		conn_want_write(c);
	else if (c->wsi)
		conn_kill(c); /* still connecting: just give up */
}

static void
conn_close_timeout(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c = lws_container_of(sul, struct wsx_conn, sul_close);

	if (!c->open) {
		conn_kill(c);
		conn_connect_failed(c, "connect timeout");
		return;
	}
	wsx_debug("peer did not answer our close in time");
	c->result.timed_out = true;
	conn_kill(c);
}

/* Our close frame, written like a data frame; see the top of this file. */
static int
conn_send_close(struct wsx_conn *c)
{
	unsigned char buf[LWS_PRE + 125];
	size_t n = strlen(c->close_reason);

	buf[LWS_PRE] = (unsigned char)(c->close_code >> 8);
	buf[LWS_PRE + 1] = (unsigned char)c->close_code;
	memcpy(buf + LWS_PRE + 2, c->close_reason, n);
	if (lws_write(c->wsi, buf + LWS_PRE, n + 2, WSX_LWS_WRITE_CLOSE) < 0)
		return -1;
	c->close_sent = true;
	c->result.code = c->close_code;
	snprintf(c->result.reason, sizeof(c->result.reason), "%s",
		 c->close_reason);
	c->result.by_peer = false;
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_close, conn_close_timeout,
			 CLOSE_TIMEOUT_US);
	return 0;
}

/*
 * Bytes we framed, to libwebsockets as they are (LWS_WRITE_HTTP passes
 * through a ws connection unframed). What the socket does not take now,
 * libwebsockets keeps and sends first. Only the flush before answering a
 * peer's close writes while it keeps some: 4.1 then appends the new bytes
 * and returns how much of the older ones went out, so anything but -1 means
 * all were taken (counted as short, the rest of the queue was dropped).
 */
static int
conn_write_raw(struct wsx_conn *c, unsigned char *p, size_t n)
{
	bool appended = lws_partial_buffered(c->wsi) != 0;
	int m = lws_write(c->wsi, p, n, LWS_WRITE_HTTP);

	return m < 0 || (!appended && (size_t)m < n) ? -1 : 0;
}

/*
 * Frame the small messages at the head of the queue into one buffer and
 * hand it to libwebsockets as raw bytes (LWS_WRITE_HTTP passes through a
 * ws connection unframed): one write and one poll for the lot instead of
 * one each per message. Whole frames only, so libwebsockets' own framing
 * state is never disturbed. Returns bytes of payload sent, or -1.
 */
static int
conn_flush_batch(struct wsx_conn *c)
{
	struct wsx_sendq_item it;
	unsigned char *out;
	size_t n = 0, msgs = 0;

	if (!c->batch_buf)
		c->batch_buf = xmalloc(LWS_PRE + WSX_BATCH_BYTES);
	out = c->batch_buf + LWS_PRE;
	while (wsx_sendq_peek(&c->q, &it) && !it.off &&
	       it.len <= WSX_BATCH_MSG &&
	       n + WSX_FRAME_MAX_HEADER + it.len <= WSX_BATCH_BYTES) {
		n += wsx_frame_message(out + n, it.type, it.data, it.len,
				       c->client ? &c->mask_state : NULL);
		c->info.msgs_out++;
		c->info.bytes_out += it.len;
		wsx_sendq_advance(&c->q, it.len);
		msgs++;
	}
	if (n && conn_write_raw(c, out, n))
		return -1;
	return (int)msgs;
}

/*
 * The next fragment (up to WSX_FRAGMENT_BYTES) of the message at the head of
 * the queue, framed by us: the header goes in the bytes just before the
 * fragment, which are the queue's headroom for the first fragment and
 * already-written payload for the others (lws_write() has either sent or
 * copied what it was given), and a client masks the payload in place, eight
 * bytes at a time, where libwebsockets would go byte by byte.
 */
static int
conn_write_fragment(struct wsx_conn *c, const struct wsx_sendq_item *it)
{
	unsigned char hdr[WSX_FRAME_MAX_HEADER], *frag = it->data + it->off;
	size_t n = it->len - it->off, h;
	int opcode = it->off ? 0 : it->type == WSX_MSG_TEXT ? 1 : 2;

	if (n > WSX_FRAGMENT_BYTES)
		n = WSX_FRAGMENT_BYTES;
	h = wsx_frame_header(hdr, opcode, it->off + n == it->len, n,
			     c->client ? &c->mask_state : NULL);
	if (c->client)
		wsx_frame_mask(frag, frag, n, hdr + h - 4);
	memcpy(frag - h, hdr, h);
	if (conn_write_raw(c, frag - h, h + n))
		return -1;
	if (!it->off)
		c->info.msgs_out++;
	c->info.bytes_out += n;
	wsx_sendq_advance(&c->q, n);
	return 0;
}

/* Write queued messages, in fragments of WSX_CHUNK, until the pipe chokes. */
static int
conn_flush(struct wsx_conn *c, bool until_choked)
{
	struct wsx_sendq_item it;

	while (wsx_sendq_peek(&c->q, &it)) {
		size_t n = it.len - it.off;
		int flags;

		if (until_choked && lws_send_pipe_choked(c->wsi))
			return 0;
		if (c->batch && !it.off && it.len <= WSX_BATCH_MSG &&
		    c->q.count > 1) {
			if (conn_flush_batch(c) < 0)
				return -1;
			continue;
		}
		if (c->batch) {
			if (conn_write_fragment(c, &it) < 0)
				return -1;
			continue;
		}
		if (n > WSX_CHUNK)
			n = WSX_CHUNK;
		flags = it.off			  ? LWS_WRITE_CONTINUATION
			: it.type == WSX_MSG_TEXT ? LWS_WRITE_TEXT
						  : LWS_WRITE_BINARY;
		if (it.off + n < it.len)
			flags |= LWS_WRITE_NO_FIN;
		if (lws_write(c->wsi, it.data + it.off, n,
			      (enum lws_write_protocol)flags) < (int)n)
			return -1;
		if (!it.off)
			c->info.msgs_out++;
		c->info.bytes_out += n;
		wsx_sendq_advance(&c->q, n);
	}
	return 0;
}

int
conn_writeable(struct wsx_conn *c)
{
	if (c->close_sent || c->finished)
		return 0;
	if (c->ping_due) {
		c->ping_due = false;
		c->ping_waiting = true;
		c->ping_sent_us = wsx_now_us();
		if (lws_write(c->wsi, c->ping_buf + LWS_PRE, c->ping_len,
			      LWS_WRITE_PING) < 0)
			return -1;
	}
	if (c->pong_due) {
		c->pong_due = false;
		if (lws_write(c->wsi, c->pong_buf + LWS_PRE, c->pong_len,
			      LWS_WRITE_PONG) < 0)
			return -1;
	}
	if (conn_flush(c, true))
		return -1;
	conn_hold_rx_while_partial(c);
	if (c->q.count || c->rx_held) {
		lws_callback_on_writable(c->wsi);
	} else if (c->close_wanted) {
		return conn_send_close(c);
	}
	if (c->drain_wanted && c->q.bytes <= c->q.budget / 2) {
		c->drain_wanted = false;
		if (c->ops && c->ops->on_drain)
			c->ops->on_drain(c, c->arg);
	}
	return 0;
}

static void
conn_record_peer_close(struct wsx_conn *c, int code, const unsigned char *in,
		       size_t len)
{
	c->result.by_peer = true;
	c->result.code = code;
	c->result.reason[0] = '\0';
	if (len > 2)
		wsx_printable(c->result.reason, sizeof(c->result.reason),
			      in + 2, len - 2);
}

static void
conn_describe_close(struct wsx_close *r)
{
	if (r->code == 1000 || r->code == 1001) {
		r->status = WSX_EXIT_OK;
		return;
	}
	r->status = WSX_EXIT_CLOSED;
	if (r->msg[0])
		return;
	if (r->code == 1006)
		snprintf(r->msg, sizeof(r->msg),
			 "connection closed abnormally (1006, no close frame)");
	else
		snprintf(r->msg, sizeof(r->msg),
			 "%s closed the connection with %d%s%s%s",
			 r->by_peer ? "peer" : "we", r->code,
			 r->reason[0] ? " '" : "", r->reason,
			 r->reason[0] ? "'" : "");
}

int
conn_peer_close(struct wsx_conn *c, const unsigned char *in, size_t len)
{
	int code = len >= 2 ? in[0] << 8 | in[1] : 1000;

	if (c->close_sent) {
		/*
		 * The answer to our close. An error code in it still tells
		 * how the peer saw the connection end (closes that crossed).
		 */
		if (code != 1000 && code != 1001)
			conn_record_peer_close(c, code, in, len);
		return -1; /* we are done: end the TCP connection */
	}
	/*
	 * libwebsockets answers reserved codes with 1002 itself, but echoes a
	 * 1-byte payload or a reason that is not UTF-8 (RFC 6455 7.1.6).
	 */
	if (len == 1)
		return conn_fail(c, 1002, "close frame of 1 byte");
	if (len > 2 && !wsx_utf8_valid(in + 2, len - 2))
		return conn_fail(c, 1007, "close reason is not UTF-8");
	conn_record_peer_close(c, code, in, len);
	/*
	 * What we still have queued goes out before libwebsockets answers the
	 * close: it answers at the next writable, after whatever was handed to
	 * lws_write() by then.
	 */
	if (c->q.count)
		conn_flush(c, false);
	return 0;
}

void
conn_note_tls_verify(struct wsx_conn *c, void *x509_store_ctx)
{
	int err = X509_STORE_CTX_get_error(x509_store_ctx);

	if (err != X509_V_OK && !c->tls_verify_error)
		c->tls_verify_error = X509_verify_cert_error_string(err);
}

/* Words for a failed TLS handshake, like curl's "SSL certificate problem". */
static void
conn_describe_tls_failure(struct wsx_conn *c, char *msg, size_t size)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	if (c->tls_verify_error)
		snprintf(msg, size,
			 "TLS certificate problem: %s (--cacert FILE trusts "
			 "a CA, -k skips the check)",
			 c->tls_verify_error);
	else if (reason)
		snprintf(msg, size, "TLS handshake with %s failed: %s",
			 c->info.peer, reason);
	else
		snprintf(msg, size, "TLS handshake with %s failed",
			 c->info.peer);
}

/*
 * A 3xx answer to the handshake: keep its Location, and let the client
 * follow it (-L) on this same connection object. true: followed.
 */
static bool
conn_note_location(struct wsx_conn *c)
{
	int status = (int)lws_http_client_http_response(c->wsi);
	char loc[1024];

	if (status != 301 && status != 302 && status != 303 && status != 307 &&
	    status != 308)
		return false;
	if (lws_hdr_copy(c->wsi, loc, sizeof(loc), WSI_TOKEN_HTTP_LOCATION) <=
	    0)
		return false;
	free(c->location);
	c->location = xstrdup(loc);
	if (!c->cli || c->in_callback || !client_follow_redirect(c))
		return false;
	c->result.status = 0;
	c->result.http_status = 0;
	return true;
}

void
conn_connect_failed(struct wsx_conn *c, const char *why)
{
	struct wsx_close *r = &c->result;

	if (c->finished)
		return;
	r->code = 1006;
	if (!r->msg[0]) {
		if (!strncmp(why, "HS: ", 4) && c->wsi &&
		    lws_http_client_http_response(c->wsi) &&
		    lws_http_client_http_response(c->wsi) != 101) {
			r->status = WSX_EXIT_HANDSHAKE;
			r->http_status =
				(int)lws_http_client_http_response(c->wsi);
			if (conn_note_location(c))
				return;
			snprintf(r->msg, sizeof(r->msg),
				 "handshake refused: HTTP %d", r->http_status);
			if (c->location)
				snprintf(r->msg + strlen(r->msg),
					 sizeof(r->msg) - strlen(r->msg),
					 " to %.300s%s", c->location,
					 c->cli && c->redirects
						 ? " (too many redirects: see "
						   "--max-redirs)"
						 : " (-L follows redirects)");
		} else if (!strncmp(why, "HS: ", 4)) {
			r->status = WSX_EXIT_CLOSED;
			snprintf(r->msg, sizeof(r->msg),
				 "bad handshake answer: %s", why + 4);
		} else if (!strcmp(why, "problems parsing header")) {
			/* an answer came, but not HTTP, or too big to parse */
			r->status = WSX_EXIT_CLOSED;
			snprintf(r->msg, sizeof(r->msg),
				 "bad handshake answer from %s: not HTTP, or "
				 "headers too large",
				 c->info.peer);
		} else if (!strcmp(why, "read failed")) {
			r->status = WSX_EXIT_CONNECT;
			snprintf(r->msg, sizeof(r->msg),
				 "could not connect to %s: closed before "
				 "answering the handshake",
				 c->info.peer);
		} else if (strstr(why, "SSL") || strstr(why, "cert") ||
			   strstr(why, "tls")) {
			r->status = WSX_EXIT_TLS;
			conn_describe_tls_failure(c, r->msg, sizeof(r->msg));
		} else if (!strcmp(why, "connect timeout")) {
			r->status = WSX_EXIT_CONNECT;
			r->timed_out = true;
			snprintf(r->msg, sizeof(r->msg),
				 "could not connect to %s: timed out",
				 c->info.peer);
		} else {
			r->status = WSX_EXIT_CONNECT;
			snprintf(r->msg, sizeof(r->msg),
				 "could not connect to %s: %s", c->info.peer,
				 !strcmp(why, "Unable to connect")
					 ? "refused or unreachable"
					 : why);
		}
	}
	/* strip the newline some libwebsockets messages end with */
	r->msg[strcspn(r->msg, "\n")] = '\0';
	if (c->in_callback) {
		/* inside lws_client_connect_via_info(): client.c reports it */
		c->fail_deferred = true;
		c->wsi = NULL;
		return;
	}
	conn_finish(c);
}

static void
conn_deferred_fail(lws_sorted_usec_list_t *sul)
{
	conn_finish(lws_container_of(sul, struct wsx_conn, sul_fail));
}

void
conn_defer_failure(struct wsx_conn *c)
{
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_fail, conn_deferred_fail, 1);
}

void
conn_closed(struct wsx_conn *c)
{
	if (c->finished)
		return;
	conn_describe_close(&c->result);
	conn_finish(c);
}

void
conn_finish(struct wsx_conn *c)
{
	c->finished = true;
	if (c->wsi)
		lws_set_opaque_user_data(c->wsi, NULL);
	c->wsi = NULL;
	if (c->server)
		server_forget(c->server, c);
	if (c->ops && c->ops->on_close && !c->loop->destroying)
		c->ops->on_close(c, &c->result, c->arg);
	conn_free(c);
}

/* The connect timeout shares the close timer: a conn needs one at a time. */
void
conn_close_timeout_arm(struct wsx_conn *c, uint64_t usec)
{
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_close, conn_close_timeout,
			 (lws_usec_t)usec);
}

size_t
wsx_conn_pending(const struct wsx_conn *c)
{
	return c->q.bytes + (c->link ? link_pending(c) : 0);
}
