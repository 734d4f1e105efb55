/*
 * A server link before it is a WebSocket: the request head gathered, then
 * handed to the engine (an upgrade that passed the gate) or answered as
 * plain HTTP (files, redirects, errors), after which the link waits for
 * the next request (keep-alive).
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

static void
link_reply_done(struct wsx_link *l)
{
	if (l->http->close_after) {
		link_drop(l);
		return;
	}
	l->phase = LINK_HEAD;
	l->held = false;
	link_update_rx(l);
	link_arm_deadline(l, server_head_timeout_us(l->server));
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
void
link_request(struct wsx_link *l)
{
	size_t end = ws_http_head_end((const char *)wsx_buf_data(&l->in),
				      l->in.len, l->http->head_scan);
	struct server_answer a = { .out = &l->http->out, .file_fd = -1 };
	struct ws_http h;
	const char *why = NULL;
	char *copy;

	if (!end) {
		const char *bad = link_head_implausible(
			wsx_buf_data(&l->in), l->in.len, l->http->head_scan);

		if (bad)
			wsx_info("refused %s: %s", l->peer, bad);
		l->http->head_scan = l->in.len;
		if (bad || l->in.len >= WS_HTTP_MAX_HEAD) {
			http_status_answer(&l->http->out, bad ? 400 : 431, NULL,
					   NULL, true);
			l->http->close_after = true;
			l->phase = LINK_REPLY;
			link_want_write(l);
		}
		return;
	}
	l->http->head_scan = 0;
	copy = xmalloc(end);
	memcpy(copy, wsx_buf_data(&l->in), end);
	if (wsx_log_level() >= WSX_LOG_INFO) {
		char prefix[300];

		/* -v: each request as it came, as curl -v shows its own */
		snprintf(prefix, sizeof(prefix), "%s > ", l->peer);
		link_trace_lines(prefix, copy, end);
	}
	if (ws_http_parse_request(&h, copy, end, &why)) {
		wsx_info("refused %s: %s", l->peer, why);
		http_status_answer(&l->http->out, 400, NULL, NULL, true);
		l->http->close_after = true;
		l->phase = LINK_REPLY;
	} else if (link_wants_websocket(&h) &&
		   server_gate_upgrade(l->server, &h, &a) == 0) {
		size_t n = l->in.len;
		unsigned char *head = xmalloc(n);

		memcpy(head, wsx_buf_data(&l->in), n);
		wsx_buf_release(&l->in);
		free(copy);
		link_http_end(l);
		link_start_engine(l);
		/* the engine parses the head again, and takes what follows */
		wsx_buf_init(&l->in, 0, SIZE_MAX / 2);
		link_feed(l, head, n);
		free(head);
		link_want_write(l);
		return;
	} else if (a.status) {
		l->http->close_after = true; /* the gate refused an upgrade */
		l->phase = LINK_REPLY;
	} else {
		server_http_answer(l->server, &h, l->peer, &a);
		l->http->close_after = a.close;
		l->http->file_fd = a.file_fd;
		l->http->file_left = a.file_size;
		l->phase = LINK_REPLY;
	}
	free(copy);
	wsx_buf_consume(&l->in, end);
	link_want_write(l);
}

void
link_http_end(struct wsx_link *l)
{
	if (!l->http)
		return;
	wsx_buf_release(&l->http->out);
	if (l->http->file_fd >= 0)
		close(l->http->file_fd);
	free(l->http);
	l->http = NULL;
}

void
link_flush_reply(struct wsx_link *l)
{
	size_t done;

	for (;;) {
		if (!l->http->out.len && l->http->file_left &&
		    l->http->file_fd >= 0) {
			size_t want = l->http->file_left < 65536
					      ? l->http->file_left
					      : 65536;
			ssize_t n;

			if (wsx_buf_reserve(&l->http->out, want)) {
				link_abort(l);
				return;
			}
			n = read(l->http->file_fd, wsx_buf_tail(&l->http->out),
				 want);
			if (n <= 0) {
				link_abort(l); /* the file shrank */
				return;
			}
			wsx_buf_commit(&l->http->out, (size_t)n);
			l->http->file_left -= (uint64_t)n;
		}
		if (!l->http->out.len)
			break;
		if (!link_write(l, wsx_buf_data(&l->http->out),
				l->http->out.len, &done)) {
			wsx_buf_consume(&l->http->out, done);
			return;
		}
		if (done < l->http->out.len) {
			link_abort(l);
			return;
		}
		wsx_buf_consume(&l->http->out, done);
	}
	wsx_buf_release(&l->http->out);
	if (l->http->file_fd >= 0) {
		close(l->http->file_fd);
		l->http->file_fd = -1;
	}
	link_reply_done(l);
	if (l->phase == LINK_HEAD && l->in.len)
		link_request(l);
}

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
	l->http = xcalloc(1, sizeof(*l->http));
	l->http->file_fd = -1;
	l->peer = xstrdup(peer);
	l->via = link_no_proxy;
	wsx_buf_init(&l->in, 0, WS_HTTP_MAX_HEAD + LINK_MAX_PENDING_INPUT);
	wsx_buf_init(&l->http->out, 0, SIZE_MAX / 2);
	l->w = wsx_fdw_adopt_socket(loop, fd, link_fdw_ops, l, NULL);
	if (!l->w) {
		wsx_tls_free(l->tls);
		free(l->peer);
		free(l->http);
		free(l);
		return NULL;
	}
	link_arm_deadline(l, server_head_timeout_us(s));
	return l;
}
