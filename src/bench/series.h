/*
 * What a `wsx bench` run did each second of its measured window: messages
 * each way, handshakes, errors, and the latency of the samples taken in that
 * second. The main thread fills it from the workers' snapshots (worker.h)
 * once a second, and from their final stats for the last, shorter second.
 */
#ifndef WSX_BENCH_SERIES_H
#define WSX_BENCH_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "bench/stats.h"

struct bench_second {
	double secs; /* its length: 1, or less for the last one */
	uint64_t sent, received;
	uint64_t opened; /* handshakes completed */
	uint64_t errors;
	/* latency samples taken in it (round trip, delivery, or handshake in
	 * connect mode), in ns; p50_ns and p99_ns are 0 without any */
	uint64_t samples, p50_ns, p99_ns;
};

struct bench_series {
	struct bench_second *at; /* at[i]: second i of the measured window */
	size_t n, cap;
	struct bench_stats prev; /* the totals at the end of at[n - 1] */
};

void bench_series_init(struct bench_series *s);
void bench_series_release(struct bench_series *s);
/* One second more: what happened since the last one, from the totals now
 * (connect mode: latency is the handshake's). */
void bench_series_add(struct bench_series *s, const struct bench_stats *now,
		      double secs, int connect_mode);

#endif
