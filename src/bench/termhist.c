/* The report's latency histogram; see termhist.h. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bench/termhist.h"

/* so that a row with every mark still fits in 80 columns */
#define BAR_COLUMNS 36

void
bench_termhist_style(FILE *out, struct bench_termhist_style *st)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	st->utf8 = false;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (!v || !*v)
			continue; /* the first one set decides, as in setlocale
				   */
		st->utf8 = strcasestr(v, "utf-8") || strcasestr(v, "utf8");
		break;
	}
	st->color = isatty(fileno(out)) && (!no_color || !*no_color) && term &&
		    strcmp(term, "dumb");
}

/* "0.0312", "12.5", "1234": about four significant digits, in ms */
static void
fmt_ms(char *buf, size_t cap, uint64_t ns)
{
	double v = (double)ns / 1e6;

	if (v < 1)
		snprintf(buf, cap, "%.4f", v);
	else if (v < 100)
		snprintf(buf, cap, "%.2f", v);
	else
		snprintf(buf, cap, "%.0f", v);
}

/* count as a bar of BAR_COLUMNS at most, scaled to top */
static void
print_bar(FILE *out, uint64_t count, uint64_t top,
	  const struct bench_termhist_style *st)
{
	static const char *const eighths[] = { "",  "▏", "▎", "▍",
					       "▌", "▋", "▊", "▉" };
	unsigned units =
		(unsigned)((double)count / (double)top * BAR_COLUMNS * 8 + 0.5);
	unsigned cols = 0;

	if (count && !units)
		units = 1; /* something: it happened */
	if (st->color)
		fputs("\033[36m", out);
	for (; units >= 8; units -= 8, cols++)
		fputs(st->utf8 ? "█" : "#", out);
	if (units) {
		fputs(st->utf8 ? eighths[units] : (units >= 4 ? "#" : "."),
		      out);
		cols++;
	}
	if (st->color)
		fputs("\033[0m", out);
	for (; cols < BAR_COLUMNS + 1; cols++)
		fputc(' ', out);
}

void
bench_termhist_print(FILE *out, const struct wsx_hist *h, const char *what,
		     const struct bench_termhist_style *st)
{
	static const struct {
		double p;
		const char *name;
	} marks[] = {
		{ 50, "p50" }, { 90, "p90" }, { 99, "p99" }, { 99.9, "p99.9" }
	};
	uint64_t lo = wsx_hist_min(h), hi = wsx_hist_max(h), at[4];
	uint64_t counts[BENCH_TERMHIST_ROWS], edges[BENCH_TERMHIST_ROWS + 1];
	uint64_t top = 0, below;
	unsigned rows;
	double f;

	if (!wsx_hist_count(h))
		return;
	if (lo < 1)
		lo = 1;
	if (hi < lo)
		hi = lo;
	/* rows a factor f apart, f at least sqrt(2), at most ROWS of them */
	f = pow((double)hi / (double)lo, 1.0 / BENCH_TERMHIST_ROWS);
	if (f < M_SQRT2)
		f = M_SQRT2;
	rows = (unsigned)ceil(log((double)hi / (double)lo) / log(f));
	if (rows < 1)
		rows = 1;
	if (rows > BENCH_TERMHIST_ROWS)
		rows = BENCH_TERMHIST_ROWS;
	edges[0] = lo - 1;
	for (unsigned i = 1; i <= rows; i++)
		edges[i] = i == rows ? hi : (uint64_t)((double)lo * pow(f, i));
	below = 0; /* every value is at least lo */
	for (unsigned i = 0; i < rows; i++) {
		uint64_t upto = i == rows - 1
					? wsx_hist_count(h)
					: wsx_hist_count_upto(h, edges[i + 1]);

		counts[i] = upto - below;
		below = upto;
		if (counts[i] > top)
			top = counts[i];
	}
	for (size_t m = 0; m < 4; m++)
		at[m] = wsx_hist_percentile(h, marks[m].p);
	fprintf(out, "\n%s histogram (%llu samples, ms)\n", what,
		(unsigned long long)wsx_hist_count(h));
	for (unsigned i = 0; i < rows; i++) {
		char v[32];
		bool first_mark = true;

		fmt_ms(v, sizeof(v), edges[i + 1]);
		fprintf(out, "  %s %9s %s ", st->utf8 ? "≤" : "<=", v,
			st->utf8 ? "│" : "|");
		print_bar(out, counts[i], top, st);
		fprintf(out, "%10llu", (unsigned long long)counts[i]);
		for (size_t m = 0; m < 4; m++) {
			if (at[m] <= edges[i] || at[m] > edges[i + 1])
				continue;
			fprintf(out, "%s%s%s%s", first_mark ? "  " : " ",
				st->color ? "\033[1m" : "", marks[m].name,
				st->color ? "\033[0m" : "");
			first_mark = false;
		}
		fputc('\n', out);
	}
}
