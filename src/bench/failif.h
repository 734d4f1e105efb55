/*
 * --fail-if 'p99>5ms,errors>0': thresholds on a bench summary that turn a
 * run into exit status 1 when crossed, for CI jobs that guard performance.
 */
#ifndef WSX_BENCH_FAILIF_H
#define WSX_BENCH_FAILIF_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/report.h"
#include "util/err.h"

#define BENCH_FAILIF_MAX 16

struct bench_failif {
	char text[64]; /* as written, for the report */
	int metric;
	int op;
	double value; /* latencies in ms */
};

/* Parse comma-separated conditions, appending to list (*n in use). */
int bench_failif_parse(const char *spec, struct bench_failif *list, size_t *n,
		       struct wsx_err *err);
bool bench_failif_crossed(const struct bench_failif *f,
			  const struct bench_summary *s);

#endif
