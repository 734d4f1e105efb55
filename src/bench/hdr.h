/*
 * --hdr FILE: a latency distribution in the text HdrHistogram's
 * outputPercentileDistribution() and wrk2 print (values in milliseconds,
 * five percentile ticks per half distance, the #[Mean ...] footer), which
 * HdrHistogram's plotter and the tools around it read.
 */
#ifndef WSX_BENCH_HDR_H
#define WSX_BENCH_HDR_H

#include <stdio.h>

#include "util/hist.h"

/* h holds nanoseconds; 0, or -1 when out could not be written */
int bench_write_hdr(FILE *out, const struct wsx_hist *h);
/*
 * The percentile (0..100) after p < 100 in that table: five ticks per
 * halving of the distance to 100% (0, 10, ... 50, 55, ... 75, 77.5, ...).
 */
double bench_hdr_next_tick(double p);

#endif
