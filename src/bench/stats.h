/*
 * What one `wsx bench` thread counted: traffic each way, latency and
 * handshake histograms, errors by kind. Each thread owns its own; the main
 * thread merges them once the threads are done.
 */
#ifndef WSX_BENCH_STATS_H
#define WSX_BENCH_STATS_H

#include <stdint.h>

#include "util/hist.h"

/* a small count-by-key table: HTTP statuses, close codes */
#define BENCH_KEYS 16
struct bench_counts {
	int key[BENCH_KEYS];
	uint64_t count[BENCH_KEYS];
	uint64_t other; /* keys that did not fit */
};

struct bench_stats {
	uint64_t msgs_out, bytes_out, msgs_in, bytes_in;
	uint64_t conns_opened; /* handshakes completed */
	uint64_t compared, mismatched;
	/* errors */
	uint64_t connect_failed; /* refused, unreachable, DNS */
	uint64_t timeouts;	 /* connect or close timed out */
	uint64_t tls_failed;
	struct bench_counts http_status; /* handshakes refused */
	struct bench_counts closes;	 /* unexpected closes, by code */
	/* latency in ns: round trip (echo); handshake */
	struct wsx_hist latency, handshake;
};

void bench_stats_init(struct bench_stats *s);
void bench_stats_release(struct bench_stats *s);
void bench_stats_merge(struct bench_stats *into,
		       const struct bench_stats *from);
void bench_counts_add(struct bench_counts *c, int key, uint64_t n);
uint64_t bench_stats_errors(const struct bench_stats *s);

#endif
