/*
 * Latency histogram with HdrHistogram-style log-linear buckets: values below
 * 256 are counted exactly, larger ones in buckets 1/128 of their size, so a
 * reported percentile is never below the true value and less than 0.8% above.
 */
#ifndef WSX_UTIL_HIST_H
#define WSX_UTIL_HIST_H

#include <stdbool.h>
#include <stdint.h>

/* Below 2^SUB_BITS values are exact; above, HALF buckets per power of 2 */
#define WSX_HIST_SUB_BITS 8
#define WSX_HIST_SUB	  (1u << WSX_HIST_SUB_BITS)
#define WSX_HIST_HALF	  (WSX_HIST_SUB / 2)
/* Largest shift, so values up to 2^48 - 1 (78 hours of ns) keep the bound */
#define WSX_HIST_SHIFTS 40
#define WSX_HIST_RANGE_MAX                                                     \
	((UINT64_C(1) << (WSX_HIST_SUB_BITS + WSX_HIST_SHIFTS)) - 1)
#define WSX_HIST_BUCKETS ((WSX_HIST_SHIFTS + 2) * WSX_HIST_HALF) /* 5376 */

/*
 * A fixed-size value (about 43 KiB): embed it or copy it, nothing is
 * allocated. All-zero bytes are an empty histogram. Not thread-safe: give
 * each thread its own and merge them. Read it through the functions below.
 */
struct wsx_hist {
	uint64_t count, sum, min, max;
	uint64_t b[WSX_HIST_BUCKETS];
};

/* Empties h; always returns 0 (there is nothing to allocate). */
int wsx_hist_init(struct wsx_hist *h);
/* Nothing to free: kept so owners have one release path. */
void wsx_hist_release(struct wsx_hist *h);
void wsx_hist_reset(struct wsx_hist *h);
/*
 * Count v: no allocation, a clz and a shift. A value above WSX_HIST_RANGE_MAX
 * is counted in the top bucket; min, max and the sum still see its true value.
 */
void wsx_hist_record(struct wsx_hist *h, uint64_t v);
/* Add everything counted in from to into (per-thread histograms). */
void wsx_hist_merge(struct wsx_hist *into, const struct wsx_hist *from);
uint64_t wsx_hist_count(const struct wsx_hist *h);
/* Exact smallest and largest values recorded; 0 when empty. */
uint64_t wsx_hist_min(const struct wsx_hist *h);
uint64_t wsx_hist_max(const struct wsx_hist *h);
/* Exact while the sum of the values fits in 64 bits; 0 when empty. */
double wsx_hist_mean(const struct wsx_hist *h);
/*
 * p in [0,100]: the value at or below which at least p% of the values lie
 * (nearest rank), as the highest value of its bucket but at most max. p <= 0
 * (or NaN) gives min, p >= 100 gives max, an empty histogram gives 0. A rank
 * that falls among values above WSX_HIST_RANGE_MAX gives max.
 */
uint64_t wsx_hist_percentile(const struct wsx_hist *h, double p);
/* How many values were counted in the buckets up to v's (so at or below v,
 * within the buckets' precision). */
uint64_t wsx_hist_count_upto(const struct wsx_hist *h, uint64_t v);
/*
 * Population standard deviation, from the buckets: each bucket's values
 * taken at the middle of its range (below 256, the exact value); 0 when
 * empty. Within the bucket precision of the true one.
 */
double wsx_hist_stddev(const struct wsx_hist *h);

/* One non-empty bucket: its values lie in [lo, hi], bounded by min and max
 * (the top bucket, which also holds the values past the range, ends at max) */
struct wsx_hist_bucket {
	uint64_t lo, hi, count;
};

/*
 * Walk the non-empty buckets from the smallest values up: start with
 * *pos = 0; each call fills out and returns true, or false after the last.
 */
bool wsx_hist_next_bucket(const struct wsx_hist *h, unsigned *pos,
			  struct wsx_hist_bucket *out);

#endif
