/*
 * One `wsx bench` load thread: its own event loop (libwebsockets context)
 * and its share of the connections, driven in one of four modes. The main
 * thread creates the workers, starts them, asks them to stop early on a
 * signal, reads their progress counters, and merges their stats at the end.
 */
#ifndef WSX_BENCH_WORKER_H
#define WSX_BENCH_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "bench/payload.h"
#include "bench/stats.h"
#include "proto/client.h"
#include "proto/conn.h"

enum bench_mode {
	BENCH_ECHO,    /* every message comes back: round-trip latency */
	BENCH_PUSH,    /* only send */
	BENCH_SINK,    /* only receive */
	BENCH_CONNECT, /* open, handshake, close, again */
};

/* What every worker shares, read-only once the workers start. */
struct bench_cfg {
	const char *url;
	enum bench_mode mode;
	unsigned connections;
	unsigned threads;
	unsigned pipeline;   /* closed loop: messages in flight */
	double rate;	     /* open loop: messages/s over all; 0: closed */
	double connect_rate; /* connections opened per second; 0: all */
	uint64_t warmup_us, duration_us;
	bool compress;
	struct bench_payload payload;
	struct wsx_client_opts client;
	struct wsx_conn_limits lim;
};

struct bench_worker;

/* Create a worker for `connections` of the cfg's connections. */
struct bench_worker *bench_worker_new(const struct bench_cfg *cfg,
				      unsigned connections,
				      struct wsx_err *err);
/* Show the handshake of this worker's first n connections with -v. */
void bench_worker_trace(struct bench_worker *w, unsigned connections);
/* Start its thread; t0_us is the common start (warm-up begins). */
int bench_worker_start(struct bench_worker *w, uint64_t t0_us,
		       struct wsx_err *err);
/* Ask it to finish now, as if the duration were over (any thread). */
void bench_worker_stop(struct bench_worker *w);
/* Wait for its thread; then its stats are final. */
void bench_worker_join(struct bench_worker *w);
bool bench_worker_done(const struct bench_worker *w);
/* For the progress line: messages and bytes so far (any thread). */
uint64_t bench_worker_progress(const struct bench_worker *w, uint64_t *bytes);
const struct bench_stats *bench_worker_stats(const struct bench_worker *w);
/*
 * Per-second figures: ask for a copy of its stats as they are now (any
 * thread; it is taken on the worker's thread within about 10 ms), then,
 * once bench_worker_snapshot() returns true, that copy was merged into
 * `into`. seq numbers the requests (1, 2, ...).
 */
void bench_worker_want_snapshot(struct bench_worker *w, unsigned seq);
bool bench_worker_snapshot(struct bench_worker *w, unsigned seq,
			   struct bench_stats *into);
/* The first connection failure, for the exit status when none opened. */
const struct wsx_close *
bench_worker_first_failure(const struct bench_worker *w);
void bench_worker_free(struct bench_worker *w);

#endif
