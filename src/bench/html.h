/*
 * --html FILE: one self-contained page (no network, no script) with the
 * run's pictures as inline SVG: messages per second over the run, the
 * latency percentile curve on a log "nines" axis (50% ... 99.999%), and the
 * run's parameters and totals.
 */
#ifndef WSX_BENCH_HTML_H
#define WSX_BENCH_HTML_H

#include <stdio.h>

#include "bench/report.h"

/* 0, or -1 when out could not be written */
int bench_write_html(FILE *out, const struct bench_run_info *run,
		     const struct bench_stats *s,
		     const struct bench_summary *sum);

#endif
