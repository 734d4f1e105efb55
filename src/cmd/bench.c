/*
 * wsx bench [URL]: a WebSocket load generator. Connections are spread over
 * worker threads (one libwebsockets context each, see bench/worker.c);
 * without a URL an echo server runs in-process on its own thread and
 * context, so the measurement needs no setup. The main thread only starts
 * things, shows progress, takes signals and reports.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/failif.h"
#include "bench/hdr.h"
#include "bench/html.h"
#include "bench/payload.h"
#include "bench/report.h"
#include "bench/worker.h"
#include "cmd/cmd.h"
#include "proto/loop.h"
#include "proto/server.h"
#include "serve/echo.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/url.h"
#include "util/xalloc.h"

#define BENCH_MAX_CONNECTIONS 100000
#define BENCH_MAX_THREADS     256
#define PROGRESS_TICK_US      100000
#define SNAPSHOT_POLL_US      5000

enum {
	OPT_MESSAGE = WSX_OPTKEY_CMD,
	OPT_FILE,
	OPT_WARMUP,
	OPT_CONNECT_RATE,
	OPT_COMPRESS,
	OPT_MODE,
	OPT_JSON,
	OPT_FAIL_IF,
	OPT_HTML,
	OPT_HDR,
};

struct bench_opts {
	unsigned long connections, pipeline, threads;
	size_t size;
	bool size_set, pipeline_set, duration_set;
	const char *message, *file;
	int type; /* -1: binary unless --message says otherwise */
	uint64_t duration_us, warmup_us;
	double rate, connect_rate;
	bool compress, json;
	enum bench_mode mode;
	struct bench_failif fail_if[BENCH_FAILIF_MAX];
	size_t n_fail_if;
	const char *html, *hdr; /* --html FILE, --hdr FILE */
};

static const struct wsx_opt bench_optv[] = {
	{ 'c', "connections", "N", "connections to open (default 64)" },
	{ 'm', "size", "BYTES", "message size (default 1K)" },
	{ OPT_MESSAGE, "message", "TEXT", "send TEXT as every message" },
	{ OPT_FILE, "file", "FILE", "send the file's bytes as every message" },
	{ 't', "text", NULL, "send text messages" },
	{ 'b', "binary", NULL, "send binary messages (default)" },
	{ 'd', "duration", "SECS", "measure for SECS (default 5)" },
	{ OPT_WARMUP, "warmup", "SECS",
	  "run SECS first, not measured (default 1)" },
	{ 'i', "in-flight", "K",
	  "echo: K messages in flight per connection (1)" },
	/* the old spelling: -P is connect's --show-ping-pong */
	{ 'P', "pipeline", "K", NULL },
	{ 'r', "rate", "N", "N messages/s in all, on a schedule (open loop)" },
	{ 'T', "threads", "N", "load threads (default: one per core)" },
	{ OPT_CONNECT_RATE, "connect-rate", "N",
	  "open N connections per second" },
	{ OPT_COMPRESS, "compress", NULL, "offer permessage-deflate" },
	{ OPT_MODE, "mode", "echo|push|sink|connect",
	  "kind of load (default echo)" },
	{ OPT_JSON, "json", NULL, "print the report as one JSON document" },
	{ OPT_FAIL_IF, "fail-if", "COND",
	  "exit 1 if e.g. 'p99>5ms' (repeatable)" },
	{ OPT_HTML, "html", "FILE",
	  "also write the report as a page with charts" },
	{ OPT_HDR, "hdr", "FILE",
	  "also write the latency distribution (HdrHistogram)" },
	{ 0 },
};

static int
bench_parse_rate(const char *opt, const char *arg, double *out,
		 struct wsx_err *err)
{
	unsigned long n;

	if (wsx_parse_uint(opt, arg, 1, 100000000, &n, err))
		return -1;
	*out = (double)n;
	return 0;
}

static int
bench_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	      struct wsx_err *err)
{
	struct bench_opts *o = target;
	static const char *const modes[] = { [BENCH_ECHO] = "echo",
					     [BENCH_PUSH] = "push",
					     [BENCH_SINK] = "sink",
					     [BENCH_CONNECT] = "connect" };

	switch (opt->key) {
	case 'c':
		return wsx_parse_uint("--connections", arg, 1,
				      BENCH_MAX_CONNECTIONS, &o->connections,
				      err);
	case 'm':
		o->size_set = true;
		return wsx_parse_size("--size", arg, 0, 1u << 30, &o->size,
				      err);
	case OPT_MESSAGE:
		o->message = arg;
		return 0;
	case OPT_FILE:
		o->file = arg;
		return 0;
	case 't':
		o->type = WSX_MSG_TEXT;
		return 0;
	case 'b':
		o->type = WSX_MSG_BINARY;
		return 0;
	case 'd':
		o->duration_set = true;
		if (wsx_parse_secs("--duration", arg, &o->duration_us, err))
			return -1;
		if (!o->duration_us)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--duration: must be more than 0");
		return 0;
	case OPT_WARMUP:
		return wsx_parse_secs("--warmup", arg, &o->warmup_us, err);
	case 'i':
	case 'P':
		o->pipeline_set = true;
		return wsx_parse_uint("--in-flight", arg, 1, 1u << 16,
				      &o->pipeline, err);
	case 'r':
		return bench_parse_rate("--rate", arg, &o->rate, err);
	case 'T':
		return wsx_parse_uint("--threads", arg, 1, BENCH_MAX_THREADS,
				      &o->threads, err);
	case OPT_CONNECT_RATE:
		return bench_parse_rate("--connect-rate", arg, &o->connect_rate,
					err);
	case OPT_COMPRESS:
		o->compress = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_MODE:
		for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			if (!strcmp(arg, modes[i])) {
				o->mode = (enum bench_mode)i;
				return 0;
			}
		}
		return wsx_err_set(
			err, WSX_EXIT_USAGE,
			"--mode: '%.40s' is not echo, push, sink or connect",
			arg);
	case OPT_FAIL_IF:
		return bench_failif_parse(arg, o->fail_if, &o->n_fail_if, err);
	case OPT_HTML:
		o->html = arg;
		return 0;
	case OPT_HDR:
		o->hdr = arg;
		return 0;
	}
	return 0;
}

static const struct wsx_optgroup bench_group = {
	.title = "Bench options",
	.opts = bench_optv,
	.set = bench_opt_set,
};

/* --- the embedded echo server -----------------------------------------------
 */

struct embedded {
	struct wsx_loop *loop;
	struct wsx_server *server;
	pthread_t tid;
	bool running;
};

static void
embedded_accept(struct wsx_server *s, struct wsx_conn *c, void *arg)
{
	static const struct wsx_conn_ops echo_ops = {
		.on_message = wsx_echo_message,
		.on_drain = wsx_echo_drain,
	};

	(void)s;
	wsx_conn_set_ops(c, &echo_ops, arg);
}

static void *
embedded_main(void *arg)
{
	struct embedded *e = arg;

	wsx_loop_run(e->loop);
	return NULL;
}

static int
embedded_start(struct embedded *e, const struct wsx_conn_limits *lim,
	       struct wsx_err *err)
{
	static const struct wsx_server_ops ops = { .on_accept =
							   embedded_accept };
	struct wsx_server_opts so;

	wsx_server_opts_init(&so); /* nothing in it to release */
	so.port = 0;
	e->loop = wsx_loop_new_worker(err);
	if (!e->loop)
		return -1;
	e->server = wsx_server_new(e->loop, &so, lim, &ops, e, err);
	if (!e->server)
		return -1;
	if (pthread_create(&e->tid, NULL, embedded_main, e))
		return wsx_err_set(err, WSX_EXIT_FAIL, "cannot start a thread");
	e->running = true;
	return 0;
}

static void
embedded_stop(struct embedded *e)
{
	if (e->running) {
		wsx_loop_stop(e->loop);
		pthread_join(e->tid, NULL);
		e->running = false;
	}
	wsx_server_free(e->server);
	wsx_loop_free(e->loop);
}

/* --- running ----------------------------------------------------------------
 */

struct bench {
	const struct bench_opts *opts;
	struct bench_cfg cfg;
	struct bench_worker **workers;
	unsigned n_workers;
	struct wsx_loop *loop; /* the main thread's: signals and progress */
	struct wsx_timer *tick;
	uint64_t t0_us, last_progress_us, last_msgs;
	bool live, progress_shown, interrupted;
	/* each measured second: the workers' snapshots, asked for at
	 * next_second_us, merged once all have answered */
	struct bench_series series;
	uint64_t next_second_us, last_second_us;
	double snap_secs;   /* the length of the second asked for */
	double series_secs; /* the series' seconds so far */
	unsigned snap_seq;
	bool snap_pending;
	uint64_t errors_so_far, p99_so_far_ns;
	bool have_p99;
	const char *phase; /* shown first on the live line, or NULL */
	FILE *html, *hdr;  /* --html, --hdr: opened before the run */
};

static double
bench_now_per_s(struct bench *b, uint64_t now, uint64_t *msgs_out)
{
	uint64_t msgs = 0, bytes;
	double per_s;

	for (unsigned i = 0; i < b->n_workers; i++)
		msgs += bench_worker_progress(b->workers[i], &bytes);
	per_s = now > b->last_progress_us
			? (double)(msgs - b->last_msgs) * 1e6 /
				  (double)(now - b->last_progress_us)
			: 0;
	*msgs_out = msgs;
	return per_s;
}

/*
 * The live line on a terminal, redrawn in place once a second: where the
 * run is, messages/s in the last second (rate, or the progress counters'
 * when it is below 0: the warm-up), the p99 so far and the errors.
 */
static void
bench_progress(struct bench *b, uint64_t now, double rate)
{
	uint64_t msgs, total_us = b->cfg.warmup_us + b->cfg.duration_us;
	double per_s = bench_now_per_s(b, now, &msgs);

	if (rate >= 0)
		per_s = rate; /* the series' last second */
	double secs = (double)(now - b->t0_us) / 1e6;
	bool warm = now < b->t0_us + b->cfg.warmup_us;
	char p99[32] = "-", total[32];

	if (b->have_p99)
		snprintf(p99, sizeof(p99), "%.3f ms",
			 (double)b->p99_so_far_ns / 1e6);
	/* "2", "2.5": the total as given */
	snprintf(total, sizeof(total), total_us % 1000000 ? "%.1f" : "%.0f",
		 (double)total_us / 1e6);
	fprintf(stderr,
		"\r\033[K%s%s[%4.1f/%s s] %s%.0f msg/s  p99 %s  errors %llu",
		b->phase ? b->phase : "", b->phase ? " " : "", secs, total,
		warm ? "warm-up  " : "", per_s, p99,
		(unsigned long long)b->errors_so_far);
	fflush(stderr);
	b->last_msgs = msgs;
	b->last_progress_us = now;
	b->progress_shown = true;
}

/* Messages per second of the latest second of the series, as the live line
 * shows it: what the mode measures. */
static double
bench_second_rate(const struct bench *b)
{
	const struct bench_second *sec = &b->series.at[b->series.n - 1];
	uint64_t n = b->cfg.mode == BENCH_PUSH	    ? sec->sent
		     : b->cfg.mode == BENCH_CONNECT ? sec->opened
						    : sec->received;

	return sec->secs > 0 ? (double)n / sec->secs : 0;
}

/*
 * A second of the measured window is over: ask every worker for its stats
 * (they take them within about 10 ms); once all have answered, that is one
 * entry of the series, as long as it really was, and the live line is
 * drawn from it. Returns true when an entry was added.
 */
static bool
bench_second(struct bench *b, uint64_t now)
{
	uint64_t measure_us = b->t0_us + b->cfg.warmup_us;
	uint64_t end_us = measure_us + b->cfg.duration_us;

	if (b->snap_pending) {
		struct bench_stats *all = xmalloc(sizeof(*all));
		bool ready = true;
		const struct wsx_hist *h;

		bench_stats_init(all);
		for (unsigned i = 0; i < b->n_workers && ready; i++)
			ready = bench_worker_snapshot(b->workers[i],
						      b->snap_seq, all);
		if (ready) {
			bench_series_add(&b->series, all, b->snap_secs,
					 b->cfg.mode == BENCH_CONNECT);
			b->series_secs += b->snap_secs;
			b->snap_pending = false;
			h = b->cfg.mode == BENCH_CONNECT ? &all->handshake
							 : &all->latency;
			b->errors_so_far = bench_stats_errors(all);
			b->have_p99 = wsx_hist_count(h) > 0;
			b->p99_so_far_ns = wsx_hist_percentile(h, 99);
		}
		bench_stats_release(all);
		free(all);
		return ready;
	}
	if (!b->next_second_us)
		b->next_second_us = measure_us + 1000000;
	/* the last, shorter second comes from the final stats */
	if (now < b->next_second_us || b->next_second_us > end_us ||
	    b->interrupted)
		return false;
	b->snap_seq++;
	for (unsigned i = 0; i < b->n_workers; i++)
		bench_worker_want_snapshot(b->workers[i], b->snap_seq);
	b->snap_pending = true;
	/* as long as it really was: from the window's start or the last ask */
	b->snap_secs = (double)(now - (b->last_second_us ? b->last_second_us
							 : measure_us)) /
		       1e6;
	b->last_second_us = now;
	b->next_second_us += 1000000;
	return false;
}

static void
bench_tick(void *arg)
{
	struct bench *b = arg;
	uint64_t now = wsx_now_us(), next;
	unsigned done = 0;

	for (unsigned i = 0; i < b->n_workers; i++)
		done += bench_worker_done(b->workers[i]);
	if (done == b->n_workers) {
		wsx_loop_stop(b->loop);
		return;
	}
	/* in the measured window the line follows the series: a second's
	 * rate and the p99 so far, both from the same snapshots */
	if (bench_second(b, now) && b->live)
		bench_progress(b, now, bench_second_rate(b));
	else if (b->live && !b->series.n &&
		 now - b->last_progress_us >= 1000000)
		bench_progress(b, now, -1);
	/* the workers answer within about 10 ms */
	next = b->snap_pending ? SNAPSHOT_POLL_US : PROGRESS_TICK_US;
	/* wake at the second's end, so that it is not measured late */
	if (!b->snap_pending && b->next_second_us > now &&
	    b->next_second_us - now < next)
		next = b->next_second_us - now;
	wsx_timer_arm(b->tick, next);
}

static void
bench_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct bench *b = arg;

	(void)signo;
	if (b->interrupted) {
		wsx_loop_stop(loop); /* a second signal: stop waiting */
		return;
	}
	b->interrupted = true;
	for (unsigned i = 0; i < b->n_workers; i++)
		bench_worker_stop(b->workers[i]);
}

static unsigned
bench_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Fill b->cfg from the options; the payload is the last thing set up. */
static int
bench_configure(struct bench *b, const char *url, struct wsx_err *err)
{
	const struct bench_opts *o = b->opts;
	struct bench_cfg *cfg = &b->cfg;
	enum wsx_msg_type type = o->type >= 0 ? (enum wsx_msg_type)o->type
				 : o->message ? WSX_MSG_TEXT
					      : WSX_MSG_BINARY;
	struct wsx_url u;

	if (wsx_url_parse(&u, url, err))
		return -1;
	cfg->url = url;
	cfg->mode = o->mode;
	cfg->connections = (unsigned)o->connections;
	cfg->threads =
		o->threads ? (unsigned)o->threads : bench_default_threads();
	if (cfg->threads > cfg->connections)
		cfg->threads = cfg->connections;
	cfg->pipeline = (unsigned)o->pipeline;
	cfg->rate = o->rate;
	cfg->connect_rate = o->connect_rate;
	cfg->warmup_us = o->warmup_us;
	cfg->duration_us = o->duration_us;
	cfg->compress = o->compress;
	cfg->client.compress = o->compress;
	if (o->message)
		return bench_payload_fixed(&cfg->payload, o->message,
					   strlen(o->message), type, err);
	if (o->file)
		return bench_payload_file(&cfg->payload, o->file,
					  cfg->lim.max_message, type, err);
	if (o->size > cfg->lim.max_message)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--size: %zu is over --max-message (%zu)",
				   o->size, cfg->lim.max_message);
	bench_payload_random(&cfg->payload, o->size, type);
	return 0;
}

static int
bench_go(struct bench *b, struct wsx_err *err)
{
	unsigned base = b->cfg.connections / b->cfg.threads;
	unsigned extra = b->cfg.connections % b->cfg.threads;

	b->workers = xcalloc(b->cfg.threads, sizeof(*b->workers));
	for (unsigned i = 0; i < b->cfg.threads; i++) {
		b->workers[i] =
			bench_worker_new(&b->cfg, base + (i < extra), err);
		if (!b->workers[i])
			return -1;
		/* -v shows the first connection's handshake, not thousands */
		bench_worker_trace(b->workers[i], i == 0 ? 1 : 0);
		b->n_workers++;
	}
	b->t0_us = b->last_progress_us = wsx_now_us();
	for (unsigned i = 0; i < b->n_workers; i++)
		if (bench_worker_start(b->workers[i], b->t0_us, err))
			return -1;
	b->live = isatty(STDERR_FILENO) && wsx_log_level() >= WSX_LOG_NOTICE;
	wsx_timer_arm(b->tick, PROGRESS_TICK_US);
	wsx_loop_run(b->loop);
	if (b->progress_shown)
		fprintf(stderr, "\r\033[K");
	return 0;
}

/* --html and --hdr: a path that cannot be written fails before the run. */
static int
bench_open_outputs(struct bench *b, struct wsx_err *err)
{
	const struct bench_opts *o = b->opts;

	if (o->html && !(b->html = fopen(o->html, "w")))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--html: cannot write %.200s: %s", o->html,
				   strerror(errno));
	if (o->hdr && !(b->hdr = fopen(o->hdr, "w")))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--hdr: cannot write %.200s: %s", o->hdr,
				   strerror(errno));
	return 0;
}

/* Merge, report, and turn the run into an exit status. */
static int
bench_finish(struct bench *b, bool embedded, double capacity_per_s)
{
	const struct bench_opts *o = b->opts;
	struct bench_stats all;
	struct bench_summary sum;
	const char *crossed[BENCH_FAILIF_MAX + 1] = { 0 };
	struct bench_run_info run = { .cfg = &b->cfg,
				      .embedded = embedded,
				      .interrupted = b->interrupted,
				      .fail_if = crossed,
				      .capacity_per_s = capacity_per_s };
	const struct wsx_close *first = NULL;
	size_t n_crossed = 0;
	double secs;
	int status = WSX_EXIT_OK;

	bench_stats_init(&all);
	for (unsigned i = 0; i < b->n_workers; i++) {
		bench_worker_join(b->workers[i]);
		bench_stats_merge(&all, bench_worker_stats(b->workers[i]));
		if (!first)
			first = bench_worker_first_failure(b->workers[i]);
	}
	secs = (double)(wsx_now_us() - b->t0_us) / 1e6 -
	       (double)b->cfg.warmup_us / 1e6;
	/* the window actually measured: shorter when interrupted or when
	 * every connection was gone early; the drain after it is not counted */
	if (secs > (double)b->cfg.duration_us / 1e6)
		secs = (double)b->cfg.duration_us / 1e6;
	if (secs < 0)
		secs = 0;
	/* the last second of the series: what is left of the window */
	if (secs - b->series_secs > 0.01)
		bench_series_add(&b->series, &all, secs - b->series_secs,
				 b->cfg.mode == BENCH_CONNECT);
	run.series = &b->series;
	bench_summarize(&all, secs, &sum);
	for (size_t i = 0; i < o->n_fail_if; i++)
		if (bench_failif_crossed(&o->fail_if[i], &sum))
			crossed[n_crossed++] = o->fail_if[i].text;

	if (o->json)
		bench_report_json(stdout, &run, &all, &sum);
	else
		bench_report_text(stdout, &run, &all, &sum);
	fflush(stdout);
	if (b->html &&
	    (bench_write_html(b->html, &run, &all, &sum) || fflush(b->html))) {
		wsx_error("--html: cannot write %s: %s", o->html,
			  strerror(errno));
		status = WSX_EXIT_FAIL;
	}
	if (b->hdr && (bench_write_hdr(b->hdr, b->cfg.mode == BENCH_CONNECT
						       ? &all.handshake
						       : &all.latency) ||
		       fflush(b->hdr))) {
		wsx_error("--hdr: cannot write %s: %s", o->hdr,
			  strerror(errno));
		status = WSX_EXIT_FAIL;
	}

	if (!all.conns_opened && first) {
		/* nothing to measure: say why, with that failure's status */
		wsx_error("%s",
			  first->msg[0] ? first->msg : "could not connect");
		status = first->status ? first->status : WSX_EXIT_FAIL;
	} else if (bench_stats_errors(&all) || n_crossed) {
		if (first && first->msg[0])
			wsx_notice("first error: %s", first->msg);
		status = WSX_EXIT_FAIL;
	}
	if (b->interrupted)
		status = WSX_EXIT_INTERRUPTED;
	bench_stats_release(&all);
	return status;
}

/*
 * Plain `wsx bench` (no URL, no --mode, --rate or --in-flight): what this
 * machine can do, in two phases against the in-process server. First its
 * capacity, with BENCH_TOUR_IN_FLIGHT (report.h) messages in flight per
 * connection (one at a time measures the round trip, not the server); then
 * latency on a schedule at half that rate, where queues do not hide it. The
 * report is the second phase's, with the first one's rate.
 */
#define TOUR_PHASE_US (3 * 1000000ull)

static bool
bench_is_tour(const struct bench_opts *o, bool has_url)
{
	return !has_url && o->mode == BENCH_ECHO && !o->rate &&
	       !o->pipeline_set;
}

/* The capacity phase: messages received per second, saturated. */
static int
bench_tour_capacity(struct bench *b, double *per_s, struct wsx_err *err)
{
	struct bench_stats all;
	double secs;

	b->phase = "capacity";
	b->cfg.pipeline = BENCH_TOUR_IN_FLIGHT;
	if (bench_go(b, err))
		return -1;
	bench_stats_init(&all);
	for (unsigned i = 0; i < b->n_workers; i++) {
		bench_worker_join(b->workers[i]);
		bench_stats_merge(&all, bench_worker_stats(b->workers[i]));
		bench_worker_free(b->workers[i]);
	}
	free(b->workers);
	b->workers = NULL;
	b->n_workers = 0;
	secs = (double)b->cfg.duration_us / 1e6;
	*per_s = (double)all.msgs_in / secs;
	bench_stats_release(&all);
	/* the next phase starts a series of its own */
	bench_series_release(&b->series);
	bench_series_init(&b->series);
	b->next_second_us = b->last_second_us = 0;
	b->series_secs = 0;
	b->snap_pending = false;
	b->have_p99 = false;
	b->errors_so_far = 0;
	b->last_msgs = 0;
	return 0;
}

/* Half of per_s, to two significant digits: a round rate to read. */
static double
bench_tour_rate(double per_s)
{
	double half = per_s / 2, scale = 1;

	while (half / scale >= 100)
		scale *= 10;
	half = (double)(long)(half / scale) * scale;
	return half >= 1 ? half : 1;
}

static int
bench_tour(struct bench *b, struct wsx_err *err)
{
	double capacity;

	if (bench_tour_capacity(b, &capacity, err))
		return -1;
	if (b->interrupted) {
		wsx_notice("interrupted in the capacity phase (%.0f messages/s "
			   "so far)",
			   capacity);
		return WSX_EXIT_INTERRUPTED;
	}
	b->phase = "latency";
	b->cfg.pipeline = 1;
	b->cfg.rate = bench_tour_rate(capacity);
	b->interrupted = false;
	if (bench_go(b, err))
		return -1;
	return bench_finish(b, true, capacity);
}

static int
bench_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct bench_opts opts = {
		.connections = 64,
		.pipeline = 1,
		.size = 1024,
		.type = -1,
		.duration_us = 5 * 1000000ull,
		.warmup_us = 1000000ull,
	};
	struct bench b = { .opts = &opts };
	void *const targets[] = { &opts, &b.cfg.client, &b.cfg.lim, &common };
	struct embedded emb = { 0 };
	struct wsx_err err;
	int first, status;

	bench_series_init(&b.series);
	wsx_client_opts_init(&b.cfg.client);
	wsx_conn_limits_init(&b.cfg.lim);
	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (argc - first > 1) {
		status = cmd_usage(cmd, "unexpected argument '%s'",
				   argv[first + 1]);
		goto out;
	}
	if (!!opts.message + !!opts.file + opts.size_set > 1) {
		status = cmd_usage(
			cmd, "-m, --message and --file do not go together");
		goto out;
	}
	if (opts.compress &&
	    (opts.message ? !*opts.message : !opts.file && !opts.size)) {
		/* libwebsockets 4.1.6 asserts when it deflates an empty message
		 */
		status = cmd_usage(
			cmd, "--compress needs messages of 1 byte or more");
		goto out;
	}
	if (opts.rate > 0 &&
	    (opts.mode == BENCH_SINK || opts.mode == BENCH_CONNECT)) {
		status =
			cmd_usage(cmd, "--rate is for the echo and push modes");
		goto out;
	}

	if (bench_open_outputs(&b, &err))
		goto fail;
	b.loop = wsx_loop_new(&err);
	if (!b.loop)
		goto fail;
	wsx_loop_on_signal(b.loop, bench_signal, &b);
	b.tick = wsx_timer_new(b.loop, bench_tick, &b);
	if (first == argc) {
		if (embedded_start(&emb, &b.cfg.lim, &err))
			goto fail;
		if (bench_configure(&b, wsx_server_url(emb.server), &err))
			goto fail;
	} else if (bench_configure(&b, argv[first], &err)) {
		goto fail;
	}
	if (bench_is_tour(&opts, first != argc)) {
		if (!opts.duration_set)
			b.cfg.duration_us = TOUR_PHASE_US;
		status = bench_tour(&b, &err);
		if (status < 0)
			goto fail;
		goto out;
	}
	if (bench_go(&b, &err))
		goto fail;
	status = bench_finish(&b, first == argc, 0);
	goto out;
fail:
	status = cmd_fail(cmd, &err);
	for (unsigned i = 0; i < b.n_workers; i++)
		bench_worker_stop(b.workers[i]);
out:
	for (unsigned i = 0; i < b.n_workers; i++)
		bench_worker_free(b.workers[i]);
	free(b.workers);
	embedded_stop(&emb);
	wsx_timer_free(b.tick);
	wsx_loop_free(b.loop);
	bench_payload_release(&b.cfg.payload);
	wsx_client_opts_release(&b.cfg.client);
	bench_series_release(&b.series);
	if (b.html)
		fclose(b.html);
	if (b.hdr)
		fclose(b.hdr);
	return status;
}

static const struct wsx_optgroup *const bench_groups[] = {
	&bench_group,
	&wsx_client_optgroup,
	&wsx_conn_optgroup,
	&cmd_common_group,
	NULL,
};

const struct wsx_cmd cmd_bench = {
	.name = "bench",
	.args = "[options] [URL]",
	.summary =
		"measure throughput and latency: echo, push, sink or connect load",
	.description =
		"Open connections to URL and load it: in echo mode (the default) each\n"
		"message must come back, and the report gives messages/s, MB/s, round-\n"
		"trip latency percentiles, handshake times and errors; every echo is\n"
		"compared with what was sent. Without a URL, an echo server runs\n"
		"in-process on a loopback port and is measured. Exit status 1 when any\n"
		"error occurred or a --fail-if condition held.",
	.examples =
		"  wsx bench\n"
		"  wsx bench -c 16 -m 32 -i 16 ws://127.0.0.1:8080/\n"
		"  wsx bench -r 10000 -c 16 --fail-if 'p99>1ms' ws://127.0.0.1:8080/\n"
		"  wsx bench --mode connect -c 8 -d 3 --json ws://127.0.0.1:8080/\n",
	.groups = bench_groups,
	.run = bench_run,
};
