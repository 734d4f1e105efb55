/*
 * wsx pipe URL: stdin to messages, messages to stdout, so WebSockets fit
 * shell pipelines. A relay (relay/) of two endpoints, stdio and a
 * WebSocket client connection, or with --replay a recorded client side.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/pipe.h"
#include "proto/client.h"
#include "proto/conn.h"
#include "proto/loop.h"
#include "relay/ep_replay.h"
#include "relay/ep_stream.h"
#include "relay/ep_ws.h"
#include "relay/relay.h"
#include "util/log.h"
#include "util/parse.h"

enum {
	OPT_REPLAY = WSX_OPTKEY_CMD,
	OPT_SPEED,
	OPT_GRACE,
};

struct pipe {
	struct wsx_loop *loop;
	struct wsx_ep *ws;
	struct wsx_timer *grace;
	uint64_t grace_us;
	int status;
	bool interrupted;
	bool done;
};

static const struct wsx_opt pipe_optv[] = {
	{ '1', "one-message", NULL,
	  "send one message, print one reply, then close" },
	{ 'n', "no-close", NULL,
	  "after stdin ends, wait for the server to close" },
	{ 'w', "wait", "SECS", "after stdin ends, close once quiet for SECS" },
	{ OPT_REPLAY, "replay", "FILE",
	  "send the client side of a relay --record instead" },
	{ OPT_SPEED, "speed", "FACTOR",
	  "--replay faster (2) or slower (0.5) than recorded" },
	{ OPT_GRACE, "grace", "SECS",
	  "after a signal: time to close and write out (2)" },
	{ 0 },
};

static int
pipe_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	     struct wsx_err *err)
{
	struct pipe_opts *o = target;
	char *end;

	switch (opt->key) {
	case 'w':
		return wsx_parse_secs("--wait", arg, &o->wait_us, err);
	case '1':
		o->one_message = true;
		break;
	case 'n':
		o->no_close = true;
		break;
	case OPT_GRACE:
		return wsx_parse_secs("--grace", arg, &o->grace_us, err);
	case OPT_REPLAY:
		o->replay = arg;
		break;
	case OPT_SPEED:
		o->speed = strtod(arg, &end);
		if (end == arg || *end || !(o->speed >= 0.001) ||
		    o->speed > 1000000)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--speed: '%.40s' is not a factor "
					   "from 0.001 to 1000000",
					   arg);
		break;
	}
	return 0;
}

void
pipe_opts_init(struct pipe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->speed = 1;
	o->grace_us = PIPE_DEFAULT_GRACE_US;
}

const struct wsx_optgroup cmd_pipe_group = {
	.title = "Pipe options",
	.opts = pipe_optv,
	.set = pipe_opt_set,
};

static void
pipe_start(struct wsx_pair *pair, void *arg)
{
	struct pipe *p = arg;
	struct wsx_conn *c = wsx_ep_ws_conn(p->ws);
	const struct wsx_conn_info *info;

	(void)pair;
	if (!c)
		return;
	info = wsx_conn_info(c);
	wsx_info("connected to %s%s%s%s", info->peer,
		 info->protocol[0] ? ", subprotocol " : "", info->protocol,
		 info->compressed ? ", permessage-deflate" : "");
}

static void
pipe_done(struct wsx_pair *pair, int status, const char *msg, void *arg)
{
	struct pipe *p = arg;

	(void)pair;
	p->done = true;
	if (!p->interrupted) {
		p->status = status;
		if (status && *msg)
			wsx_error("%s", msg);
	}
	wsx_loop_stop(p->loop);
}

static void
pipe_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct wsx_pair *pair = arg;
	struct pipe *p = wsx_pair_arg(pair);

	(void)signo;
	if (p->interrupted || p->done) {
		wsx_loop_stop(loop); /* second signal: leave now */
		return;
	}
	p->status = WSX_EXIT_INTERRUPTED;
	p->interrupted = true;
	/* the pair then ends stdin and writes out what stdout still owes */
	wsx_pair_close_side(pair, 1, 1001, "interrupted");
	wsx_timer_arm(p->grace, p->grace_us);
}

static void
pipe_grace_over(void *arg)
{
	struct pipe *p = arg;

	wsx_loop_stop(p->loop);
}

/* Leaving before the pair finished: say what is lost. */
static void
pipe_report_unwritten(const struct pipe *p, const struct wsx_pairs *pairs)
{
	size_t out, sent;

	if (p->done || !pairs->head)
		return;
	out = wsx_pair_pending(pairs->head, 0);
	sent = wsx_pair_pending(pairs->head, 1);
	if (out)
		wsx_error("%zu bytes were not written to stdout", out);
	if (sent)
		wsx_error("%zu bytes were not sent to the server", sent);
}

int
pipe_check_opts(const struct wsx_cmd *cmd, const struct pipe_opts *o)
{
	if (o->one_message + o->no_close + !!o->wait_us > 1)
		return cmd_usage(cmd, "-1, -n and -w do not go together");
	if (o->speed && o->speed != 1 && !o->replay)
		return cmd_usage(cmd, "--speed goes with --replay");
	return 0;
}

int
pipe_session(const struct wsx_cmd *cmd, const struct pipe_opts *opts,
	     const struct wsx_client_opts *client,
	     const struct wsx_conn_limits *lim,
	     const struct wsx_framing_opts *framing,
	     const struct reconnect_opts *rc, const char *url)
{
	struct wsx_ep_stream_opts sopts = { .framing = *framing };
	struct wsx_client *cl = NULL;
	struct pipe p = { .grace_us = opts->grace_us };
	struct wsx_pairs pairs = { 0 };
	struct wsx_pair_opts po = { 0 };
	struct wsx_pair *pair;
	struct wsx_ep *in = NULL;
	struct wsx_err err;
	int status;

	sopts.max_message = lim->max_message;
	sopts.budget = lim->buffer;
	po.one_message = opts->one_message;
	po.no_close = opts->no_close;
	po.wait_us = opts->wait_us;
	po.on_start = pipe_start;

	p.loop = wsx_loop_new(&err);
	if (!p.loop)
		goto fail;
	p.grace = wsx_timer_new(p.loop, pipe_grace_over, &p);
	cl = wsx_client_new(p.loop, client, &err);
	if (!cl)
		goto fail;
	in = opts->replay ? wsx_ep_replay_new(p.loop, opts->replay,
					      opts->speed ? opts->speed : 1,
					      &sopts, &err)
			  : wsx_ep_stdio_new(p.loop, &sopts, &err);
	if (!in)
		goto fail;
	p.ws = wsx_ep_ws_connect_retrying(p.loop, cl, url, NULL, lim, rc, &err);
	if (!p.ws)
		goto fail;
	pair = wsx_pair_new(p.loop, &pairs, in, p.ws, &po, pipe_done, &p);
	in = NULL;
	wsx_loop_on_signal(p.loop, pipe_signal, pair);
	wsx_loop_run(p.loop);
	pipe_report_unwritten(&p, &pairs);
	status = p.status;
	goto out;
fail:
	status = cmd_fail(cmd, &err);
out:
	wsx_ep_free(in);
	wsx_pairs_free_all(&pairs);
	wsx_client_free(cl);
	wsx_timer_free(p.grace);
	wsx_loop_free(p.loop);
	return status;
}

static int
pipe_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct pipe_opts opts;
	struct wsx_client_opts client;
	struct wsx_conn_limits lim;
	struct wsx_framing_opts framing;
	struct reconnect_opts rc = { 0 };
	void *const targets[] = { &opts, &client,  &client, &rc,
				  &lim,	 &framing, &common };
	int first, status;

	pipe_opts_init(&opts);
	wsx_client_opts_init(&client);
	wsx_conn_limits_init(&lim);
	wsx_framing_opts_init(&framing, WSX_FRAMING_LINES);
	first = cmd_parse_url(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
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
	&wsx_client_net_optgroup, &wsx_reconnect_optgroup,
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
		"  wsx pipe --jsonl ws://127.0.0.1:8080/ | jq .data\n"
		"  wsx pipe --replay session.jsonl -w 1 ws://127.0.0.1:8080/\n",
	.groups = pipe_groups,
	.run = pipe_run,
};
