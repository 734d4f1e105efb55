/*
 * The WebSocket on a link: the engine's events turned into the wsx_conn
 * callbacks, queued messages framed into the engine's output, input held
 * back while the owner pauses, pings, the close handshake, and the calls
 * conn.c hands over.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/net.h"
#include "proto/fdwatch.h"
#include "proto/internal.h"
#include "proto/link.h"
#include "proto/tls.h"
#include "proto/tunnel.h"
#include "util/closecode.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

static void link_close_timeout(void *arg);

static void
link_record_close(struct wsx_conn *c, int code, const unsigned char *reason,
		  size_t len)
{
	struct wsx_close *r = conn_result(c);

	if (code == 1006) {
		if (!c->close_sent)
			r->code = 1006;
		return;
	}
	if (code == 1005)
		code = 1000; /* no code given: a normal close */
	if (c->close_sent &&
	    (code == c->close_code || code == 1000 || code == 1001)) {
		/* the answer to ours: the close stays the one we chose */
		r->answered = true;
		return;
	}
	/* the peer's own, or one that crossed ours with a reason of its
	 * own (a relay's 1011 as our 1000 left): that is how it ended */
	r->by_peer = true;
	r->code = code;
	r->reason[0] = '\0';
	if (len)
		wsx_printable(r->reason, sizeof(r->reason), reason, len);
}

/*
 * A message into the engine. Text that is not UTF-8 (a --exec child's
 * output, say) goes as binary rather than not at all.
 */
static int
link_engine_send(struct wsx_link *l, enum wsx_msg_type type, const void *data,
		 size_t len)
{
	if (!ws_proto_send_message(&l->p, type, data, len, NULL))
		return 0;
	if (type != WSX_MSG_TEXT || ws_proto_state(&l->p) != WS_STATE_OPEN)
		return -1;
	wsx_debug("a text message that is not UTF-8 goes as binary");
	return ws_proto_send_message(&l->p, WSX_MSG_BINARY, data, len, NULL);
}

/* Frame queued messages into the engine's output, up to a batch. */
static void
link_frame_queued(struct wsx_link *l, bool all)
{
	struct wsx_conn *c = l->c;
	struct wsx_sendq_item it;
	size_t out;

	if (!c)
		return;
	while (wsx_sendq_peek(&c->q, &it)) {
		ws_proto_output(&l->p, &out);
		if (!all && out >= LINK_FRAME_AHEAD)
			break;
		if (link_engine_send(l, it.type, it.data, it.len))
			break;
		c->info.msgs_out++;
		c->info.bytes_out += it.len;
		wsx_sendq_advance(&c->q, it.len);
	}
	if (!c->q.count && c->close_wanted && !c->close_sent &&
	    ws_proto_state(&l->p) == WS_STATE_OPEN) {
		const char *why = c->close_reason ? c->close_reason : "";
		size_t n = strlen(why);

		if (ws_proto_close(&l->p, c->close_code, why, n, NULL) &&
		    ws_proto_close(&l->p, 1000, why, n, NULL))
			ws_proto_close(&l->p, 0, NULL, 0, NULL);
		c->close_sent = true;
		conn_result(c)->code = c->close_code;
		snprintf(conn_result(c)->reason, sizeof(conn_result(c)->reason),
			 "%s", why);
		conn_result(c)->by_peer = false;
		wsx_alarm_set(l->loop, &c->al_close, LINK_CLOSE_TIMEOUT_US,
			      link_close_timeout, c);
	}
}

static void
link_close_timeout(void *arg)
{
	struct wsx_conn *c = arg;
	struct wsx_link *l = c->link;

	wsx_debug("peer did not answer our close in time");
	conn_result(c)->timed_out = true;
	if (l)
		link_abort(l);
}

static void
link_ping_tick(void *arg)
{
	struct wsx_conn *c = arg;
	struct wsx_link *l = c->link;
	uint64_t now = wsx_now_us();

	if (!l)
		return;
	if (c->ping_waiting &&
	    now - c->ping_sent_us >= c->lim.ping_timeout_us) {
		snprintf(conn_result(c)->msg, sizeof(conn_result(c)->msg),
			 "no pong within %.1f s: connection dropped",
			 (double)c->lim.ping_timeout_us / 1e6);
		conn_result(c)->code = 1006;
		conn_result(c)->status = WSX_EXIT_CLOSED;
		conn_result(c)->timed_out = true;
		link_abort(l);
		return;
	}
	if (!c->ping_waiting &&
	    !ws_proto_ping(&l->p, NULL, 0, (int64_t)now, NULL)) {
		c->ping_waiting = true;
		c->ping_sent_us = now;
		link_want_write(l);
	}
	wsx_alarm_set(l->loop, &c->al_ping,
		      (c->ping_waiting ? c->lim.ping_timeout_us
				       : c->lim.ping_interval_us),
		      link_ping_tick, c);
}

/* The first offered subprotocol: a server answers any, as Node's ws does. */
static void
link_pick_subprotocol(const struct ws_request *req, struct ws_agreed *a)
{
	const char *s = req->subprotocols, *item;
	size_t n;

	if (!s || a->subprotocol[0])
		return;
	if (ws_http_list_next(&s, s + strlen(s), &item, &n) &&
	    n < sizeof(a->subprotocol)) {
		memcpy(a->subprotocol, item, n);
		a->subprotocol[n] = '\0';
	}
}

static void
link_on_request(struct wsx_link *l, const struct ws_event *ev)
{
	struct wsx_conn *c = l->c;
	const struct ws_http *h = ev->request->http;

	link_pick_subprotocol(ev->request, &ev->answer->agreed);
	conn_set_path(c, ev->request->target);
	conn_set_protocol(c, ev->answer->agreed.subprotocol);
	server_copy_headers(l->server, c, h);
}

static void
link_on_open(struct wsx_link *l, const struct ws_agreed *agreed)
{
	struct wsx_conn *c = l->c;

	wsx_alarm_cancel(&l->al_deadline);
	c->open = true;
	c->info.opened_us = wsx_now_us();
	ws_proto_answer_pings(&l->p, !c->manual_pongs);
	c->info.compressed = agreed->deflate;
	if (c->lim.ping_interval_us)
		wsx_alarm_set(l->loop, &c->al_ping, c->lim.ping_interval_us,
			      link_ping_tick, c);
	conn_start_idle_timer(c);
	link_update_rx(l); /* a pause asked for while connecting */
	if (l->server)
		server_accept(l->server, c);
	else
		conn_set_protocol(c, agreed->subprotocol);
	if (l->c && c->ops && c->ops->on_open)
		c->ops->on_open(c, c->arg);
	link_want_write(l);
}

/*
 * "handshake refused: HTTP 404 Not Found from ws://host/x", then what a
 * person needs next: where a redirect pointed and why it was not
 * followed, how many were, that a 200 is a plain web server. The first
 * line of the answer's body is added when the link ends (link.c).
 */
static void
link_describe_refusal(struct wsx_link *l, const struct ws_event *ev,
		      const char *loc)
{
	struct wsx_conn *c = l->c;
	struct wsx_close *r = conn_result(c);
	char reason[64] = "", url[300], where[320];
	size_t n;

	if (ev->http && ev->http->reason)
		wsx_printable(reason, sizeof(reason), ev->http->reason,
			      strlen(ev->http->reason));
	wsx_printable(url, sizeof(url), c->cc->url, strlen(c->cc->url));
	n = (size_t)snprintf(r->msg, sizeof(r->msg),
			     "handshake refused: HTTP %d%s%s from %s",
			     ev->status, reason[0] ? " " : "", reason, url);
	if (n >= sizeof(r->msg))
		return;
	if (c->cc->redirects)
		n += (size_t)snprintf(r->msg + n, sizeof(r->msg) - n,
				      " after %u redirect%s", c->cc->redirects,
				      c->cc->redirects == 1 ? "" : "s");
	if (n >= sizeof(r->msg))
		return;
	if (loc) {
		wsx_printable(where, sizeof(where), loc, strlen(loc));
		snprintf(r->msg + n, sizeof(r->msg) - n, " to %s%s", where,
			 !client_follows_redirects(c)
				 ? " (-L follows redirects)"
				 : " (too many redirects: see --max-redirs)");
	} else if (ev->status == 200) {
		snprintf(
			r->msg + n, sizeof(r->msg) - n,
			": not a WebSocket endpoint (it answered as to a plain "
			"HTTP request)");
	}
}

/* -v: the server's answer head, as curl shows it */
static void
link_trace_answer(const struct wsx_link *l, const struct ws_http *h)
{
	char line[300];

	if (!l->trace || !h)
		return;
	wsx_printable(line, sizeof(line), h->reason, strlen(h->reason));
	wsx_info("< HTTP/1.%d %d %s", h->minor, h->status, line);
	for (size_t i = 0; i < h->nfields; i++) {
		char name[100], value[300];

		wsx_printable(name, sizeof(name), h->field[i].name,
			      strlen(h->field[i].name));
		wsx_printable(value, sizeof(value), h->field[i].value,
			      strlen(h->field[i].value));
		wsx_info("< %s: %s", name, value);
	}
}

/* -vv: one line per frame */
static void
link_on_frame(void *arg, bool out, int opcode, bool fin, uint64_t len,
	      bool masked)
{
	static const char *const names[16] = {
		"continuation", "text", "binary", "op3",  "op4",  "op5",
		"op6",		"op7",	"close",  "ping", "pong", "op11",
		"op12",		"op13", "op14",	  "op15"
	};
	struct wsx_link *l = arg;

	wsx_debug("%s %s frame %s%s, %llu bytes%s", l->peer, out ? ">" : "<",
		  names[opcode & 15], fin ? ", fin" : "",
		  (unsigned long long)len, masked ? ", masked" : "");
}

void (*link_frame_hook(void))(void *, bool, int, bool, uint64_t, bool)
{
	return wsx_log_level() >= WSX_LOG_DEBUG ? link_on_frame : NULL;
}

/* A client's handshake failed: say why, or follow a redirect (-L). */
static void
link_client_refused(struct wsx_link *l, const struct ws_event *ev)
{
	struct wsx_conn *c = l->c;
	struct wsx_close *r = conn_result(c);
	const char *loc = NULL;

	r->code = 1006;
	link_trace_answer(l, ev->http);
	if (r->status)
		return; /* what went wrong is already said (connect, TLS) */
	if (ev->status && ev->status != 101) {
		r->status = WSX_EXIT_HANDSHAKE;
		r->http_status = ev->status;
		if (ev->http && ev->status >= 300 && ev->status < 400)
			loc = ws_http_get(ev->http, "Location", NULL);
		if (loc) {
			free(c->cc->location);
			c->cc->location = xstrdup(loc);
			if (client_follow_redirect(c, ev->status)) {
				/* c goes on with another link; this one ends */
				l->c = NULL;
				c->link = NULL;
				memset(r, 0, sizeof(*r));
				r->code = 1006;
				return;
			}
		}
		link_describe_refusal(l, ev, loc);
	} else if (l->eof && !ev->status) {
		r->status = WSX_EXIT_CONNECT;
		snprintf(r->msg, sizeof(r->msg),
			 "could not connect to %s: closed before answering "
			 "the handshake",
			 l->peer);
	} else {
		char why[300];

		/* the server's words may hold anything: keep them printable */
		wsx_printable(why, sizeof(why), ev->reason, strlen(ev->reason));
		r->status = WSX_EXIT_CLOSED;
		snprintf(r->msg, sizeof(r->msg), "bad handshake answer: %s",
			 why);
	}
}

void
link_on_event(void *arg, struct ws_event *ev)
{
	struct wsx_link *l = arg;
	struct wsx_conn *c = l->c;
	struct wsx_msg m;
	size_t n;

	if (!c)
		return; /* the owner is gone; the engine finishes alone */
	switch (ev->type) {
	case WS_EV_REQUEST:
		link_on_request(l, ev);
		break;
	case WS_EV_OPEN:
		link_trace_answer(l, ev->http);
		if (l->trace)
			wsx_info("* subprotocol %s, %s",
				 ev->agreed->subprotocol[0]
					 ? ev->agreed->subprotocol
					 : "none",
				 ev->agreed->deflate ? "permessage-deflate"
						     : "no extensions");
		link_on_open(l, ev->agreed);
		break;
	case WS_EV_MESSAGE:
		m.type = ev->msg_type;
		m.data = ev->len ? ev->data : (const unsigned char *)"";
		m.len = ev->len;
		c->info.msgs_in++;
		c->info.bytes_in += m.len;
		if (c->ops && c->ops->on_message)
			c->ops->on_message(c, &m, c->arg);
		break;
	case WS_EV_PING:
		if (c->ops && c->ops->on_ping)
			c->ops->on_ping(c, ev->data, ev->len, c->arg);
		link_want_write(l);
		break;
	case WS_EV_PONG:
		if (c->ops && c->ops->on_pong_payload)
			c->ops->on_pong_payload(c, ev->data, ev->len, c->arg);
		if (ev->ping_time >= 0 && l->c) {
			uint64_t rtt = wsx_now_us() - (uint64_t)ev->ping_time;

			c->ping_waiting = false;
			wsx_debug("pong from %s after %.3f ms", c->info.peer,
				  rtt / 1000.0);
			if (c->ops && c->ops->on_pong)
				c->ops->on_pong(c, rtt, c->arg);
		}
		break;
	case WS_EV_CLOSE:
		/* what was queued before the peer's Close goes out first */
		if (ev->code != 1006)
			link_frame_queued(l, true);
		link_record_close(c, ev->code, ev->data, ev->len);
		link_want_write(l);
		break;
	case WS_EV_FAIL:
		if (!c->open && l->client) {
			link_client_refused(l, ev);
			break;
		}
		if (!c->open) {
			wsx_info("refused %s: %s", l->peer, ev->reason);
			break;
		}
		conn_result(c)->code = ev->code ? ev->code : 1006;
		conn_result(c)->by_peer = false;
		conn_result(c)->status = WSX_EXIT_CLOSED;
		if (ev->code == 1009)
			snprintf(conn_result(c)->msg,
				 sizeof(conn_result(c)->msg),
				 "message larger than --max-message (%zu "
				 "bytes); ",
				 c->lim.max_message);
		else
			snprintf(conn_result(c)->msg,
				 sizeof(conn_result(c)->msg), "%.300s; ",
				 ev->reason);
		n = strlen(conn_result(c)->msg);
		wsx_close_describe(conn_result(c)->msg + n,
				   sizeof(conn_result(c)->msg) - n, "wsx",
				   conn_result(c)->code, "");
		link_want_write(l);
		break;
	}
}

void
link_start_engine(struct wsx_link *l)
{
	struct ws_proto_opts o = { .role = WS_ROLE_SERVER,
				   .server = server_handshake(l->server),
				   .on_event = link_on_event,
				   .arg = l,
				   .on_frame = link_frame_hook() };
	struct wsx_conn *c = conn_new(l->loop, false, server_limits(l->server));

	c->link = l;
	conn_set_peer(c, "%s", l->peer);
	l->c = c;
	o.max_message = c->lim.max_message;
	ws_proto_init(&l->p, &o, NULL); /* a server's init cannot fail */
	l->engine = true;
	l->phase = LINK_WS;
}

/*
 * Bytes for the engine. What it does not take (the owner paused in the
 * middle of them) waits in l->in, in order before anything read later.
 */
void
link_feed(struct wsx_link *l, unsigned char *data, size_t len)
{
	size_t used;

	if (l->in.len) {
		if (len && wsx_buf_append(&l->in, data, len))
			return;
		data = wsx_buf_data(&l->in);
		len = l->in.len;
		used = ws_proto_feed(&l->p, data, len);
		wsx_buf_consume(&l->in, used);
		if (!l->in.len)
			wsx_buf_release(&l->in);
		return;
	}
	used = ws_proto_feed(&l->p, data, len);
	if (used < len)
		wsx_buf_append(&l->in, data + used, len - used);
}

void
link_resume(void *arg)
{
	struct wsx_link *l = arg;

	if (!l->in.len || l->p.hold || l->phase != LINK_WS)
		return;
	link_enter(l);
	link_feed(l, NULL, 0);
	if (l->eof && !l->in.len && !l->dead)
		ws_proto_eof(&l->p); /* the end that came after it */
	link_want_write(l);
	link_leave(l);
}

#define LINK_TRIM_US 1000000 /* quiet this long: buffers go back */

static uint64_t
link_moved(const struct wsx_link *l)
{
	return l->c ? l->c->info.bytes_in + l->c->info.bytes_out : 0;
}

static void
link_trim_tick(void *arg)
{
	struct wsx_link *l = arg;
	uint64_t moved = link_moved(l);

	if (moved != l->trim_mark) {
		l->trim_mark = moved;
		wsx_alarm_set(l->loop, &l->al_trim, LINK_TRIM_US,
			      link_trim_tick, l);
		return;
	}
	ws_proto_trim(&l->p);
}

void
link_watch_buffers(struct wsx_link *l)
{
	if (l->al_trim || !l->engine || !ws_proto_holds_buffers(&l->p))
		return;
	l->trim_mark = link_moved(l);
	wsx_alarm_set(l->loop, &l->al_trim, LINK_TRIM_US, link_trim_tick, l);
}

void
link_flush_ws(struct wsx_link *l)
{
	struct wsx_conn *c = l->c;
	const unsigned char *data;
	size_t len, done;

	link_frame_queued(l, false);
	data = ws_proto_output(&l->p, &len);
	while (len) {
		bool more = link_write(l, data, len, &done);

		ws_proto_consume(&l->p, done);
		if (!more)
			break;
		if (done < len) { /* the peer is gone */
			link_abort(l);
			return;
		}
		link_frame_queued(l, false);
		data = ws_proto_output(&l->p, &len);
	}
	ws_proto_output(&l->p, &len);
	if (!len && ws_proto_tcp(&l->p) == WS_TCP_AWAIT && !l->eof) {
		/* RFC 6455 7.1.1: the server closes TCP first */
		l->phase = LINK_AWAIT;
		link_update_rx(l);
		link_arm_deadline(l, LINK_LINGER_US);
		return;
	}
	if (!len && c && conn_http_status(c) && !l->eof &&
	    !link_body_line_ready(l)) {
		/* a refusal: its body's first line may say why; wait a
		 * moment for it (servers often write it after the head) */
		l->phase = LINK_AWAIT;
		link_update_rx(l);
		link_arm_deadline(l, 300000);
		return;
	}
	if (!len && ws_proto_state(&l->p) == WS_STATE_CLOSED) {
		link_drop(l); /* a server drops TCP first */
		return;
	}
	/*
	 * A client that does not read does not make a server buffer without
	 * end. Clients do not hold: two wsx peers could wait for each other.
	 */
	l->held = !l->client && c && len > c->lim.buffer;
	link_update_rx(l);
	link_watch_buffers(l);
	if (c && c->drain_wanted && wsx_conn_pending(c) <= c->q.budget / 2) {
		c->drain_wanted = false;
		if (c->ops && c->ops->on_drain)
			c->ops->on_drain(c, c->arg);
	}
}

int
link_send(struct wsx_conn *c, enum wsx_msg_type type, const void *data,
	  size_t len)
{
	struct wsx_link *l = c->link;
	size_t out;

	if (ws_proto_state(&l->p) != WS_STATE_OPEN ||
	    wsx_conn_pending(c) >= c->q.budget)
		return -1;
	ws_proto_output(&l->p, &out);
	if (!c->q.count && out < LINK_FRAME_AHEAD) {
		if (link_engine_send(l, type, data, len))
			return -1;
		c->info.msgs_out++;
		c->info.bytes_out += len;
	} else if (wsx_sendq_push(&c->q, type, data, len)) {
		return -1;
	}
	link_want_write(l);
	if (wsx_conn_pending(c) >= c->q.budget) {
		c->drain_wanted = true;
		return 1;
	}
	return 0;
}

size_t
link_pending(const struct wsx_conn *c)
{
	size_t out;

	ws_proto_output(&c->link->p, &out);
	return out;
}

void
link_pause(struct wsx_conn *c)
{
	link_update_rx(c->link);
}

void
link_answer_pings(struct wsx_conn *c)
{
	if (c->link->engine)
		ws_proto_answer_pings(&c->link->p, !c->manual_pongs);
}

int
link_ping(struct wsx_conn *c, const void *data, size_t len)
{
	uint64_t now = wsx_now_us();

	if (ws_proto_ping(&c->link->p, data, len, (int64_t)now, NULL))
		return -1;
	c->ping_waiting = true;
	c->ping_sent_us = now;
	link_want_write(c->link);
	return 0;
}

int
link_pong(struct wsx_conn *c, const void *data, size_t len)
{
	if (ws_proto_pong(&c->link->p, data, len, NULL))
		return -1;
	link_want_write(c->link);
	return 0;
}

void
link_close(struct wsx_conn *c)
{
	struct wsx_link *l = c->link;

	if (!c->open) {
		link_abort(l);
		return;
	}
	link_want_write(l); /* the Close goes out after the queue */
}
