/*
 * Latency histogram, HdrHistogram-style log-linear buckets: 256 sub-buckets
 * per power of two, so a percentile is at most 0.8% above the true value.
 * Fixed size (no allocation), mergeable across threads.
 */
#ifndef WSX_UTIL_HIST_H
#define WSX_UTIL_HIST_H

#include <stdint.h>

#define WSX_HIST_SUB_BITS 8
#define WSX_HIST_SUB	  (1u << WSX_HIST_SUB_BITS)
#define WSX_HIST_MAGS	  41 /* values up to 2^47 */
#define WSX_HIST_BUCKETS  (WSX_HIST_SUB * WSX_HIST_MAGS)

struct wsx_hist {
	uint64_t count, sum, min, max;
	uint64_t b[WSX_HIST_BUCKETS];
};

int wsx_hist_init(struct wsx_hist *h);
void wsx_hist_release(struct wsx_hist *h);
void wsx_hist_reset(struct wsx_hist *h);
void wsx_hist_record(struct wsx_hist *h, uint64_t v);
void wsx_hist_merge(struct wsx_hist *into, const struct wsx_hist *from);
uint64_t wsx_hist_count(const struct wsx_hist *h);
uint64_t wsx_hist_min(const struct wsx_hist *h);
uint64_t wsx_hist_max(const struct wsx_hist *h);
double wsx_hist_mean(const struct wsx_hist *h);
/* p in [0,100]: the highest value equivalent to that bucket, at most max */
uint64_t wsx_hist_percentile(const struct wsx_hist *h, double p);

#endif
