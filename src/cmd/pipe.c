/*
 * wsx pipe URL: stdin to messages, messages to stdout, so WebSockets fit
 * shell pipelines. A relay of two endpoints, the stdio stream and a
 * WebSocket client connection, with backpressure both ways.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "cmd/pipe.h"
#include "io/stream.h"
#include "proto/client.h"
#include "proto/conn.h"
#include "proto/loop.h"
#include "util/log.h"
#include "util/parse.h"

struct pipe {
	const struct wsx_cmd *cmd;
	const struct pipe_opts *opts;
	const struct wsx_conn_limits *lim;
	struct wsx_loop *loop;
	struct wsx_conn *conn; /* NULL once closed */
	struct wsx_client *client;
	const char *url;
	struct reconnect rc;
	struct wsx_stream *stdio;
	struct wsx_timer *wait; /* armed while -w waits for replies */
	bool stdin_ended;
	int status;
	bool closed;
	bool sent_one;
	bool failed; /* a local failure decides the exit status */
};

static const struct wsx_opt pipe_optv[] = {
	{ '1', "one-message", NULL,
	  "send one message, print one reply, then close" },
	{ 'n', "no-close", NULL,
	  "after stdin ends, wait for the server to close" },
	{ 'w', "wait", "SECS", "after stdin ends, close once quiet for SECS" },
	{ 0 },
};

static int
pipe_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	     struct wsx_err *err)
{
	struct pipe_opts *o = target;

	if (opt->key == 'w')
		return wsx_parse_secs("--wait", arg, &o->wait_us, err);
	if (opt->key == '1')
		o->one_message = true;
	else if (opt->key == 'n')
		o->no_close = true;
	return 0;
}

const struct wsx_optgroup cmd_pipe_group = {
	.title = "Pipe options",
	.opts = pipe_optv,
	.set = pipe_opt_set,
};

static void
pipe_finish_if_flushed(struct pipe *p)
{
	if (p->closed && !wsx_stream_pending(p->stdio))
		wsx_loop_stop(p->loop);
}

static void
pipe_close(struct pipe *p, int code, const char *reason)
{
	if (p->conn)
		wsx_conn_close(p->conn, code, reason);
}

/* stdin -> WebSocket */

static int
pipe_stdin_message(struct wsx_stream *s, const struct wsx_msg *m, void *arg)
{
	struct pipe *p = arg;
	int rc;

	if (!p->conn)
		return 1;
	rc = wsx_conn_send(p->conn, m->type, m->data, m->len);
	if (p->opts->one_message) {
		p->sent_one = true;
		wsx_stream_stop_input(s);
	}
	return rc != 0;
}

static void
pipe_stdin_eof(struct wsx_stream *s, void *arg)
{
	struct pipe *p = arg;

	(void)s;
	wsx_debug("stdin ended");
	p->stdin_ended = true;
	if (p->opts->no_close || p->opts->one_message)
		return;
	if (p->opts->wait_us)
		wsx_timer_arm(p->wait, p->opts->wait_us);
	else
		pipe_close(p, 1000, "");
}

/* -w: the server has been quiet long enough after stdin ended */
static void
pipe_wait_over(void *arg)
{
	struct pipe *p = arg;

	wsx_debug("no message for the --wait time: closing");
	pipe_close(p, 1000, "");
}

static void
pipe_stdio_error(struct wsx_stream *s, const struct wsx_err *err, void *arg)
{
	struct pipe *p = arg;

	(void)s;
	wsx_error("%s", err->msg);
	p->status = err->code;
	p->failed = true;
	pipe_close(p, 1000, "");
	if (!p->conn)
		wsx_loop_stop(p->loop);
}

static void
pipe_stdout_drain(struct wsx_stream *s, void *arg)
{
	struct pipe *p = arg;

	(void)s;
	if (p->conn)
		wsx_conn_pause(p->conn, false);
	pipe_finish_if_flushed(p);
}

static const struct wsx_stream_ops pipe_stdio_ops = {
	.on_message = pipe_stdin_message,
	.on_eof = pipe_stdin_eof,
	.on_error = pipe_stdio_error,
	.on_drain = pipe_stdout_drain,
};

/* WebSocket -> stdout */

static void
pipe_ws_open(struct wsx_conn *c, void *arg)
{
	struct pipe *p = arg;
	const struct wsx_conn_info *info = wsx_conn_info(c);

	wsx_info("connected to %s%s%s", info->peer,
		 info->protocol[0] ? ", subprotocol " : "", info->protocol);
	reconnect_opened(&p->rc);
	wsx_stream_resume(p->stdio);
}

static void
pipe_ws_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct pipe *p = arg;

	if (wsx_stream_write(p->stdio, m) == 1)
		wsx_conn_pause(c, true);
	if (p->stdin_ended && p->opts->wait_us)
		wsx_timer_arm(p->wait, p->opts->wait_us);
	if (p->opts->one_message) {
		wsx_stream_stop_input(p->stdio);
		wsx_conn_close(c, 1000, "");
	}
}

static void
pipe_ws_drain(struct wsx_conn *c, void *arg)
{
	struct pipe *p = arg;

	(void)c;
	wsx_stream_resume(p->stdio);
}

static void
pipe_ws_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct pipe *p = arg;

	(void)c;
	p->conn = NULL;
	if (!p->failed && !p->stdin_ended && reconnect_schedule(&p->rc, cl)) {
		wsx_stream_pause(p->stdio); /* until the next on_open */
		return;
	}
	p->closed = true;
	wsx_timer_cancel(p->wait);
	if (!p->failed) {
		p->status = cl->status;
		if (cl->status)
			wsx_error("%s", cl->msg);
	}
	wsx_debug("closed with %d", cl->code);
	wsx_stream_stop_input(p->stdio);
	pipe_finish_if_flushed(p);
}

static const struct wsx_conn_ops pipe_ws_ops = {
	.on_open = pipe_ws_open,
	.on_message = pipe_ws_message,
	.on_drain = pipe_ws_drain,
	.on_close = pipe_ws_close,
};

/* --reconnect: the backoff delay is over */
static void
pipe_reconnect(void *arg)
{
	struct pipe *p = arg;
	struct wsx_err err;

	p->conn = wsx_client_connect(p->client, p->url, p->lim, &pipe_ws_ops, p,
				     &err);
	if (!p->conn) {
		wsx_error("%s", err.msg);
		p->status = err.code;
		p->closed = true;
		pipe_finish_if_flushed(p);
	}
}

static void
pipe_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct pipe *p = arg;

	(void)signo;
	if (p->failed || !p->conn) {
		p->status = WSX_EXIT_INTERRUPTED;
		wsx_loop_stop(loop); /* second signal, or between attempts */
		return;
	}
	p->status = WSX_EXIT_INTERRUPTED;
	p->failed = true;
	pipe_close(p, 1001, "interrupted");
}

int
pipe_check_opts(const struct wsx_cmd *cmd, const struct pipe_opts *o)
{
	if (o->one_message + o->no_close + !!o->wait_us > 1)
		return cmd_usage(cmd, "-1, -n and -w do not go together");
	return 0;
}

int
pipe_session(const struct wsx_cmd *cmd, const struct pipe_opts *opts,
	     const struct wsx_client_opts *client,
	     const struct wsx_conn_limits *lim,
	     const struct wsx_framing_opts *framing,
	     const struct reconnect_opts *rc, const char *url)
{
	struct pipe p = { .cmd = cmd, .opts = opts, .lim = lim, .url = url };
	struct wsx_err err;
	int status;

	p.loop = wsx_loop_new(&err);
	if (!p.loop)
		goto fail;
	wsx_loop_on_signal(p.loop, pipe_signal, &p);
	p.wait = wsx_timer_new(p.loop, pipe_wait_over, &p);
	reconnect_init(&p.rc, rc, p.loop, pipe_reconnect, &p);
	p.client = wsx_client_new(p.loop, client, &err);
	if (!p.client)
		goto fail;
	p.stdio = wsx_stream_new(p.loop, STDIN_FILENO, STDOUT_FILENO, framing,
				 lim->max_message, lim->buffer, &pipe_stdio_ops,
				 &p, &err);
	if (!p.stdio)
		goto fail;
	p.conn = wsx_client_connect(p.client, url, lim, &pipe_ws_ops, &p, &err);
	if (!p.conn)
		goto fail;
	wsx_loop_run(p.loop);
	status = p.status;
	goto out;
fail:
	status = cmd_fail(cmd, &err);
out:
	wsx_timer_free(p.wait);
	reconnect_release(&p.rc);
	wsx_stream_free(p.stdio);
	wsx_client_free(p.client);
	wsx_loop_free(p.loop);
	return status;
}

static int
pipe_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct pipe_opts opts = { 0 };
	struct wsx_client_opts client;
	struct wsx_conn_limits lim;
	struct wsx_framing_opts framing;
	struct reconnect_opts rc = { 0 };
	void *const targets[] = { &opts, &client,  &client, &rc,
				  &lim,	 &framing, &common };
	int first, status;

	wsx_client_opts_init(&client);
	wsx_conn_limits_init(&lim);
	wsx_framing_opts_init(&framing, WSX_FRAMING_LINES);
	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (argc - first != 1) {
		status = cmd_usage(cmd, argc == first ? "missing URL"
						      : "too many arguments");
		goto out;
	}
	status = pipe_check_opts(cmd, &opts);
	if (status)
		goto out;
	status = pipe_session(cmd, &opts, &client, &lim, &framing, &rc,
			      argv[first]);
out:
	wsx_client_opts_release(&client);
	return status;
}

static const struct wsx_optgroup *const pipe_groups[] = {
	&cmd_pipe_group,	  &wsx_client_optgroup,
	&wsx_client_net_optgroup, &cmd_reconnect_group,
	&wsx_conn_optgroup,	  &wsx_framing_optgroup,
	&cmd_common_group,	  NULL,
};

const struct wsx_cmd cmd_pipe = {
	.name = "pipe",
	.args = "[options] URL",
	.summary = "bridge stdin and stdout to a WebSocket",
	.description =
		"Send each line of stdin as a message and print each message received,\n"
		"one per line (or in the framing chosen below). When stdin ends, close\n"
		"with 1000 and exit once the server answers; the exit status tells how\n"
		"the connection ended. Servers stop answering once they see the close,\n"
		"so give one that replies slowly time with -w.",
	.examples =
		"  echo hello | wsx pipe ws://127.0.0.1:8080/\n"
		"  echo '{\"op\":\"sub\"}' | wsx pipe -w 2 wss://example.org/api\n"
		"  wsx pipe --raw -b wss://example.org/feed < data.bin > out.bin\n"
		"  wsx pipe --jsonl ws://127.0.0.1:8080/ | jq .data\n",
	.groups = pipe_groups,
	.run = pipe_run,
};
