/*
 * The end of a `wsx bench` run: the merged stats turned into the numbers a
 * user reads (a text report on stdout, or one JSON document with --json),
 * and the progress line shown on a terminal while it runs.
 */
#ifndef WSX_BENCH_REPORT_H
#define WSX_BENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "bench/series.h"
#include "bench/stats.h"
#include "bench/worker.h"

/* The numbers --fail-if can test, latencies in milliseconds. */
struct bench_summary {
	double secs; /* the measured window */
	double sent_per_s, recv_per_s, sent_mb_per_s, recv_mb_per_s;
	double conns_per_s;
	double p50, p90, p99, p999, max, mean; /* round trip, ms */
	double hs_p50, hs_p99;		       /* handshake, ms */
	double errors, mismatched;
};

void bench_summarize(const struct bench_stats *s, double secs,
		     struct bench_summary *out);

/* what the report says about the run besides the stats */
struct bench_run_info {
	const struct bench_cfg *cfg;
	bool embedded; /* the URL is our own in-process echo server */
	bool interrupted;
	const char *const
		*fail_if; /* expressions that were crossed, NULL-ended */
	const struct bench_series *series; /* each second measured */
	/* plain `wsx bench`: the messages/s its capacity phase reached,
	 * reported with its latency phase (this run); else 0 */
	double capacity_per_s;
};

/* plain `wsx bench`'s capacity phase: messages in flight per connection */
#define BENCH_TOUR_IN_FLIGHT 16

void bench_report_text(FILE *out, const struct bench_run_info *run,
		       const struct bench_stats *s,
		       const struct bench_summary *sum);
/* one JSON document and a newline; -1 only if out of memory */
int bench_report_json(FILE *out, const struct bench_run_info *run,
		      const struct bench_stats *s,
		      const struct bench_summary *sum);

const char *bench_mode_name(enum bench_mode mode);
/* How the messages are sent: "1000/s in all (open loop)", "16 in flight
 * per connection" or "as fast as they go" (echo and push modes). */
void bench_describe_pace(char *buf, size_t cap, const struct bench_cfg *cfg);

#endif
