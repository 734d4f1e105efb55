/*
 * The latency histogram at the end of a text report: log-spaced rows from
 * the fastest to the slowest sample, a bar each, and the rows where p50,
 * p90, p99 and p99.9 fall marked. Unicode block characters on a UTF-8
 * terminal (eighths of a column), ASCII otherwise; colour only on a
 * terminal and never under NO_COLOR.
 */
#ifndef WSX_BENCH_TERMHIST_H
#define WSX_BENCH_TERMHIST_H

#include <stdbool.h>
#include <stdio.h>

#include "util/hist.h"

/* the most rows it prints */
#define BENCH_TERMHIST_ROWS 16

struct bench_termhist_style {
	bool utf8;  /* block characters */
	bool color; /* ANSI colours */
};

/* What out can show: UTF-8 from the locale's variables, colour when it is
 * a terminal, TERM is not "dumb" and NO_COLOR is unset or empty. */
void bench_termhist_style(FILE *out, struct bench_termhist_style *st);
/* h in ns; nothing when it is empty */
void bench_termhist_print(FILE *out, const struct wsx_hist *h, const char *what,
			  const struct bench_termhist_style *st);

#endif
