/*
 * A client link until the WebSocket handshake starts: the TCP connect's
 * end, a proxy's tunnel (tunnel.c), then TLS to the peer for wss://.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdbool.h>
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

/* Whether peer ("HOST:PORT", "[V6]:PORT") names the host addr. */
static bool
link_peer_is(const char *peer, const char *addr)
{
	size_t n = strlen(addr);

	if (peer[0] == '[')
		return !strncmp(peer + 1, addr, n) && peer[n + 1] == ']';
	return !strncmp(peer, addr, n) && peer[n] == ':';
}

/*
 * -v: where the connection went, with the address a name resolved to, as
 * curl -v says it ("* connected to localhost:8080 (::1)").
 */
static void
link_trace_connected(struct wsx_link *l)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char addr[NI_MAXHOST] = "";

	if (!l->via[0] &&
	    !getpeername(wsx_fdw_fd(l->w), (struct sockaddr *)&sa, &len) &&
	    (sa.ss_family == AF_INET || sa.ss_family == AF_INET6))
		(void)getnameinfo((struct sockaddr *)&sa, len, addr,
				  sizeof(addr), NULL, 0, NI_NUMERICHOST);
	if (link_peer_is(l->peer, addr))
		addr[0] = '\0'; /* the URL gave the address itself */
	wsx_info("* connected to %s%s%s%s%s%s", l->peer, addr[0] ? " (" : "",
		 addr, addr[0] ? ")" : "",
		 l->via[0] ? " through the proxy " : "", l->via);
}

/* The path to the peer is up: TLS to it (wss://), then the WebSocket. */
static void
link_path_open(struct wsx_link *l)
{
	l->phase = LINK_WS;
	if (l->trace)
		link_trace_connected(l);
	if (!l->cl->tls_ctx)
		link_trace_request(l);
	if (l->cl->tls_ctx) {
		l->tls = wsx_tls_new(l->cl->tls_ctx, l->cl->servername);
		if (!l->tls) {
			snprintf(conn_result(l->c)->msg,
				 sizeof(conn_result(l->c)->msg),
				 "cannot start TLS: out of memory");
			conn_result(l->c)->status = WSX_EXIT_TLS;
			link_abort(l);
			return;
		}
	}
	link_want_write(l);
}

void
link_tunnel_end(struct wsx_link *l)
{
	wsx_tunnel_release(l->cl->tunnel);
	free(l->cl->tunnel);
	l->cl->tunnel = NULL;
}

void
link_tunnel_failed(struct wsx_link *l, const struct wsx_err *err)
{
	if (l->c) {
		conn_result(l->c)->status = err->code;
		snprintf(conn_result(l->c)->msg, sizeof(conn_result(l->c)->msg),
			 "%s", err->msg);
	}
	link_abort(l);
}

/* The proxy's answer; once the tunnel is up, what follows is the peer's. */
void
link_tunnel_input(struct wsx_link *l, unsigned char *buf, size_t n)
{
	struct wsx_err err = { 0, "" };
	size_t used = 0;
	bool eof = false;

	switch (wsx_tunnel_feed(l->cl->tunnel, buf, n, &used, &err)) {
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

void
link_flush_tunnel(struct wsx_link *l)
{
	size_t len, done;
	const unsigned char *out = wsx_tunnel_output(l->cl->tunnel, &len);

	if (!len)
		return;
	if (link_write_at(l, 1, out, len, &done) && done < len) {
		link_abort(l);
		return;
	}
	wsx_tunnel_consume(l->cl->tunnel, done);
}

/* The TCP connect ended, one way or the other. */
void
link_connected(struct wsx_link *l)
{
	struct wsx_close *r;
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
		r = conn_result(l->c);
		r->status = WSX_EXIT_CONNECT;
		snprintf(r->msg, sizeof(r->msg),
			 "could not connect to %s%s: %s",
			 l->via[0] ? "the proxy " : "",
			 l->via[0] ? l->via : l->peer,
			 e == ECONNREFUSED || e == EHOSTUNREACH ||
					 e == ENETUNREACH
				 ? "refused or unreachable"
				 : strerror(e));
		link_abort(l);
		return;
	}
	if (l->cl->tunnel)
		l->phase = LINK_TUNNEL;
	else
		link_path_open(l);
	link_want_write(l);
}

static struct wsx_link *
link_client_alloc(void)
{
	struct wsx_link *l = xcalloc(1, sizeof(*l));

	l->cl = xcalloc(1, sizeof(*l->cl));
	return l;
}

int
link_connect(struct wsx_conn *c, int fd, const struct link_client_opts *o,
	     struct wsx_err *err)
{
	struct wsx_link *l = link_client_alloc();
	struct ws_proto_opts po = { .role = WS_ROLE_CLIENT,
				    .client = &l->cl->hs,
				    .max_message = c->lim.max_message,
				    .on_event = link_on_event,
				    .arg = l,
				    .on_frame = link_frame_hook() };

	/* the engine reads the offer again when the answer comes */
	l->cl->hs = *o->hs;
	l->cl->subprotocols =
		xcalloc(o->hs->nsubprotocols + 1, sizeof(*l->cl->subprotocols));
	for (size_t i = 0; i < o->hs->nsubprotocols; i++)
		l->cl->subprotocols[i] = xstrdup(o->hs->subprotocols[i]);
	l->cl->hs.subprotocols = (const char *const *)l->cl->subprotocols;
	if (o->hs->deflate) {
		l->cl->deflate = *o->hs->deflate;
		l->cl->hs.deflate = &l->cl->deflate;
	}

	l->loop = c->loop;
	l->client = true;
	l->trace = o->trace && wsx_log_level() >= WSX_LOG_INFO;
	l->phase = LINK_CONNECTING;
	l->peer = xstrdup(o->peer);
	l->via = xstrdup(o->via ? o->via : "");
	wsx_buf_init(&l->in, 0, SIZE_MAX / 2);
	if (ws_proto_init(&l->p, &po, err)) {
		close(fd);
		link_free(l);
		return -1;
	}
	/* only the offer outlives this call */
	l->cl->hs.host = l->cl->hs.target = l->cl->hs.origin =
		l->cl->hs.headers = NULL;
	l->engine = true;
	if (o->tls) {
		l->cl->tls_ctx = wsx_tls_ctx_ref(o->tls);
		l->cl->servername = xstrdup(o->servername);
	}
	if (o->tunnel) {
		l->cl->tunnel = xcalloc(1, sizeof(*l->cl->tunnel));
		if (wsx_tunnel_start(l->cl->tunnel, o->tunnel, err))
			goto fail;
	}
	if (o->proxy_tls &&
	    !(l->proxy_tls = wsx_tls_new(o->proxy_tls, o->proxy_servername))) {
		wsx_err_set(err, WSX_EXIT_TLS, "cannot start TLS");
		goto fail;
	}
	l->w = wsx_fdw_adopt_socket(l->loop, fd, link_fdw_ops, l, err);
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
