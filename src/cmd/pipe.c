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
#include "relay/ep_expect.h"
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
	OPT_EXPECT,
	OPT_EXPECT_JSON,
	OPT_TIMEOUT,
	OPT_SCRIPT,
	OPT_RATE,
	OPT_DELAY,
};

struct pipe {
	struct wsx_loop *loop;
	struct wsx_ep *ws;
	struct wsx_ep *expect; /* stdin's side, when it expects or paces */
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

static const struct wsx_opt pipe_expect_optv[] = {
	{ OPT_EXPECT, "expect", "REGEX",
	  "wait for a message matching REGEX (repeatable)" },
	{ OPT_EXPECT_JSON, "expect-json", "'PATH OP VALUE'",
	  "wait for JSON where, e.g., '.type == \"ack\"' holds" },
	{ OPT_TIMEOUT, "timeout", "SECS",
	  "time for each expectation (10); failing exits 7" },
	{ OPT_SCRIPT, "script", "FILE",
	  "run send/expect/sleep/ping/close lines, not stdin" },
	{ OPT_RATE, "rate", "N[/s|/m]",
	  "send at most N stdin messages a second" },
	{ OPT_DELAY, "delay", "SECS", "wait SECS between stdin messages" },
	{ 0 },
};

/* --rate: "20", "20/s", "600/m" -> the gap between messages */
static int
pipe_parse_rate(const char *arg, uint64_t *gap_us, struct wsx_err *err)
{
	char *end;
	double n = strtod(arg, &end), per = 1;

	if (!strcmp(end, "/s"))
		end += 2;
	else if (!strcmp(end, "/m"))
		end += 2, per = 60;
	if (end == arg || *end || !(n > 0) || n / per > 1000000 ||
	    per / n > 86400)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--rate: '%.40s' is not a rate like 20, "
				   "20/s or 600/m",
				   arg);
	*gap_us = (uint64_t)(per / n * 1e6);
	return 0;
}

static int
pipe_expect_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
		    struct wsx_err *err)
{
	struct pipe_opts *o = target;
	uint64_t us = 0;

	switch (opt->key) {
	case OPT_EXPECT:
		return wsx_script_add_expect(&o->expect, arg, err);
	case OPT_EXPECT_JSON:
		return wsx_script_add_expect_json(&o->expect, arg, err);
	case OPT_TIMEOUT:
		if (wsx_parse_secs("--timeout", arg, &o->timeout_us, err))
			return -1;
		if (!o->timeout_us)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--timeout: 0 would fail at once");
		break;
	case OPT_SCRIPT:
		o->script = arg;
		break;
	case OPT_RATE:
		if (pipe_parse_rate(arg, &us, err))
			return -1;
		o->rate_gap_us = us;
		break;
	case OPT_DELAY:
		return wsx_parse_secs("--delay", arg, &o->delay_us, err);
	}
	return 0;
}

const struct wsx_optgroup cmd_pipe_expect_group = {
	.title = "Expect and pacing options",
	.opts = pipe_expect_optv,
	.set = pipe_expect_opt_set,
};

void
pipe_opts_init(struct pipe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->speed = 1;
	o->grace_us = PIPE_DEFAULT_GRACE_US;
	o->timeout_us = PIPE_DEFAULT_TIMEOUT_US;
	wsx_script_init(&o->expect);
}

void
pipe_opts_release(struct pipe_opts *o)
{
	wsx_script_release(&o->expect);
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

/* An expectation failed: the last messages received, after its line; or
 * the connection failed on its own with one pending: say which. */
static void
pipe_report_expect(const struct pipe *p, int status)
{
	const char *report = p->expect ? wsx_ep_expect_report(p->expect) : NULL;

	if (!report)
		return;
	if (status != WSX_EXIT_EXPECT)
		wsx_error("%s", wsx_ep_expect_failure(p->expect));
	fputs(report, stderr);
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
		pipe_report_expect(p, status);
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
	if (o->script && o->expect.n)
		return cmd_usage(cmd, "--expect and --expect-json go in the "
				      "--script (expect, expect-json lines)");
	if (o->script && (o->one_message || o->no_close || o->wait_us))
		return cmd_usage(cmd, "-1, -n and -w do not go with --script "
				      "(its close line or its end closes)");
	if (o->script && o->replay)
		return cmd_usage(cmd, "--script and --replay: give one");
	if ((o->rate_gap_us || o->delay_us) && (o->script || o->replay))
		return cmd_usage(cmd, "--rate and --delay pace stdin, not %s",
				 o->script ? "--script (use sleep lines)"
					   : "--replay");
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
	if (opts->replay)
		in = wsx_ep_replay_new(p.loop, opts->replay,
				       opts->speed ? opts->speed : 1, &sopts,
				       &err);
	else if (opts->script)
		in = wsx_ep_stdout_new(p.loop, &sopts, &err);
	else
		in = wsx_ep_stdio_new(p.loop, &sopts, &err);
	if (!in)
		goto fail;
	if (opts->expect.n || opts->script || opts->rate_gap_us ||
	    opts->delay_us) {
		struct wsx_ep_expect_opts eo = {
			.script = &opts->expect,
			.run_script = opts->script != NULL,
			.timeout_us = opts->timeout_us,
			.interval_us = opts->rate_gap_us > opts->delay_us
					       ? opts->rate_gap_us
					       : opts->delay_us,
		};

		in = p.expect = wsx_ep_expect_new(p.loop, in, &eo);
	}
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
	void *const targets[] = { &opts, &opts, &client,  &client,
				  &rc,	 &lim,	&framing, &common };
	struct wsx_err err;
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
	/* a bad line is a usage error before connecting */
	if (opts.script && wsx_script_load(&opts.expect, opts.script, &err)) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
	status = pipe_session(cmd, &opts, &client, &lim, &framing, &rc,
			      argv[first]);
out:
	wsx_client_opts_release(&client);
	pipe_opts_release(&opts);
	return status;
}

static const struct wsx_optgroup *const pipe_groups[] = {
	&cmd_pipe_group,	  &cmd_pipe_expect_group,  &wsx_client_optgroup,
	&wsx_client_net_optgroup, &wsx_reconnect_optgroup, &wsx_conn_optgroup,
	&wsx_framing_optgroup,	  &cmd_common_group,	   NULL,
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
		"so give one that replies slowly time with -w. --expect and\n"
		"--expect-json wait for replies, in order (exit 7 when one does not\n"
		"come); --script runs send, expect, sleep, ping and close lines.",
	.examples =
		"  echo hello | wsx pipe ws://127.0.0.1:8080/\n"
		"  echo '{\"op\":\"sub\"}' | wsx pipe -w 2 wss://example.org/api\n"
		"  wsx pipe --raw -b wss://example.org/feed < data.bin > out.bin\n"
		"  wsx pipe --jsonl ws://127.0.0.1:8080/ | jq .data\n"
		"  wsx pipe --replay session.jsonl -w 1 ws://127.0.0.1:8080/\n"
		"  echo '{\"op\":\"sub\"}' | wsx pipe --expect-json '.type == \"ack\"' \\\n"
		"      wss://example.org/api          (exit 7 without an ack)\n"
		"  wsx pipe --script smoke.txt --timeout 5 ws://127.0.0.1:8080/\n"
		"  wsx pipe --rate 10/s ws://127.0.0.1:8080/ < requests.txt\n",
	.groups = pipe_groups,
	.run = pipe_run,
};
