/*
 * wsx serve: quick WebSocket servers. --echo (the default) sends every
 * message back with its type and exact bytes.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "proto/conn.h"
#include "proto/server.h"
#include "serve/broadcast.h"
#include "serve/echo.h"
#include "util/clock.h"
#include "util/log.h"

#define SERVE_GRACE_US (2 * 1000000)

enum { OPT_BROADCAST = WSX_OPTKEY_CMD, OPT_ECHO_SELF, OPT_SLOW };

struct serve_opts {
	bool echo, broadcast, echo_self;
	enum wsx_slow slow;
};

struct serve {
	struct wsx_loop *loop;
	struct wsx_server *server;
	struct wsx_broadcast *bc; /* --broadcast */
	struct wsx_timer *grace;
	bool shutting_down;
};

static const struct wsx_opt serve_optv[] = {
	{ 'e', "echo", NULL,
	  "send every message back to its sender (default)" },
	{ OPT_BROADCAST, "broadcast", NULL,
	  "each message to the others in its room (URL path)" },
	{ OPT_ECHO_SELF, "echo-self", NULL, "broadcast to the sender too" },
	{ OPT_SLOW, "slow", "close|drop",
	  "full queue: close with 1008 (default), drop oldest" },
	{ 0 },
};

static int
serve_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	      struct wsx_err *err)
{
	struct serve_opts *o = target;

	switch (opt->key) {
	case 'e':
		o->echo = true;
		break;
	case OPT_BROADCAST:
		o->broadcast = true;
		break;
	case OPT_ECHO_SELF:
		o->echo_self = true;
		break;
	case OPT_SLOW:
		if (!strcmp(arg, "close"))
			o->slow = WSX_SLOW_CLOSE;
		else if (!strcmp(arg, "drop"))
			o->slow = WSX_SLOW_DROP;
		else
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"--slow: '%.40s' is not close or drop", arg);
		break;
	}
	return 0;
}

static const struct wsx_optgroup serve_group = {
	.title = "Serve options",
	.opts = serve_optv,
	.set = serve_opt_set,
};

static void
serve_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct serve *sv = arg;
	const struct wsx_conn_info *i = wsx_conn_info(c);

	if (sv->bc)
		wsx_broadcast_leave(sv->bc, c);
	wsx_info(
		"close %s %s: %d%s, %.3f s, in %llu msgs %llu bytes, out %llu msgs %llu bytes",
		i->peer, i->path, cl->code, cl->by_peer ? " from client" : "",
		(double)(wsx_now_us() - i->opened_us) / 1e6,
		(unsigned long long)i->msgs_in, (unsigned long long)i->bytes_in,
		(unsigned long long)i->msgs_out,
		(unsigned long long)i->bytes_out);
	if (cl->status && cl->msg[0])
		wsx_debug("%s: %s", i->peer, cl->msg);
	/* the server forgets c before this call, so the count is current */
	if (sv->shutting_down && !wsx_server_count(sv->server))
		wsx_loop_stop(sv->loop);
}

static const struct wsx_conn_ops echo_ops = {
	.on_message = wsx_echo_message,
	.on_drain = wsx_echo_drain,
	.on_close = serve_close,
};

static void
broadcast_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct serve *sv = arg;

	wsx_broadcast_message(sv->bc, c, m);
}

/* no on_drain: a slow receiver never slows its sender (see broadcast.h) */
static const struct wsx_conn_ops broadcast_ops = {
	.on_message = broadcast_message,
	.on_close = serve_close,
};

static void
serve_accept(struct wsx_server *s, struct wsx_conn *c, void *arg)
{
	const struct wsx_conn_info *i = wsx_conn_info(c);
	struct serve *sv = arg;

	(void)s;
	wsx_info("open %s %s", i->peer, i->path);
	if (sv->bc) {
		wsx_broadcast_join(sv->bc, c);
		wsx_conn_set_ops(c, &broadcast_ops, arg);
		return;
	}
	wsx_conn_set_ops(c, &echo_ops, arg);
}

static const struct wsx_server_ops serve_ops = {
	.on_accept = serve_accept,
};

static void
serve_grace_over(void *arg)
{
	struct serve *sv = arg;

	wsx_info("%zu clients did not close in time",
		 wsx_server_count(sv->server));
	wsx_loop_stop(sv->loop);
}

static void
serve_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct serve *sv = arg;

	(void)signo;
	if (sv->shutting_down) {
		wsx_loop_stop(loop);
		return;
	}
	sv->shutting_down = true;
	wsx_info("shutting down");
	wsx_server_stop_accepting(sv->server);
	if (!wsx_server_count(sv->server)) {
		wsx_loop_stop(loop);
		return;
	}
	wsx_server_close_all(sv->server, 1001, "server shutting down");
	wsx_timer_arm(sv->grace, SERVE_GRACE_US);
}

static int
serve_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct serve_opts opts = { 0 };
	struct wsx_server_opts server;
	struct wsx_conn_limits lim;
	void *const targets[] = { &opts, &server, &lim, &common };
	struct serve sv = { 0 };
	struct wsx_err err;
	int first, status = WSX_EXIT_OK;

	wsx_server_opts_init(&server);
	wsx_conn_limits_init(&lim);
	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (first != argc) {
		status =
			cmd_usage(cmd, "unexpected argument '%s'", argv[first]);
		goto out;
	}
	if (opts.echo && opts.broadcast) {
		status = cmd_usage(cmd,
				   "--echo and --broadcast do not go together");
		goto out;
	}
	if ((opts.echo_self || opts.slow) && !opts.broadcast) {
		status = cmd_usage(
			cmd, "--echo-self and --slow go with --broadcast");
		goto out;
	}

	/* no surprise exit when the terminal goes away (nohup, ssh) */
	signal(SIGHUP, SIG_IGN);
	sv.loop = wsx_loop_new(&err);
	if (!sv.loop) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
	wsx_loop_on_signal(sv.loop, serve_signal, &sv);
	sv.grace = wsx_timer_new(sv.loop, serve_grace_over, &sv);
	if (opts.broadcast)
		sv.bc = wsx_broadcast_new(opts.echo_self, opts.slow);
	sv.server =
		wsx_server_new(sv.loop, &server, &lim, &serve_ops, &sv, &err);
	if (!sv.server) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
	wsx_notice("listening on %s", wsx_server_url(sv.server));
	wsx_loop_run(sv.loop);
out:
	wsx_timer_free(sv.grace);
	wsx_server_free(sv.server);
	wsx_broadcast_free(sv.bc);
	wsx_loop_free(sv.loop);
	wsx_server_opts_release(&server);
	return status;
}

static const struct wsx_optgroup *const serve_groups[] = {
	&serve_group,
	&wsx_server_optgroup,
	&wsx_conn_optgroup,
	&cmd_common_group,
	NULL,
};

const struct wsx_cmd cmd_serve = {
	.name = "serve",
	.args = "[options]",
	.summary = "run an echo or broadcast WebSocket server",
	.description =
		"Listen for WebSocket clients and echo every message back with its type\n"
		"and exact bytes, or (--broadcast) send it to every other client in\n"
		"its room. Binds 127.0.0.1:8080 unless told otherwise; prints\n"
		"\"listening on ws://HOST:PORT\" on stderr once ready. SIGINT or SIGTERM\n"
		"closes every client with 1001 and exits 0.",
	.examples =
		"  wsx serve\n"
		"  wsx serve -p 0 -v          # any free port, log each connection\n"
		"  wsx serve --host :: -p 9000\n"
		"  wsx serve --broadcast -p 9000   # chat: ws://127.0.0.1:9000/room\n",
	.groups = serve_groups,
	.run = serve_run,
};
