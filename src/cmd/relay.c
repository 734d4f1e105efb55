/*
 * wsx relay A B: joins two endpoints (see relay/spec.h): a websockify
 * (ws-l: to tcp:), a WebSocket service exposed to TCP tools (tcp-l: to
 * ws://), a WebSocket proxy that can log and record every message, and any
 * other pairing of WebSockets, sockets, programs and stdio. A listening side
 * gets a new upstream for each client it accepts.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/relay.h"
#include "io/net.h"
#include "proto/client.h"
#include "proto/fdwatch.h"
#include "proto/server.h"
#include "relay/ep_exec.h"
#include "relay/ep_stream.h"
#include "relay/ep_ws.h"
#include "relay/relay.h"
#include "relay/spec.h"
#include "util/log.h"
#include "util/url.h"

struct relay {
	const struct relay_setup *set;
	struct wsx_loop *loop;
	struct wsx_client *client;
	struct wsx_server *server; /* ws-l:, wss-l: */
	int lfd;		   /* tcp-l:, unix-l: */
	struct wsx_fdw *lw;
	const char *unlink_path; /* unix-l: made by us */
	struct wsx_procs *procs;
	struct wsx_tap *tap;
	struct wsx_pairs pairs;
	struct wsx_timer *grace;
	int pending_fd; /* --connect-first: upstream socket for the next one */
	int status;
	bool interrupted, shutting_down;
};

/* --- opening a side ------------------------------------------------------ */

/* --forward-header: the client's "Name: value" lines that were asked for */
static size_t
relay_pick_headers(const struct relay *r, struct wsx_conn *c, const char **out,
		   size_t max)
{
	const struct wsx_conn_info *i = wsx_conn_info(c);
	const struct relay_opts *o = &r->set->opts;
	size_t n = 0;

	for (size_t h = 0; h < i->n_headers; h++)
		for (size_t k = 0; k < o->n_headers && n < max; k++) {
			size_t len = strlen(o->headers[k]);

			if (!strncasecmp(i->headers[h], o->headers[k], len) &&
			    i->headers[h][len] == ':')
				out[n++] = i->headers[h];
		}
	return n;
}

/* The side for spec s; a is the client it is for (NULL: none yet). */
static struct wsx_ep *
relay_open(struct relay *r, const struct wsx_spec *s, struct wsx_ep *a,
	   struct wsx_err *err)
{
	struct wsx_conn *c = a && a->messages ? wsx_ep_ws_conn(a) : NULL;
	const char *headers[32];
	struct wsx_client_extra x = { .headers = headers };
	struct wsx_ep *e = NULL;
	char peer[300];
	char *url;
	int fd;

	switch (s->kind) {
	case WSX_SPEC_WS:
		if (c) {
			x.n_headers = relay_pick_headers(r, c, headers, 32);
			x.protocols = wsx_conn_info(c)->protocol;
		}
		url = relay_setup_url(r->set, s, a ? a->path : NULL);
		e = wsx_ep_ws_connect(r->client, url, &x, &r->set->lim, err);
		free(url);
		return e;
	case WSX_SPEC_TCP:
	case WSX_SPEC_UNIX:
		if (r->pending_fd >= 0) {
			fd = r->pending_fd;
			r->pending_fd = -1;
		} else {
			fd = s->kind == WSX_SPEC_TCP
				     ? wsx_net_connect_tcp(s->host, s->port,
							   err)
				     : wsx_net_connect_unix(s->path, err);
			if (fd < 0)
				return NULL;
		}
		if (s->kind == WSX_SPEC_TCP)
			snprintf(peer, sizeof(peer),
				 strchr(s->host, ':') ? "[%s]:%u" : "%s:%u",
				 s->host, s->port);
		else
			snprintf(peer, sizeof(peer), "%s", s->path);
		return wsx_ep_socket_new(r->loop, fd, true, peer,
					 &r->set->sopts, err);
	case WSX_SPEC_EXEC:
		return wsx_ep_exec_new(r->loop, r->procs, s->argv, NULL,
				       r->set->opts.grace_us, &r->set->sopts,
				       err);
	case WSX_SPEC_STDIO:
		return wsx_ep_stdio_new(r->loop, &r->set->sopts, err);
	default:
		wsx_err_set(err, WSX_EXIT_USAGE, "'%s' cannot be opened",
			    s->text);
		return NULL;
	}
}

/* --- pairs -----------------------------------------------------------------
 */

static bool
relay_listens(const struct relay *r)
{
	return r->server || r->lw;
}

static void
relay_pair_done(struct wsx_pair *p, int status, const char *msg, void *arg)
{
	struct relay *r = arg;

	if (!relay_listens(r)) {
		if (!r->interrupted) {
			r->status = status;
			if (status && *msg)
				wsx_error("%s", msg);
		}
		wsx_loop_stop(r->loop);
		return;
	}
	/* a server goes on: say why a client's relay failed */
	if (status >= WSX_EXIT_CONNECT && status <= WSX_EXIT_TLS)
		wsx_notice("#%lu: %s", wsx_pair_id(p), msg);
	else if (status && *msg)
		wsx_info("#%lu: %s", wsx_pair_id(p), msg);
	if (r->shutting_down && r->pairs.count <= 1)
		wsx_loop_stop(r->loop);
}

static void
relay_join(struct relay *r, struct wsx_ep *a, struct wsx_ep *b)
{
	struct wsx_pair_opts o = { .tap = r->tap };

	wsx_pair_new(r->loop, &r->pairs, a, b, &o, relay_pair_done, r);
}

/* A listener accepted side A: open upstream and join them. */
static void
relay_accepted(struct relay *r, struct wsx_ep *a)
{
	struct wsx_err err;
	const struct wsx_spec *up = &r->set->spec[1];
	struct wsx_ep *b = relay_open(r, up, a, &err);

	/* the pair closes a with 1011 and reports why */
	if (!b)
		b = wsx_ep_failed_new(r->loop, up->text, &err);
	relay_join(r, a, b);
}

static void
relay_ws_accept(struct wsx_server *s, struct wsx_conn *c, void *arg)
{
	(void)s;
	relay_accepted(arg, wsx_ep_ws_accepted(c, NULL, NULL));
}

/* --connect-first: an upstream socket now, or 502 */
static int
relay_ws_upgrade(struct wsx_server *s, void *arg)
{
	struct relay *r = arg;
	const struct wsx_spec *up = &r->set->spec[1];
	uint64_t timeout = r->set->client.connect_timeout_us;
	struct wsx_err err;
	struct wsx_url u;
	char peer[300];
	int fd = -1;

	(void)s;
	if (!r->set->opts.connect_first)
		return 0;
	if (r->pending_fd >= 0) { /* the last one's handshake failed */
		close(r->pending_fd);
		r->pending_fd = -1;
	}
	if (up->kind == WSX_SPEC_TCP) {
		snprintf(peer, sizeof(peer), "%s:%u", up->host, up->port);
		fd = wsx_net_connect_tcp(up->host, up->port, &err);
	} else if (up->kind == WSX_SPEC_UNIX) {
		snprintf(peer, sizeof(peer), "%s", up->path);
		fd = wsx_net_connect_unix(up->path, &err);
	} else if (up->kind == WSX_SPEC_WS &&
		   !wsx_url_parse(&u, up->url, NULL)) {
		/* a WebSocket upstream: see that it takes connections */
		snprintf(peer, sizeof(peer), "%s:%u", u.host, u.port);
		fd = wsx_net_connect_tcp(u.host, u.port, &err);
	} else {
		return 0;
	}
	if (fd < 0 || wsx_net_connect_wait(fd, peer, timeout, &err)) {
		if (fd >= 0)
			close(fd);
		wsx_notice("refused a client with 502: %s", err.msg);
		return 502;
	}
	if (up->kind == WSX_SPEC_WS)
		close(fd);
	else
		r->pending_fd = fd;
	return 0;
}

static const struct wsx_server_ops relay_server_ops = {
	.on_accept = relay_ws_accept,
	.on_upgrade = relay_ws_upgrade,
};

static void
relay_socket_accept(struct wsx_fdw *w, int fd, void *arg)
{
	struct relay *r = arg;
	struct wsx_err err;
	char peer[300];
	int cfd;

	(void)w;
	(void)fd;
	while (!r->shutting_down &&
	       (cfd = wsx_net_accept(r->lfd, peer, sizeof(peer))) >= 0) {
		struct wsx_ep *a = wsx_ep_socket_new(r->loop, cfd, false, peer,
						     &r->set->sopts, &err);

		if (!a) {
			wsx_notice("%s", err.msg);
			continue;
		}
		relay_accepted(r, a);
	}
}

static const struct wsx_fdw_ops relay_listen_ops = {
	.on_readable = relay_socket_accept,
};

/* --- the command ------------------------------------------------------------
 */

static void
relay_grace_over(void *arg)
{
	struct relay *r = arg;

	wsx_info("%zu relays did not close in time", r->pairs.count);
	wsx_loop_stop(r->loop);
}

/* Leaving with relays unfinished (signals, grace over): say what is lost. */
static void
relay_report_unwritten(const struct relay *r)
{
	size_t unwritten = wsx_pairs_pending(&r->pairs);

	if (unwritten)
		wsx_error("%zu bytes were not written", unwritten);
}

static void
relay_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct relay *r = arg;

	(void)signo;
	if (r->shutting_down || !r->pairs.count) {
		wsx_loop_stop(loop); /* a second signal, or nothing to close */
		return;
	}
	r->shutting_down = true;
	if (!relay_listens(r)) {
		r->interrupted = true;
		r->status = WSX_EXIT_INTERRUPTED;
	} else {
		wsx_info("shutting down");
		if (r->server)
			wsx_server_stop_accepting(r->server);
	}
	wsx_pairs_close_all(&r->pairs, 1001,
			    r->interrupted ? "interrupted"
					   : "relay shutting down");
	wsx_timer_arm(r->grace, r->set->opts.grace_us
					? 2 * r->set->opts.grace_us
					: RELAY_DEFAULT_GRACE_US);
}

/* Listen on spec[0]; announce where, like serve does. */
static int
relay_listen(struct relay *r, struct wsx_err *err)
{
	const struct relay_opts *o = &r->set->opts;
	const struct wsx_spec *s = &r->set->spec[0];
	struct wsx_server_opts server = r->set->server;
	unsigned port;

	if (s->kind == WSX_SPEC_WS_LISTEN) {
		server.host = s->host;
		server.port = s->port;
		r->server = wsx_server_new(r->loop, &server, &r->set->lim,
					   &relay_server_ops, r, err);
		if (!r->server)
			return -1;
		for (size_t i = 0; i < o->n_headers; i++)
			wsx_server_keep_header(r->server, o->headers[i]);
		wsx_notice("listening on %s", wsx_server_url(r->server));
		return 0;
	}
	if (s->kind == WSX_SPEC_TCP_LISTEN)
		r->lfd = wsx_net_listen_tcp(s->host, s->port, false, &port, err);
	else
		r->lfd = wsx_net_listen_unix(s->path, err);
	if (r->lfd < 0)
		return -1;
	r->lw = wsx_fdw_new(r->loop, r->lfd, true, &relay_listen_ops, r, err);
	if (!r->lw)
		return -1;
	wsx_fdw_pause(r->lw, false);
	if (s->kind == WSX_SPEC_UNIX_LISTEN) {
		r->unlink_path = s->path;
		wsx_notice("listening on unix:%s", s->path);
	} else {
		wsx_notice(strchr(s->host, ':') ? "listening on tcp://[%s]:%u"
						: "listening on tcp://%s:%u",
			   s->host, port);
	}
	return 0;
}

/* Open both sides and join them, or listen on spec[0]. */
static int
relay_open_sides(struct relay *r, struct wsx_err *err)
{
	struct wsx_ep *a, *b;

	if (relay_setup_listens(r->set))
		return relay_listen(r, err);
	a = relay_open(r, &r->set->spec[0], NULL, err);
	if (!a)
		return -1;
	b = relay_open(r, &r->set->spec[1], NULL, err);
	if (!b) {
		wsx_ep_free(a);
		return -1;
	}
	relay_join(r, a, b);
	return 0;
}

/* Everything the relay needs, then the sides; -1 with err if one fails. */
static int
relay_start(struct relay *r, struct wsx_err *err)
{
	const struct relay_opts *o = &r->set->opts;

	if (o->log || o->record) {
		r->tap = wsx_tap_new(o->log, o->record, err);
		if (!r->tap)
			return -1;
	}
	signal(SIGHUP, SIG_IGN);
	r->loop = wsx_loop_new(err);
	if (!r->loop)
		return -1;
	wsx_loop_on_signal(r->loop, relay_signal, r);
	r->grace = wsx_timer_new(r->loop, relay_grace_over, r);
	r->procs = wsx_procs_new();
	r->client = wsx_client_new(r->loop, &r->set->client, err);
	if (!r->client)
		return -1;
	return relay_open_sides(r, err);
}

static void
relay_release(struct relay *r)
{
	wsx_pairs_free_all(&r->pairs);
	wsx_fdw_free(r->lw);
	if (r->lfd >= 0)
		close(r->lfd);
	if (r->pending_fd >= 0)
		close(r->pending_fd);
	if (r->unlink_path)
		unlink(r->unlink_path);
	wsx_server_free(r->server);
	wsx_client_free(r->client);
	wsx_timer_free(r->grace);
	wsx_loop_free(r->loop);
	wsx_procs_free(r->procs);
	wsx_tap_free(r->tap);
}

static int
relay_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct relay_setup set;
	struct relay r = { .set = &set, .lfd = -1, .pending_fd = -1 };
	struct wsx_err err;
	int status = WSX_EXIT_OK;

	relay_setup_init(&set);
	if (relay_setup_parse(&set, argc, argv, &err) < 0) {
		status = cmd_usage(cmd, "%s", err.msg);
	} else if (!cmd_common_done(cmd, &set.common)) {
		if (relay_start(&r, &err)) {
			status = cmd_fail(cmd, &err);
		} else {
			wsx_loop_run(r.loop);
			relay_report_unwritten(&r);
			status = r.status;
		}
	}
	relay_release(&r);
	relay_setup_release(&set);
	return status;
}

const struct wsx_cmd cmd_relay = {
	.name = "relay",
	.args = "[options] A B",
	.summary =
		"join two endpoints: WebSockets, TCP, unix sockets, programs",
	.description =
		"Pass messages both ways between endpoints A and B, each one of:\n"
		"  ws://H[:P]/PATH wss://...  ws+unix:SOCK   a WebSocket client\n"
		"  ws-l:[H:]P  wss-l:[H:]P    accept WebSocket clients\n"
		"  tcp:H:P  tcp-l:[H:]P       a TCP client / listener\n"
		"  unix:PATH  unix-l:PATH     a unix socket client / listener\n"
		"  exec:PROG ARGS  sh:CMD     a program's stdin and stdout\n"
		"  -                          stdin and stdout\n"
		"A listener gets its own B for each client. Byte streams are framed\n"
		"--raw (--lines where a side is '-'); WebSocket sides keep message\n"
		"types, pongs and close codes. Listeners bind 127.0.0.1 unless told.",
	.examples =
		"  wsx relay ws-l:8080 tcp:127.0.0.1:5432      # websockify\n"
		"  wsx relay tcp-l:9000 wss://example.org/tunnel\n"
		"  wsx relay --log ws-l:8080 ws://127.0.0.1:9000/\n"
		"  wsx relay ws-l:8080 sh:'exec ./bot.py'\n"
		"  wsx relay - ws://127.0.0.1:8080/           # same as wsx pipe\n",
	.groups = relay_groups,
	.run = relay_run,
};
