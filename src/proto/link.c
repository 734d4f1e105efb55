/*
 * Connections on wsx's own protocol engine (src/ws/) over sockets of our
 * own, watched by fdwatch: their life (ending, lingering, freeing), and
 * their bytes through the layers, socket, TLS to an https:// proxy, TLS to
 * the peer, read and written batched per turn of the loop. What the bytes
 * mean is link_ws.c's (the WebSocket), link_http.c's (a server's plain
 * HTTP) and link_client.c's (connecting: TCP, a proxy's tunnel).
 *
 * Ending. A server drops TCP first (RFC 6455 7.1.1), but gently: after its
 * last bytes it shuts its side down and reads, discarding, until the peer
 * closes too or a short linger ends. Closing with unread input would make
 * the kernel send a reset, which can destroy our last frames in the peer's
 * buffers before it reads them. A client after a clean close waits for
 * the server to close TCP. The wsx_conn ends (on_close) when the WebSocket
 * does; the socket may linger a little after it.
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

static int link_send_tls(struct wsx_link *l, int layer);
static void link_fail_tls(struct wsx_link *l, struct wsx_tls *t);
static void link_flush(struct wsx_link *l);

static const struct wsx_fdw_ops link_fdw_ops_impl;

const struct wsx_fdw_ops *const link_fdw_ops = &link_fdw_ops_impl;

static unsigned char *
link_rx_buffer(struct wsx_loop *loop)
{
	if (!loop->rx_buf)
		loop->rx_buf = xmalloc(LINK_READ_BYTES);
	return loop->rx_buf;
}

void
link_want_write(struct wsx_link *l)
{
	if (l->w)
		wsx_fdw_want_write(l->w);
}

void
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
			wsx_alarm_set(l->loop, &l->al_resume, 1, link_resume,
				      l);
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

char link_no_proxy[1];

void
link_free(struct wsx_link *l)
{
	if (l->busy) {
		l->dead = true;
		return;
	}
	wsx_alarm_cancel(&l->al_deadline);
	wsx_alarm_cancel(&l->al_resume);
	wsx_alarm_cancel(&l->al_trim);
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
	link_http_end(l);
	wsx_tls_free(l->tls);
	wsx_tls_free(l->proxy_tls);
	free(l->peer);
	if (l->via != link_no_proxy)
		free(l->via);
	if (l->cl) {
		wsx_tls_ctx_free(l->cl->tls_ctx);
		free(l->cl->servername);
		for (size_t i = 0; i < l->cl->hs.nsubprotocols; i++)
			free(l->cl->subprotocols[i]);
		free(l->cl->subprotocols);
		if (l->cl->tunnel)
			link_tunnel_end(l);
		free(l->cl);
	}
	wsx_fdw_free(l->w);
	free(l);
}

void
link_forget_conn(struct wsx_link *l)
{
	l->c = NULL;
	link_free(l);
}

/* -v: text shown line by line, each behind prefix ("> ", "< ", "* ") */
void
link_trace_lines(const char *prefix, const char *text, size_t len)
{
	char line[300];

	while (len) {
		size_t n = 0, skip;

		while (n < len && text[n] != '\n' && text[n] != '\r')
			n++;
		skip = n;
		while (skip < len &&
		       (text[skip] == '\r' || text[skip] == '\n') &&
		       skip - n < 2)
			skip++;
		wsx_printable(line, sizeof(line), text, n);
		if (n)
			wsx_info("%s%s", prefix, line);
		text += skip;
		len -= skip;
	}
}

/* -v: the request as it goes out, once the path (and TLS) is up */
void
link_trace_request(struct wsx_link *l)
{
	const unsigned char *out;
	size_t len, end;

	if (!l->trace || l->traced_head)
		return;
	l->traced_head = true;
	out = ws_proto_output(&l->p, &len);
	end = out ? ws_http_head_end((const char *)out, len, 0) : 0;
	link_trace_lines("> ", (const char *)out, end ? end : len);
}

/* -v: the TLS session, as curl shows it */
static void
link_trace_tls(struct wsx_link *l)
{
	char text[1024];

	if (!l->trace || l->traced_tls || !wsx_tls_established(l->tls))
		return;
	l->traced_tls = true;
	if (wsx_tls_describe(l->tls, text, sizeof(text)) > 0)
		link_trace_lines("* ", text, strlen(text));
	link_trace_request(l);
}

/* Whether l->in holds a whole first line of a refusal's body. */
bool
link_body_line_ready(const struct wsx_link *l)
{
	return l->in.len >= 150 ||
	       (l->in.len && memchr(wsx_buf_data(&l->in), '\n', l->in.len));
}

/*
 * A refused handshake's body, when it is text, often says why (a proxy's
 * or a framework's error page): its first line goes on the message,
 * unless it only repeats the status.
 */
static void
link_add_body_line(struct wsx_conn *c, const unsigned char *body, size_t len)
{
	struct wsx_close *r = conn_result(c);
	char line[160], status[16];
	size_t n = 0, used = strlen(r->msg);

	while (n < len && n < 150 && body[n] != '\n' && body[n] != '\r')
		n++;
	for (size_t i = 0; i < n; i++)
		if (body[i] < 0x20 && body[i] != '\t')
			return; /* not text */
	if (!n || !wsx_utf8_valid(body, n))
		return;
	wsx_printable(line, sizeof(line), body, n);
	snprintf(status, sizeof(status), "%d", r->http_status);
	if (!strncmp(line, status, strlen(status)) ||
	    strstr(r->msg, line)) /* "404 Not Found" again */
		return;
	snprintf(r->msg + used, sizeof(r->msg) - used,
		 " (the answer says: '%s%s')", line, n == 150 ? "..." : "");
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
	wsx_alarm_cancel(&c->al_close);
	if (l->client && conn_http_status(c) && l->in.len)
		link_add_body_line(c, wsx_buf_data(&l->in), l->in.len);
	if (conn_status(c))
		conn_finish(c); /* a failure that said what it was */
	else
		conn_closed(c);
}

/* End at once, no goodbye: timeouts, a peer gone, a socket error. */
void
link_abort(struct wsx_link *l)
{
	if (l->engine)
		ws_proto_eof(&l->p); /* CLOSE 1006 for the owner, if open */
	link_finish_conn(l);
	link_free(l);
}

static void
link_deadline(void *arg)
{
	struct wsx_link *l = arg;

	if (l->phase == LINK_HEAD && l->in.len)
		wsx_info("dropped %s: its request took longer than "
			 "--handshake-timeout",
			 l->peer);
	if (l->client && l->c && !l->c->open && !conn_status(l->c)) {
		struct wsx_close *r = conn_result(l->c);

		r->status = WSX_EXIT_CONNECT;
		r->timed_out = true;
		if (l->phase == LINK_TUNNEL)
			snprintf(
				r->msg, sizeof(r->msg),
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

void
link_arm_deadline(struct wsx_link *l, uint64_t usec)
{
	wsx_alarm_set(l->loop, &l->al_deadline, usec, link_deadline, l);
}

/* Our last bytes are out: shut our side, read until the peer's ends. */
void
link_drop(struct wsx_link *l)
{
	link_finish_conn(l);
	if (l->phase == LINK_LINGER)
		return;
	l->phase = LINK_LINGER;
	if (l->tls && wsx_tls_established(l->tls)) {
		wsx_tls_close(
			l->tls); /* close_notify, if the socket takes it */
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

void
link_enter(struct wsx_link *l)
{
	l->busy++;
}

/* Leave a callback; false when l was freed meanwhile. */
bool
link_leave(struct wsx_link *l)
{
	if (--l->busy || !l->dead)
		return true;
	l->dead = false;
	link_free(l);
	return false;
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
	case LINK_AWAIT:
		if (l->c && conn_http_status(l->c)) {
			/* a refused client gathers the body's first line */
			if (l->in.len < 512)
				wsx_buf_append(&l->in, data,
					       len < 512 - l->in.len
						       ? len
						       : 512 - l->in.len);
			if (link_body_line_ready(l))
				link_abort(l);
		}
		break;
	case LINK_LINGER:
	case LINK_CONNECTING:
	case LINK_TUNNEL:
		break; /* nothing more is wanted */
	}
}

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
bool
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

bool
link_write(struct wsx_link *l, const unsigned char *data, size_t len,
	   size_t *done)
{
	return link_write_at(l, 2, data, len, done);
}

/* Plaintext of the peer's stream (below TLS to the peer). */
void
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
	       !l->dead) {
		link_trace_tls(l);
		link_input(l, buf, (size_t)m);
	}
	if (m == 0 && !l->dead)
		link_trace_tls(l);
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
		conn_result(l->c)->status = WSX_EXIT_TLS;
		snprintf(conn_result(l->c)->msg, sizeof(conn_result(l->c)->msg),
			 "the proxy %s: %.*s (a proxy's certificate is checked "
			 "against the system's CAs; -k skips the check)",
			 l->via, (int)strcspn(why, "("), why);
		conn_result(l->c)->msg[strcspn(conn_result(l->c)->msg, "\n")] =
			'\0';
	} else if (l->client && l->c && !l->c->open) {
		conn_result(l->c)->status = WSX_EXIT_TLS;
		snprintf(conn_result(l->c)->msg, sizeof(conn_result(l->c)->msg),
			 "%s", why);
	} else {
		wsx_info("%s %s: %s", l->server ? "refused" : "dropped",
			 l->peer, why);
	}
	link_send_tls(l, t == l->tls ? 2 : 1); /* the alert, if it goes */
	link_abort(l);
}

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
	if (n > 0 && l->c && l->c->stamp_reads)
		l->c->read_ns = wsx_now_ns();
	if (n > 0)
		link_socket_input(l, buf, (size_t)n, &eof);
	if (l->dead || (n > 0 && !eof)) {
		link_leave(l);
		return;
	}
	if (l->phase == LINK_AWAIT) {
		link_finish_conn(l); /* the server closed: a clean end */
		link_free(l);
	} else if (n < 0 || l->phase == LINK_HEAD || l->phase == LINK_LINGER ||
		   l->phase == LINK_TUNNEL) {
		/* an error, or the end where nothing waits */
		if (l->phase == LINK_TUNNEL) {
			struct wsx_err err = { WSX_EXIT_CONNECT, "" };

			wsx_tunnel_eof(l->cl->tunnel, &err);
			link_tunnel_failed(l, &err);
		} else {
			link_abort(l);
		}
	} else {
		/* the peer sent all it will: finish what goes out, then end */
		l->eof = true;
		if (l->http)
			l->http->close_after = true;
		link_update_rx(l);
		/* input the owner held back comes before the end */
		if (l->phase == LINK_WS && !l->in.len)
			ws_proto_eof(&l->p);
		link_flush(l);
	}
	link_leave(l);
}

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

static const struct wsx_fdw_ops link_fdw_ops_impl = {
	.on_readable = link_readable,
	.on_writable = link_writable,
};
