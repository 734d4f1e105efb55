#include "config.h"
/*
 * bench/hdr: the HdrHistogram percentile distribution text of --hdr, read
 * back: header, rows of four columns on HdrHistogram's percentile ticks,
 * the 100% row with "inf", the #[...] footer; an empty histogram; one
 * value; a failed write.
 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hdr.h"
#include "tap.h"

#define HEADER	 "       Value   Percentile   TotalCount 1/(1-Percentile)"
#define MAX_ROWS 512

static struct wsx_hist h; /* ~43 KiB: off the stack */

struct row {
	double value, pct, inv;
	unsigned long long count;
	size_t len;
	char text[128];
};

struct table {
	char *buf;
	size_t len;
	int rc;
	char *lines[MAX_ROWS + 8];
	size_t n_lines;
	struct row rows[MAX_ROWS];
	size_t n_rows;
	double mean, sd, max;
	unsigned long long total;
	int buckets, sub_buckets, footer_ok;
};

/* Write h with bench_write_hdr into t, split it into lines and rows. */
static void
table_read(struct table *t, const struct wsx_hist *hist)
{
	FILE *f;
	char *p, *nl;

	memset(t, 0, sizeof(*t));
	f = open_memstream(&t->buf, &t->len);
	t->rc = bench_write_hdr(f, hist);
	fclose(f);
	for (p = t->buf; *p && t->n_lines < MAX_ROWS + 8; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		t->lines[t->n_lines++] = p;
	}
	for (size_t i = 2; i < t->n_lines && t->lines[i][0] != '#'; i++) {
		struct row *r = &t->rows[t->n_rows];

		if (t->n_rows == MAX_ROWS ||
		    sscanf(t->lines[i], "%lf %lf %llu %lf", &r->value, &r->pct,
			   &r->count, &r->inv) != 4)
			break;
		r->len = strlen(t->lines[i]);
		snprintf(r->text, sizeof(r->text), "%s", t->lines[i]);
		t->n_rows++;
	}
	if (t->n_lines == 2 + t->n_rows + 3) {
		char **f3 = &t->lines[2 + t->n_rows];

		t->footer_ok =
			sscanf(f3[0], "#[Mean    = %lf, StdDeviation   = %lf]",
			       &t->mean, &t->sd) == 2 &&
			sscanf(f3[1], "#[Max     = %lf, Total count    = %llu]",
			       &t->max, &t->total) == 2 &&
			sscanf(f3[2], "#[Buckets = %d, SubBuckets     = %d]",
			       &t->buckets, &t->sub_buckets) == 2;
	}
}

static void
test_empty(void)
{
	static const char want[] = HEADER
		"\n"
		"\n"
		"#[Mean    =        0.000, StdDeviation   =        0.000]\n"
		"#[Max     =        0.000, Total count    =            0]\n"
		"#[Buckets =           41, SubBuckets     =          256]\n";

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	wsx_hist_init(&h);
	is_int(bench_write_hdr(f, &h), 0, "empty: written");
	fclose(f);
	is_str(buf, want, "empty: header, no rows, a footer of zeros");
	free(buf);
}

static void
test_one(void)
{
	struct table t;

	wsx_hist_init(&h);
	wsx_hist_record(&h, 1500000); /* 1.5 ms */
	table_read(&t, &h);
	is_size(t.n_rows, 2, "one value: a 0%% row and a 100%% row");
	ok(t.n_rows == 2 && t.rows[0].pct == 0 && t.rows[0].count == 1 &&
		   t.rows[0].value == 1.5 && t.rows[0].inv == 1,
	   "one value: 0%% row is 1.500 ms, count 1");
	ok(t.n_rows == 2 && t.rows[1].pct == 1 && t.rows[1].count == 1 &&
		   t.rows[1].value == 1.5 && isinf(t.rows[1].inv),
	   "one value: 100%% row is 1.500 ms, count 1, inf");
	ok(t.footer_ok && t.mean == 1.5 && t.sd == 0 && t.max == 1.5 &&
		   t.total == 1,
	   "one value: footer mean 1.5, sd 0, max 1.5, count 1");
	free(t.buf);
}

/* The percentiles HdrHistogram's iterator stops at first, 5 per half. */
static void
test_ticks(const struct table *t)
{
	static const double want[] = { 0,    0.1,   0.2,  0.3,	 0.4,	0.5,
				       0.55, 0.6,   0.65, 0.7,	 0.75,	0.775,
				       0.8,  0.825, 0.85, 0.875, 0.8875 };
	size_t n = sizeof(want) / sizeof(want[0]);
	int same = t->n_rows > n;

	for (size_t i = 0; same && i < n; i++)
		if (fabs(t->rows[i].pct - want[i]) > 1e-7) {
			diag("row %zu: %s", i, t->rows[i].text);
			same = 0;
		}
	ok(same, "uniform: percentiles 0, 0.1 .. 0.5, 0.55 .. 0.75, "
		 "0.775 .. 0.875, 0.8875");
}

static void
test_uniform(void)
{
	struct table t;
	int mono = 1, widths = 1, near = 1, inv = 1;
	const struct row *half = NULL, *last;

	/* 1 .. 10000 microseconds, once each */
	wsx_hist_init(&h);
	for (uint64_t us = 1; us <= 10000; us++)
		wsx_hist_record(&h, us * 1000);
	table_read(&t, &h);
	is_int(t.rc, 0, "uniform: written");
	ok(t.n_lines > 2 && !strcmp(t.lines[0], HEADER),
	   "uniform: the header line");
	ok(t.n_lines > 2 && !strcmp(t.lines[1], ""),
	   "uniform: a blank line after it");
	/* 5 ticks per halving down to 1/10000: about 45 rows */
	ok(t.n_rows > 30 && t.n_rows < 100, "uniform: %zu rows", t.n_rows);
	ok(t.footer_ok,
	   "uniform: the rows, then three footer lines, nothing more");
	for (size_t i = 0; i < t.n_rows; i++) {
		const struct row *r = &t.rows[i];
		double want;

		/* %12.3f %12f %12d %12.2f */
		if (r->len != 51 || r->text[12] != ' ' || r->text[25] != ' ' ||
		    r->text[38] != ' ')
			widths = 0;
		if (i && (r->pct <= t.rows[i - 1].pct ||
			  r->value < t.rows[i - 1].value ||
			  r->count < t.rows[i - 1].count))
			mono = 0;
		/* the percentile column is rounded to 6 decimals */
		if (i + 1 < t.n_rows && fabs(r->inv - 1 / (1 - r->pct)) >
						0.01 + 6e-7 * r->inv * r->inv)
			inv = 0;
		/* the value of that percentile, to the bucket and the 3
		 * decimals; the percentile column itself has 6 */
		want = (double)wsx_hist_percentile(&h, r->pct * 100) / 1e6;
		if (fabs(r->value - want) > want / 128 + 0.0015) {
			diag("row %s: wanted about %.3f", r->text, want);
			near = 0;
		}
		if (!half && r->pct >= 0.5)
			half = r;
	}
	ok(widths, "uniform: every row is %%12.3f %%12f %%12d %%12.2f");
	ok(mono, "uniform: percentiles rise, values and counts never fall");
	ok(inv, "uniform: the last column is 1/(1-Percentile)");
	ok(near, "uniform: each value is that percentile's");
	test_ticks(&t);
	ok(half && half->pct == 0.5 && half->count >= 5000 &&
		   half->count <= 5000 + 5000 / 128,
	   "uniform: the 50%% row counts about half (%llu)",
	   half ? half->count : 0);
	ok(half && fabs(half->value - 5.0) < 5.0 / 128 + 0.001,
	   "uniform: the 50%% row is about 5 ms (%.3f)",
	   half ? half->value : 0);
	last = t.n_rows ? &t.rows[t.n_rows - 1] : NULL;
	ok(last && last->pct == 1 && last->count == 10000 &&
		   last->value == 10.0 && strstr(last->text, " inf"),
	   "uniform: the last row is 100%%, 10000, 10.000 ms, inf");
	ok(t.n_rows > 2 && t.rows[t.n_rows - 2].count == 10000 &&
		   t.rows[t.n_rows - 2].pct < 1,
	   "uniform: the row before is the first tick in the last bucket");
	ok(fabs(t.mean - wsx_hist_mean(&h) / 1e6) <= 0.0005,
	   "uniform: footer mean %.3f is the histogram's", t.mean);
	ok(fabs(t.max - (double)wsx_hist_max(&h) / 1e6) <= 0.0005,
	   "uniform: footer max %.3f is the histogram's", t.max);
	/* 10 ms / sqrt(12) */
	ok(fabs(t.sd - 10.0 / sqrt(12)) < 10.0 / sqrt(12) / 128,
	   "uniform: footer stddev %.3f is about 2.887", t.sd);
	is_u64(t.total, 10000, "uniform: footer total count");
	ok(t.buckets == WSX_HIST_SHIFTS + 1 && t.sub_buckets == WSX_HIST_SUB,
	   "uniform: footer geometry 41 x 256");
	free(t.buf);
}

static void
test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		ok(1, "no /dev/full here: a failed write not tried");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	wsx_hist_init(&h);
	wsx_hist_record(&h, 1000);
	is_int(bench_write_hdr(f, &h), -1, "a failed write returns -1");
	fclose(f);
}

int
main(void)
{
	test_empty();
	test_one();
	test_uniform();
	test_write_error();
	return done_testing();
}
