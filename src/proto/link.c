/*
 * A server connection on wsx's own protocol engine (src/ws/) over a socket
 * of our own, watched by fdwatch: bytes read here go to the engine, whose
 * events become the wsx_conn callbacks, and what the engine has to send is
 * written from here, batched per turn of the loop.
 *
 * Before it is a WebSocket a connection is HTTP: the request head is
 * gathered here, then handed to the engine (an upgrade that passed the
 * gate) or answered as plain HTTP (files, redirects, errors), after which
 * the connection waits for the next request (keep-alive).
 *
 * Ending. The server drops TCP first (RFC 6455 7.1.1), but gently: after
 * its last bytes it shuts its side down and reads, discarding, until the
 * peer closes too or a short linger ends. Closing with unread input would
 * make the kernel send a reset, which can destroy our last frames in the
 * peer's buffers before it reads them. The wsx_conn ends (on_close) when
 * the WebSocket does; the socket may linger a little after it.
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
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Bytes read per call, into the loop's buffer. */
#define LINK_READ_BYTES (256 * 1024)
/* Queued messages are framed into the engine's output up to this. */
#define LINK_FRAME_AHEAD (256 * 1024)
/* After our side is shut down, wait this long for the peer's. */
#define LINK_LINGER_US (2 * 1000000)
#define LINK_CLOSE_TIMEOUT_US (5 * 1000000)
/* Pipelined HTTP requests held while an answer goes out. */
#define LINK_MAX_PENDING_INPUT (2 * WS_HTTP_MAX_HEAD)

static void link_flush(struct wsx_link *l);
static void link_tunnel_end(struct wsx_link *l);
static void link_tunnel_failed(struct wsx_link *l, const struct wsx_err *err);
static int link_send_tls(struct wsx_link *l, int layer);
static void link_resume(lws_sorted_usec_list_t *sul);
static void link_drop(struct wsx_link *l);
static void link_close_timeout(lws_sorted_usec_list_t *sul);

static unsigned char *
link_rx_buffer(struct wsx_loop *loop)
{
	if (!loop->rx_buf)
		loop->rx_buf = xmalloc(LINK_READ_BYTES);
	return loop->rx_buf;
}

static void
link_want_write(struct wsx_link *l)
{
	if (l->w)
		wsx_fdw_want_write(l->w);
}

static void
link_update_rx(struct wsx_link *l)
{
	bool owner = l->c && l->c->rx_paused;
	/* a pause holds messages back, not the handshake's answer */
	bool pause = l->held || l->eof || (owner && l->c->open);

	if (l->phase == LINK_LINGER || l->phase == LINK_AWAIT)
		pause = l->eof;
	if (l->engine && l->p.hold != owner) {
		/* messages stop at once, not at the end of what was read */
		ws_proto_hold(&l->p, owner);
		if (!owner && l->in.len)
			lws_sul_schedule(l->loop->ctx, 0, &l->sul_resume,
					 link_resume, 1);
	}
	if (pause != l->paused && l->w) {
		l->paused = pause;
		wsx_fdw_pause(l->w, pause);
	}
}

void
link_list_add(struct wsx_link **head, struct wsx_link *l)
{
	l->prev = NULL;
	l->next = *head;
	if (*head)
		(*head)->prev = l;
	*head = l;
}

void
link_list_remove(struct wsx_link **head, struct wsx_link *l)
{
	if (l->prev)
		l->prev->next = l->next;
	else if (*head == l)
		*head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	l->next = l->prev = NULL;
}

void
link_free(struct wsx_link *l)
{
	if (l->busy) {
		l->dead = true;
		return;
	}
	lws_sul_cancel(&l->sul_deadline);
	lws_sul_cancel(&l->sul_resume);
	if (l->c) {
		l->c->link = NULL;
		l->c->ops = NULL;
		conn_free(l->c);
	}
	if (l->server)
		server_unlink(l->server, l);
	else
		link_list_remove(&l->loop->links, l);
	if (l->engine)
		ws_proto_release(&l->p);
	wsx_buf_release(&l->in);
	wsx_buf_release(&l->out);
	if (l->file_fd >= 0)
		close(l->file_fd);
	wsx_tls_free(l->tls);
	wsx_tls_free(l->proxy_tls);
	wsx_tls_ctx_free(l->tls_ctx);
	free(l->servername);
	for (size_t i = 0; i < l->hs.nsubprotocols; i++)
		free(l->subprotocols[i]);
	free(l->subprotocols);
	if (l->tunnel)
		link_tunnel_end(l);
	wsx_fdw_free(l->w);
	free(l);
}

void
link_forget_conn(struct wsx_link *l)
{
	l->c = NULL;
	link_free(l);
}

/* The WebSocket is over: tell the owner, and let the socket go its way. */
static void
link_finish_conn(struct wsx_link *l)
{
	struct wsx_conn *c = l->c;

	if (!c)
		return;
	l->c = NULL;
	c->link = NULL;
	lws_sul_cancel(&c->sul_close);
	if (c->result.status)
		conn_finish(c); /* a failure that said what it was */
	else
		conn_closed(c);
}

/* End at once, no goodbye: timeouts, a peer gone, a socket error. */
static void
link_abort(struct wsx_link *l)
{
	if (l->engine)
		ws_proto_eof(&l->p); /* CLOSE 1006 for the owner, if open */
	link_finish_conn(l);
	link_free(l);
}

static void
link_deadline(lws_sorted_usec_list_t *sul)
{
	struct wsx_link *l =
		lws_container_of(sul, struct wsx_link, sul_deadline);

	if (l->phase == LINK_HEAD && l->in.len)
		wsx_info("dropped %s: its request took longer than "
			 "--handshake-timeout",
			 l->peer);
	if (l->client && l->c && !l->c->open) {
		struct wsx_close *r = &l->c->result;

		r->status = WSX_EXIT_CONNECT;
		r->timed_out = true;
		if (l->phase == LINK_TUNNEL)
			snprintf(r->msg, sizeof(r->msg),
				 "could not connect to %.200s: the proxy %.200s "
				 "did not open a tunnel in time",
				 l->peer, l->via);
		else
			snprintf(r->msg, sizeof(r->msg),
				 "could not connect to %s%s: timed out",
				 l->phase == LINK_CONNECTING && l->via[0]
					 ? "the proxy "
					 : "",
				 l->phase == LINK_CONNECTING && l->via[0]
					 ? l->via
					 : l->peer);
	}
	link_abort(l);
}

static void
link_arm_deadline(struct wsx_link *l, uint64_t usec)
{
	lws_sul_schedule(l->loop->ctx, 0, &l->sul_deadline, link_deadline,
			 (lws_usec_t)usec);
}

/* Our last bytes are out: shut our side, read until the peer's ends. */
static void
link_drop(struct wsx_link *l)
{
	link_finish_conn(l);
	if (l->phase == LINK_LINGER)
		return;
	l->phase = LINK_LINGER;
	if (l->tls && wsx_tls_established(l->tls)) {
		wsx_tls_close(l->tls); /* close_notify, if the socket takes it */
		link_send_tls(l, 2);
	}
	if (!l->w || wsx_fdw_fd(l->w) < 0 ||
	    shutdown(wsx_fdw_fd(l->w), SHUT_WR)) {
		link_free(l);
		return;
	}
	link_update_rx(l);
	link_arm_deadline(l, LINK_LINGER_US);
}

static void
link_enter(struct wsx_link *l)
{
	l->busy++;
}

/* Leave a callback; false when l was freed meanwhile. */
static bool
link_leave(struct wsx_link *l)
{
	if (--l->busy || !l->dead)
		return true;
	l->dead = false;
	link_free(l);
	return false;
}

/* ---- the WebSocket ---- */

static void
link_record_close(struct wsx_conn *c, int code, const unsigned char *reason,
		  size_t len)
{
	struct wsx_close *r = &c->result;

	if (code == 1006) {
		if (!c->close_sent)
			r->code = 1006;
		return;
	}
	if (code == 1005)
		code = 1000; /* no code given: a normal close */
	if (c->close_sent && (code == 1000 || code == 1001))
		return; /* the answer to ours */
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
		size_t n = strlen(c->close_reason);

		if (ws_proto_close(&l->p, c->close_code, c->close_reason, n,
				   NULL) &&
		    ws_proto_close(&l->p, 1000, c->close_reason, n, NULL))
			ws_proto_close(&l->p, 0, NULL, 0, NULL);
		c->close_sent = true;
		c->result.code = c->close_code;
		snprintf(c->result.reason, sizeof(c->result.reason), "%s",
			 c->close_reason);
		c->result.by_peer = false;
		lws_sul_schedule(l->loop->ctx, 0, &c->sul_close,
				 link_close_timeout, LINK_CLOSE_TIMEOUT_US);
	}
}

static void
link_close_timeout(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c = lws_container_of(sul, struct wsx_conn, sul_close);
	struct wsx_link *l = c->link;

	wsx_debug("peer did not answer our close in time");
	c->result.timed_out = true;
	if (l)
		link_abort(l);
}

static void
link_ping_tick(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c = lws_container_of(sul, struct wsx_conn, sul_ping);
	struct wsx_link *l = c->link;
	uint64_t now = wsx_now_us();

	if (!l)
		return;
	if (c->ping_waiting &&
	    now - c->ping_sent_us >= c->lim.ping_timeout_us) {
		snprintf(c->result.msg, sizeof(c->result.msg),
			 "no pong within %.1f s: connection dropped",
			 (double)c->lim.ping_timeout_us / 1e6);
		c->result.code = 1006;
		c->result.status = WSX_EXIT_CLOSED;
		c->result.timed_out = true;
		link_abort(l);
		return;
	}
	if (!c->ping_waiting && !ws_proto_ping(&l->p, NULL, 0, (int64_t)now,
					       NULL)) {
		c->ping_waiting = true;
		c->ping_sent_us = now;
		link_want_write(l);
	}
	lws_sul_schedule(l->loop->ctx, 0, &c->sul_ping, link_ping_tick,
			 (lws_usec_t)(c->ping_waiting
					      ? c->lim.ping_timeout_us
					      : c->lim.ping_interval_us));
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
	free(c->info.path);
	c->info.path = xstrdup(ev->request->target);
	snprintf(c->info.protocol, sizeof(c->info.protocol), "%.*s",
		 (int)sizeof(c->info.protocol) - 1,
		 ev->answer->agreed.subprotocol);
	server_copy_headers(l->server, c, h);
}

static void
link_on_open(struct wsx_link *l)
{
	struct wsx_conn *c = l->c;

	lws_sul_cancel(&l->sul_deadline);
	c->open = true;
	c->info.opened_us = wsx_now_us();
	ws_proto_answer_pings(&l->p, !c->manual_pongs);
	if (c->lim.ping_interval_us)
		lws_sul_schedule(l->loop->ctx, 0, &c->sul_ping, link_ping_tick,
				 (lws_usec_t)c->lim.ping_interval_us);
	conn_start_idle_timer(c);
	link_update_rx(l); /* a pause asked for while connecting */
	if (l->server)
		server_accept(l->server, c);
	else
		snprintf(c->info.protocol, sizeof(c->info.protocol), "%.*s",
			 (int)sizeof(c->info.protocol) - 1,
			 l->p.agreed.subprotocol);
	if (l->c && c->ops && c->ops->on_open)
		c->ops->on_open(c, c->arg);
	link_want_write(l);
}

/* A client's handshake failed: say why, or follow a redirect (-L). */
static void
link_client_refused(struct wsx_link *l, const struct ws_event *ev)
{
	struct wsx_conn *c = l->c;
	struct wsx_close *r = &c->result;
	const char *loc = NULL;

	r->code = 1006;
	if (r->status)
		return; /* what went wrong is already said (connect, TLS) */
	if (ev->status && ev->status != 101) {
		r->status = WSX_EXIT_HANDSHAKE;
		r->http_status = ev->status;
		if (ev->http && ev->status >= 300 && ev->status < 400)
			loc = ws_http_get(ev->http, "Location", NULL);
		if (loc) {
			free(c->location);
			c->location = xstrdup(loc);
			if (client_follow_redirect(c, ev->status)) {
				/* c goes on with another link; this one ends */
				l->c = NULL;
				c->link = NULL;
				memset(r, 0, sizeof(*r));
				r->code = 1006;
				return;
			}
		}
		snprintf(r->msg, sizeof(r->msg), "handshake refused: HTTP %d",
			 ev->status);
		if (loc)
			snprintf(r->msg + strlen(r->msg),
				 sizeof(r->msg) - strlen(r->msg),
				 " to %.300s%s", loc,
				 c->redirects ? " (too many redirects: see "
						"--max-redirs)"
					      : " (-L follows redirects)");
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

static void
link_on_event(void *arg, struct ws_event *ev)
{
	struct wsx_link *l = arg;
	struct wsx_conn *c = l->c;
	struct wsx_msg m;

	if (!c)
		return; /* the owner is gone; the engine finishes alone */
	switch (ev->type) {
	case WS_EV_REQUEST:
		link_on_request(l, ev);
		break;
	case WS_EV_OPEN:
		link_on_open(l);
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
		c->result.code = ev->code ? ev->code : 1006;
		c->result.by_peer = false;
		c->result.status = WSX_EXIT_CLOSED;
		if (ev->code == 1009)
			snprintf(c->result.msg, sizeof(c->result.msg),
				 "message larger than --max-message (%zu "
				 "bytes); closed with 1009",
				 c->lim.max_message);
		else
			snprintf(c->result.msg, sizeof(c->result.msg),
				 "%s; closed with %d", ev->reason,
				 c->result.code);
		link_want_write(l);
		break;
	}
}

static void
link_start_engine(struct wsx_link *l)
{
	struct ws_proto_opts o = { .role = WS_ROLE_SERVER,
				   .server = server_handshake(l->server),
				   .on_event = link_on_event,
				   .arg = l };
	struct wsx_conn *c = conn_new(l->loop, false, server_limits(l->server));

	c->link = l;
	snprintf(c->info.peer, sizeof(c->info.peer), "%s", l->peer);
	l->c = c;
	o.max_message = c->lim.max_message;
	ws_proto_init(&l->p, &o, NULL); /* a server's init cannot fail */
	l->engine = true;
	l->phase = LINK_WS;
}

/* ---- plain HTTP ---- */

static void
link_reply_done(struct wsx_link *l)
{
	if (l->close_after) {
		link_drop(l);
		return;
	}
	l->phase = LINK_HEAD;
	l->held = false;
	link_update_rx(l);
	link_arm_deadline(l, server_head_timeout_us(l->server));
}

static void link_input(struct wsx_link *l, unsigned char *data, size_t len);

/*
 * Bytes for the engine. What it does not take (the owner paused in the
 * middle of them) waits in l->in, in order before anything read later.
 */
static void
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

static void
link_resume(lws_sorted_usec_list_t *sul)
{
	struct wsx_link *l = lws_container_of(sul, struct wsx_link, sul_resume);

	if (!l->in.len || l->p.hold || l->phase != LINK_WS)
		return;
	link_enter(l);
	link_feed(l, NULL, 0);
	if (l->eof && !l->in.len && !l->dead)
		ws_proto_eof(&l->p); /* the end that came after it */
	link_want_write(l);
	link_leave(l);
}

/*
 * Whether what arrived so far can begin an HTTP request: a method (a
 * token) and a space first, no control characters anywhere. Anything else
 * (a TLS hello on a plain port, a stray binary protocol) gets its 400 at
 * once rather than after the handshake timeout.
 */
static const char *
link_head_implausible(const unsigned char *d, size_t len, size_t from)
{
	if (len && d[0] == 0x16)
		return "a TLS handshake on a plain ws:// port";
	for (size_t i = 0; i < len && d[i] != ' '; i++)
		if (!ws_http_is_token((const char *)d + i, 1))
			return "not an HTTP request";
	for (size_t i = from; i < len; i++)
		if ((d[i] < 0x20 && d[i] != '\r' && d[i] != '\n' &&
		     d[i] != '\t') ||
		    d[i] == 0x7f)
			return "not an HTTP request";
	return NULL;
}

/*
 * An attempt at a WebSocket, right or wrong: the engine checks it and
 * answers what is wrong with it (400, 405, 426), where a plain HTTP
 * request would only be told to upgrade.
 */
static bool
link_wants_websocket(const struct ws_http *h)
{
	return ws_http_has_token(h, "Upgrade", "websocket") ||
	       ws_http_get(h, "Sec-WebSocket-Key", NULL) ||
	       ws_http_get(h, "Sec-WebSocket-Version", NULL);
}

/* The head that arrived: an upgrade for the engine, or plain HTTP. */
static void
link_request(struct wsx_link *l)
{
	size_t end = ws_http_head_end((const char *)wsx_buf_data(&l->in),
				      l->in.len, l->head_scan);
	struct server_answer a = { .out = &l->out, .file_fd = -1 };
	struct ws_http h;
	const char *why = NULL;
	char *copy;

	if (!end) {
		const char *bad = link_head_implausible(
			wsx_buf_data(&l->in), l->in.len, l->head_scan);

		if (bad)
			wsx_info("refused %s: %s", l->peer, bad);
		l->head_scan = l->in.len;
		if (bad || l->in.len >= WS_HTTP_MAX_HEAD) {
			http_status_answer(&l->out, bad ? 400 : 431, NULL,
					   NULL, true);
			l->close_after = true;
			l->phase = LINK_REPLY;
			link_want_write(l);
		}
		return;
	}
	l->head_scan = 0;
	copy = xmalloc(end);
	memcpy(copy, wsx_buf_data(&l->in), end);
	if (ws_http_parse_request(&h, copy, end, &why)) {
		wsx_info("refused %s: %s", l->peer, why);
		http_status_answer(&l->out, 400, NULL, NULL, true);
		l->close_after = true;
		l->phase = LINK_REPLY;
	} else if (link_wants_websocket(&h) &&
		   server_gate_upgrade(l->server, &h, &a) == 0) {
		size_t n = l->in.len;
		unsigned char *head = xmalloc(n);

		memcpy(head, wsx_buf_data(&l->in), n);
		wsx_buf_release(&l->in);
		free(copy);
		link_start_engine(l);
		/* the engine parses the head again, and takes what follows */
		wsx_buf_init(&l->in, 0, SIZE_MAX / 2);
		link_feed(l, head, n);
		free(head);
		link_want_write(l);
		return;
	} else if (a.status) {
		l->close_after = true; /* the gate refused an upgrade */
		l->phase = LINK_REPLY;
	} else {
		server_http_answer(l->server, &h, l->peer, &a);
		l->close_after = a.close;
		l->file_fd = a.file_fd;
		l->file_left = a.file_size;
		l->phase = LINK_REPLY;
	}
	free(copy);
	wsx_buf_consume(&l->in, end);
	link_want_write(l);
}

static void
link_input(struct wsx_link *l, unsigned char *data, size_t len)
{
	switch (l->phase) {
	case LINK_HEAD:
	case LINK_REPLY:
		if (wsx_buf_append(&l->in, data, len)) {
			link_abort(l);
			return;
		}
		if (l->phase == LINK_HEAD)
			link_request(l);
		else if (l->in.len >= WS_HTTP_MAX_HEAD) {
			l->held = true; /* pipelined: wait for the answer */
			link_update_rx(l);
		}
		break;
	case LINK_WS:
		link_feed(l, data, len);
		link_want_write(l);
		break;
	case LINK_LINGER:
	case LINK_AWAIT:
	case LINK_CONNECTING:
	case LINK_TUNNEL:
		break; /* nothing more is wanted */
	}
}

/* ---- the socket ---- */

/*
 * The layers, from the WebSocket down: 2 is TLS to the peer (wss://), 1
 * TLS to an https:// proxy, 0 the socket. A layer without a session passes
 * bytes straight down.
 */
static struct wsx_tls *
link_layer(const struct wsx_link *l, int layer)
{
	return layer == 2 ? l->tls : layer == 1 ? l->proxy_tls : NULL;
}

static void link_fail_tls(struct wsx_link *l, struct wsx_tls *t);

/* Bytes to the socket as they are; false when it is full for now. */
static bool
link_write_socket(struct wsx_link *l, const unsigned char *data, size_t len,
		  size_t *done)
{
	*done = 0;
	while (*done < len) {
		ssize_t n = wsx_fdw_write(l->w, data + *done, len - *done);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				link_want_write(l);
				return false;
			}
			return true; /* an error: the caller sees it undone */
		}
		*done += (size_t)n;
	}
	return true;
}

static bool link_write_at(struct wsx_link *l, int layer,
			  const unsigned char *data, size_t len, size_t *done);

/* A layer's records, down: 1 all sent, 0 the socket is full, -1 failed. */
static int
link_send_tls(struct wsx_link *l, int layer)
{
	struct wsx_tls *t = link_layer(l, layer);
	size_t len, done;
	const unsigned char *out;
	bool more;

	if (!t)
		return 1;
	out = wsx_tls_output(t, &len);
	more = link_write_at(l, layer - 1, out, len, &done);
	wsx_tls_consume(t, done);
	if (!more)
		return 0;
	return done == len ? 1 : -1;
}

/*
 * Bytes into a layer. *done says how many were taken; false when the
 * socket is full (a writable callback will come) or the TLS handshake has
 * to happen first (input will come); true otherwise, and then done < len
 * means the connection failed.
 */
static bool
link_write_at(struct wsx_link *l, int layer, const unsigned char *data,
	      size_t len, size_t *done)
{
	struct wsx_tls *t;

	while (layer > 0 && !link_layer(l, layer))
		layer--;
	if (!layer)
		return link_write_socket(l, data, len, done);
	t = link_layer(l, layer);
	*done = 0;
	for (;;) {
		int sent = link_send_tls(l, layer);
		long m;

		if (sent <= 0)
			return sent < 0;
		if (*done == len)
			return true;
		m = wsx_tls_write(t, data + *done, len - *done);
		if (m < 0)
			return true;
		if (!m)
			return false;
		*done += (size_t)m;
	}
}

static bool
link_write(struct wsx_link *l, const unsigned char *data, size_t len,
	   size_t *done)
{
	return link_write_at(l, 2, data, len, done);
}

static void link_tunnel_input(struct wsx_link *l, unsigned char *buf,
			      size_t n);

/* Plaintext of the peer's stream (below TLS to the peer). */
static void
link_stream_input(struct wsx_link *l, unsigned char *buf, size_t n, bool *eof)
{
	long m;

	if (l->phase == LINK_TUNNEL) {
		link_tunnel_input(l, buf, n);
		return;
	}
	if (!l->tls) {
		link_input(l, buf, n);
		return;
	}
	if (wsx_tls_feed(l->tls, buf, n) < 0) {
		link_fail_tls(l, l->tls);
		return;
	}
	/* the plaintext goes where the ciphertext was: that was copied */
	while ((m = wsx_tls_read(l->tls, buf, LINK_READ_BYTES, eof)) > 0 &&
	       !l->dead)
		link_input(l, buf, (size_t)m);
	if (m < 0 && !l->dead)
		link_fail_tls(l, l->tls);
	else if (!l->dead)
		link_want_write(l); /* the handshake's own records */
}

/* Bytes from the socket. */
static void
link_socket_input(struct wsx_link *l, unsigned char *buf, size_t n, bool *eof)
{
	long m;

	if (!l->proxy_tls) {
		link_stream_input(l, buf, n, eof);
		return;
	}
	if (wsx_tls_feed(l->proxy_tls, buf, n) < 0) {
		link_fail_tls(l, l->proxy_tls);
		return;
	}
	while ((m = wsx_tls_read(l->proxy_tls, buf, LINK_READ_BYTES, eof)) >
		       0 &&
	       !l->dead)
		link_stream_input(l, buf, (size_t)m, eof);
	if (m < 0 && !l->dead)
		link_fail_tls(l, l->proxy_tls);
	else if (!l->dead)
		link_want_write(l);
}

static void
link_fail_tls(struct wsx_link *l, struct wsx_tls *t)
{
	const char *why = wsx_tls_error(t);

	if (!why)
		why = "TLS failed";
	if (l->client && l->c && !l->c->open && t == l->proxy_tls) {
		/* --cacert is the peer's: the proxy is checked against the
		 * system's CAs, so the module's hint does not apply */
		l->c->result.status = WSX_EXIT_TLS;
		snprintf(l->c->result.msg, sizeof(l->c->result.msg),
			 "the proxy %s: %.*s (a proxy's certificate is checked "
			 "against the system's CAs; -k skips the check)",
			 l->via, (int)strcspn(why, "("), why);
		l->c->result.msg[strcspn(l->c->result.msg, "\n")] = '\0';
	} else if (l->client && l->c && !l->c->open) {
		l->c->result.status = WSX_EXIT_TLS;
		snprintf(l->c->result.msg, sizeof(l->c->result.msg), "%s",
			 why);
	} else {
		wsx_info("%s %s: %s", l->server ? "refused" : "dropped",
			 l->peer, why);
	}
	link_send_tls(l, t == l->tls ? 2 : 1); /* the alert, if it goes */
	link_abort(l);
}

static void link_connected(struct wsx_link *l);

static void
link_readable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_link *l = arg;
	unsigned char *buf = link_rx_buffer(l->loop);
	ssize_t n;
	bool eof = false;

	if (l->phase == LINK_CONNECTING) {
		/* a refusal shows up as readable too: ask before reading */
		link_enter(l);
		link_connected(l);
		link_leave(l);
		return;
	}
	n = fd < 0 ? 0 : wsx_fdw_read(w, buf, LINK_READ_BYTES);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	link_enter(l);
	if (n > 0)
		link_socket_input(l, buf, (size_t)n, &eof);
	if (l->dead || (n > 0 && !eof)) {
		link_leave(l);
		return;
	}
	if (l->phase == LINK_AWAIT) {
		link_finish_conn(l); /* the server closed: a clean end */
		link_free(l);
	} else if (n < 0 || l->phase == LINK_HEAD ||
		   l->phase == LINK_LINGER || l->phase == LINK_TUNNEL) {
		/* an error, or the end where nothing waits */
		if (l->phase == LINK_TUNNEL) {
			struct wsx_err err = { WSX_EXIT_CONNECT, "" };

			wsx_tunnel_eof(l->tunnel, &err);
			link_tunnel_failed(l, &err);
		} else {
			link_abort(l);
		}
	} else {
		/* the peer sent all it will: finish what goes out, then end */
		l->eof = true;
		l->close_after = true;
		link_update_rx(l);
		/* input the owner held back comes before the end */
		if (l->phase == LINK_WS && !l->in.len)
			ws_proto_eof(&l->p);
		link_flush(l);
	}
	link_leave(l);
}

static void
link_flush_reply(struct wsx_link *l)
{
	size_t done;

	for (;;) {
		if (!l->out.len && l->file_left && l->file_fd >= 0) {
			size_t want = l->file_left < 65536 ? l->file_left
							   : 65536;
			ssize_t n;

			if (wsx_buf_reserve(&l->out, want)) {
				link_abort(l);
				return;
			}
			n = read(l->file_fd, wsx_buf_tail(&l->out), want);
			if (n <= 0) {
				link_abort(l); /* the file shrank */
				return;
			}
			wsx_buf_commit(&l->out, (size_t)n);
			l->file_left -= (uint64_t)n;
		}
		if (!l->out.len)
			break;
		if (!link_write(l, wsx_buf_data(&l->out), l->out.len, &done)) {
			wsx_buf_consume(&l->out, done);
			return;
		}
		if (done < l->out.len) {
			link_abort(l);
			return;
		}
		wsx_buf_consume(&l->out, done);
	}
	wsx_buf_release(&l->out);
	if (l->file_fd >= 0) {
		close(l->file_fd);
		l->file_fd = -1;
	}
	link_reply_done(l);
	if (l->phase == LINK_HEAD && l->in.len)
		link_request(l);
}

static void
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
	if (c && c->drain_wanted && wsx_conn_pending(c) <= c->q.budget / 2) {
		c->drain_wanted = false;
		if (c->ops && c->ops->on_drain)
			c->ops->on_drain(c, c->arg);
	}
}

static void link_flush_tunnel(struct wsx_link *l);

static void
link_flush(struct wsx_link *l)
{
	link_enter(l);
	if (l->phase == LINK_CONNECTING) {
		link_connected(l);
		link_leave(l);
		return;
	}
	/* records of the TLS layers' own (handshakes) go first */
	for (int layer = 1; layer <= 2 && l->phase != LINK_LINGER; layer++) {
		int sent = link_send_tls(l, layer);

		if (sent < 0)
			link_abort(l);
		if (sent <= 0) {
			link_leave(l);
			return;
		}
	}
	if (l->phase == LINK_TUNNEL)
		link_flush_tunnel(l);
	else if (l->phase == LINK_REPLY)
		link_flush_reply(l);
	else if (l->phase == LINK_WS)
		link_flush_ws(l);
	link_leave(l);
}

static void
link_writable(struct wsx_fdw *w, int fd, void *arg)
{
	(void)w;
	(void)fd;
	link_flush(arg);
}

static const struct wsx_fdw_ops link_fdw_ops = {
	.on_readable = link_readable,
	.on_writable = link_writable,
};

struct wsx_link *
link_accept(struct wsx_server *s, struct wsx_loop *loop, int fd,
	    const char *peer, struct wsx_tls_ctx *tls)
{
	struct wsx_link *l = xcalloc(1, sizeof(*l));

	if (tls && !(l->tls = wsx_tls_new(tls, NULL))) {
		close(fd);
		free(l);
		return NULL;
	}
	l->server = s;
	l->loop = loop;
	l->phase = LINK_HEAD;
	l->file_fd = -1;
	snprintf(l->peer, sizeof(l->peer), "%s", peer);
	wsx_buf_init(&l->in, 0, WS_HTTP_MAX_HEAD + LINK_MAX_PENDING_INPUT);
	wsx_buf_init(&l->out, 0, SIZE_MAX / 2);
	l->w = wsx_fdw_adopt_socket(loop, fd, &link_fdw_ops, l, NULL);
	if (!l->w) {
		wsx_tls_free(l->tls);
		free(l);
		return NULL;
	}
	link_arm_deadline(l, server_head_timeout_us(s));
	return l;
}

/* ---- clients ---- */

/* The path to the peer is up: TLS to it (wss://), then the WebSocket. */
static void
link_path_open(struct wsx_link *l)
{
	l->phase = LINK_WS;
	if (l->tls_ctx) {
		l->tls = wsx_tls_new(l->tls_ctx, l->servername);
		if (!l->tls) {
			snprintf(l->c->result.msg, sizeof(l->c->result.msg),
				 "cannot start TLS: out of memory");
			l->c->result.status = WSX_EXIT_TLS;
			link_abort(l);
			return;
		}
	}
	link_want_write(l);
}

static void
link_tunnel_end(struct wsx_link *l)
{
	wsx_tunnel_release(l->tunnel);
	free(l->tunnel);
	l->tunnel = NULL;
}

static void
link_tunnel_failed(struct wsx_link *l, const struct wsx_err *err)
{
	if (l->c) {
		l->c->result.status = err->code;
		snprintf(l->c->result.msg, sizeof(l->c->result.msg), "%s",
			 err->msg);
	}
	link_abort(l);
}

/* The proxy's answer; once the tunnel is up, what follows is the peer's. */
static void
link_tunnel_input(struct wsx_link *l, unsigned char *buf, size_t n)
{
	struct wsx_err err = { 0, "" };
	size_t used = 0;
	bool eof = false;

	switch (wsx_tunnel_feed(l->tunnel, buf, n, &used, &err)) {
	case WSX_TUNNEL_FAILED:
		link_tunnel_failed(l, &err);
		return;
	case WSX_TUNNEL_MORE:
		link_want_write(l);
		return;
	default:
		break;
	}
	link_tunnel_end(l);
	link_path_open(l);
	if (!l->dead && used < n)
		link_stream_input(l, buf + used, n - used, &eof);
}

static void
link_flush_tunnel(struct wsx_link *l)
{
	size_t len, done;
	const unsigned char *out = wsx_tunnel_output(l->tunnel, &len);

	if (!len)
		return;
	if (link_write_at(l, 1, out, len, &done) && done < len) {
		link_abort(l);
		return;
	}
	wsx_tunnel_consume(l->tunnel, done);
}

/* The TCP connect ended, one way or the other. */
static void
link_connected(struct wsx_link *l)
{
	struct wsx_close *r = &l->c->result;
	int fd = wsx_fdw_fd(l->w), e = 0;
	socklen_t len = sizeof(e);
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);

	if (fd < 0)
		e = ECONNREFUSED; /* the socket hung up before anything */
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len))
		e = errno;
	if (!e && getpeername(fd, (struct sockaddr *)&ss, &sslen)) {
		link_want_write(l); /* not yet */
		return;
	}
	if (e) {
		r->status = WSX_EXIT_CONNECT;
		snprintf(r->msg, sizeof(r->msg), "could not connect to %s%s: %s",
			 l->via[0] ? "the proxy " : "",
			 l->via[0] ? l->via : l->peer,
			 e == ECONNREFUSED || e == EHOSTUNREACH ||
					 e == ENETUNREACH
				 ? "refused or unreachable"
				 : strerror(e));
		link_abort(l);
		return;
	}
	if (l->tunnel)
		l->phase = LINK_TUNNEL;
	else
		link_path_open(l);
	link_want_write(l);
}

int
link_connect(struct wsx_conn *c, int fd, const struct link_client_opts *o,
	     struct wsx_err *err)
{
	struct wsx_link *l = xcalloc(1, sizeof(*l));
	struct ws_proto_opts po = { .role = WS_ROLE_CLIENT,
				    .client = &l->hs,
				    .max_message = c->lim.max_message,
				    .on_event = link_on_event,
				    .arg = l };

	/* the engine reads the offer again when the answer comes */
	l->hs = *o->hs;
	l->subprotocols = xcalloc(o->hs->nsubprotocols + 1,
				  sizeof(*l->subprotocols));
	for (size_t i = 0; i < o->hs->nsubprotocols; i++)
		l->subprotocols[i] = xstrdup(o->hs->subprotocols[i]);
	l->hs.subprotocols = (const char *const *)l->subprotocols;
	if (o->hs->deflate) {
		l->deflate = *o->hs->deflate;
		l->hs.deflate = &l->deflate;
	}

	l->loop = c->loop;
	l->client = true;
	l->file_fd = -1;
	l->phase = LINK_CONNECTING;
	snprintf(l->peer, sizeof(l->peer), "%s", o->peer);
	snprintf(l->via, sizeof(l->via), "%s", o->via ? o->via : "");
	wsx_buf_init(&l->in, 0, SIZE_MAX / 2);
	wsx_buf_init(&l->out, 0, SIZE_MAX / 2);
	if (ws_proto_init(&l->p, &po, err)) {
		close(fd);
		link_free(l);
		return -1;
	}
	/* only the offer outlives this call */
	l->hs.host = l->hs.target = l->hs.origin = l->hs.headers = NULL;
	l->engine = true;
	if (o->tls) {
		l->tls_ctx = wsx_tls_ctx_ref(o->tls);
		l->servername = xstrdup(o->servername);
	}
	if (o->tunnel) {
		l->tunnel = xcalloc(1, sizeof(*l->tunnel));
		if (wsx_tunnel_start(l->tunnel, o->tunnel, err))
			goto fail;
	}
	if (o->proxy_tls &&
	    !(l->proxy_tls = wsx_tls_new(o->proxy_tls, o->proxy_servername))) {
		wsx_err_set(err, WSX_EXIT_TLS, "cannot start TLS");
		goto fail;
	}
	l->w = wsx_fdw_adopt_socket(l->loop, fd, &link_fdw_ops, l, err);
	fd = -1;
	if (!l->w)
		goto fail;
	l->c = c;
	c->link = l;
	link_list_add(&l->loop->links, l);
	link_arm_deadline(l, o->connect_timeout_us);
	link_want_write(l); /* the connect's end */
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	l->w = NULL;
	link_free(l);
	return -1;
}

/* ---- what conn.c hands over for connections on the engine ---- */

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
