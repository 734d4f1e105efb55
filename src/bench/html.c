/*
 * The --html report page; see html.h.
 *
 * Plain HTML5 with inline CSS and inline SVG (no xmlns needed there), no
 * script, no font or image from anywhere: the file opens the same offline,
 * in a mail attachment or printed. Charts are drawn in a fixed 900 x 360
 * user space; everything in them is a polyline, line or text, so a test can
 * read the points back. Numbers are printed in the C locale (wsx never
 * calls setlocale), with fixed formats.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bench/hdr.h"
#include "bench/html.h"
#include "util/closecode.h"

/* the plot area inside each 900 x 360 chart */
#define CHART_W	    900
#define CHART_H	    360
#define PLOT_LEFT   80
#define PLOT_RIGHT  830 /* room on the right for the p99 axis */
#define PLOT_TOP    30
#define PLOT_BOTTOM 300

/* a latency curve needs few points: the fixed ones and HdrHistogram's ticks */
#define CURVE_MAX_POINTS 160
#define CURVE_NINES	 5 /* the x axis ends at 99.999% */

static const char page_css[] =
	"body{margin:0;background:#fafafa;color:#222;"
	"font:15px/1.4 system-ui,-apple-system,\"Segoe UI\",Helvetica,Arial,"
	"sans-serif}\n"
	"main{width:900px;margin:24px auto}\n"
	"h1{font-size:22px;margin:0 0 4px}\n"
	"h2{font-size:17px;margin:28px 0 6px}\n"
	".url{font-family:ui-monospace,Menlo,Consolas,monospace;margin:0 0 "
	"12px;word-break:break-all}\n"
	"table{border-collapse:collapse;margin:6px 0}\n"
	"th{text-align:left;font-weight:600;padding:2px 16px 2px 0;"
	"vertical-align:top;white-space:nowrap}\n"
	"td{padding:2px 16px 2px 0;font-variant-numeric:tabular-nums}\n"
	".warn{color:#a00;font-weight:600}\n"
	"svg{display:block;background:#fff;border:1px solid #ccc}\n"
	"svg text{font:12px system-ui,Helvetica,Arial,sans-serif;fill:#222}\n"
	"svg .title{font-size:13px;font-weight:600}\n"
	"svg .grid{stroke:#e4e4e4;stroke-width:1}\n"
	"svg .axis{stroke:#444;stroke-width:1}\n"
	"svg .series{fill:none;stroke-width:2;stroke-linejoin:round}\n"
	"svg .throughput{stroke:#1f5fbf}\n"
	"svg .p99{stroke:#d2691e;stroke-dasharray:6 3}\n"
	"svg .latency{stroke:#2a7d2a}\n"
	"svg .dot{fill:#1f5fbf}\n"
	"svg .end{fill:#2a7d2a}\n"
	"svg .none{font-size:16px;fill:#777}\n"
	"footer{margin:24px 0;color:#666;font-size:13px}\n";

/* --- small helpers ---------------------------------------------------------
 */

/* s as HTML text or attribute value; control characters become U+FFFD */
static void
html_puts(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				fputs("&#xFFFD;", out);
			else
				fputc(*s, out);
		}
	}
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/*
 * A round step for an axis from 0 to about top, ~5 ticks: 1, 2 or 5 times a
 * power of ten. *end is the first multiple of the step at or above top.
 */
static double
nice_step(double top, double *end)
{
	double raw, mag, norm, step;

	if (!(top > 0) || !isfinite(top))
		top = 1;
	raw = top / 5;
	mag = pow(10, floor(log10(raw)));
	norm = raw / mag;
	step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
	*end = ceil(top / step - 1e-9) * step;
	return step;
}

/* Digits after the point so that multiples of step print distinctly. */
static int
step_decimals(double step)
{
	int d = (int)ceil(-log10(step) - 1e-9);

	return d > 0 ? (d < 6 ? d : 6) : 0;
}

static double
x_of(double v, double lo, double hi)
{
	return PLOT_LEFT + (v - lo) / (hi - lo) * (PLOT_RIGHT - PLOT_LEFT);
}

static double
y_of(double v, double top)
{
	return PLOT_BOTTOM - v / top * (PLOT_BOTTOM - PLOT_TOP);
}

static void
svg_open(FILE *out, const char *id, const char *label)
{
	fprintf(out,
		"<svg id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		"role=\"img\" aria-label=\"%s\">\n",
		id, CHART_W, CHART_H, CHART_W, CHART_H, label);
}

/* The frame, and the left axis from 0 to top with its grid and title. */
static void
svg_left_axis(FILE *out, double top, double step, const char *title)
{
	int d = step_decimals(step);

	for (double v = 0; v <= top + step / 2; v += step) {
		double y = y_of(v, top);

		fprintf(out,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
			"y2=\"%.1f\"/>\n",
			PLOT_LEFT, y, PLOT_RIGHT, y);
		fprintf(out,
			"<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.*f</text>\n",
			PLOT_LEFT - 6, y + 4, d, v);
	}
	fprintf(out,
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
		"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_BOTTOM, PLOT_LEFT,
		PLOT_BOTTOM, PLOT_RIGHT, PLOT_BOTTOM);
	fprintf(out,
		"<text class=\"title\" transform=\"translate(18 %d) rotate(-90)\" "
		"text-anchor=\"middle\">%s</text>\n",
		(PLOT_TOP + PLOT_BOTTOM) / 2, title);
}

/* A labelled tick on the x axis, with its grid line. */
static void
svg_x_tick(FILE *out, double x, const char *label)
{
	fprintf(out,
		"<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n",
		x, PLOT_TOP, x, PLOT_BOTTOM);
	fprintf(out,
		"<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
		"y2=\"%d\"/>\n",
		x, PLOT_BOTTOM, x, PLOT_BOTTOM + 5);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
		x, PLOT_BOTTOM + 20, label);
}

static void
svg_x_title(FILE *out, const char *title)
{
	fprintf(out,
		"<text class=\"title\" x=\"%d\" y=\"%d\" "
		"text-anchor=\"middle\">%s</text>\n",
		(PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 44, title);
}

/* --- chart 1: messages per second -------------------------------------------
 */

/* What a second's count of "messages" is in each mode. */
static uint64_t
second_count(const struct bench_second *sec, enum bench_mode mode)
{
	switch (mode) {
	case BENCH_PUSH:
		return sec->sent;
	case BENCH_CONNECT:
		return sec->opened;
	case BENCH_ECHO:
	case BENCH_SINK:
		break;
	}
	return sec->received;
}

static double
second_rate(const struct bench_second *sec, enum bench_mode mode)
{
	return sec->secs > 0 ? (double)second_count(sec, mode) / sec->secs : 0;
}

static void
chart_throughput(FILE *out, const struct bench_run_info *run)
{
	const struct bench_series *ser = run->series;
	enum bench_mode mode = run->cfg->mode;
	const char *what =
		mode == BENCH_CONNECT ? "connections opened per second"
		: mode == BENCH_PUSH  ? "messages sent per second"
				      : "messages received per second";
	size_t n = ser ? ser->n : 0;
	double total = 0, top = 0, p99_top = 0, t, xs, step, end, p99_step = 0;
	bool p99 = false;
	char label[32];

	for (size_t i = 0; i < n; i++) {
		double r = second_rate(&ser->at[i], mode);

		total += ser->at[i].secs;
		top = r > top ? r : top;
		if (ser->at[i].samples) {
			p99 = true;
			if (ms(ser->at[i].p99_ns) > p99_top)
				p99_top = ms(ser->at[i].p99_ns);
		}
	}
	svg_open(out, "throughput", what);
	step = nice_step(top, &top);
	svg_left_axis(out, top, step,
		      mode == BENCH_CONNECT ? "connections/s" : "messages/s");
	/* x: the seconds of the measured window */
	xs = nice_step(total > 0 ? total : 1, &end);
	if (xs < 1) { /* whole seconds */
		xs = 1;
		end = ceil(total > 0 ? total : 1);
	}
	for (double v = 0; v <= end + xs / 2; v += xs) {
		snprintf(label, sizeof(label), "%.0f", v);
		svg_x_tick(out, x_of(v, 0, end), label);
	}
	svg_x_title(out, "seconds measured");
	if (p99) {
		p99_step = nice_step(p99_top, &p99_top);
		for (double v = 0; v <= p99_top + p99_step / 2; v += p99_step)
			fprintf(out, "<text x=\"%d\" y=\"%.1f\">%.*f</text>\n",
				PLOT_RIGHT + 6, y_of(v, p99_top) + 4,
				step_decimals(p99_step), v);
		fprintf(out,
			"<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			"y2=\"%d\"/>\n"
			"<text class=\"title\" transform=\"translate(%d %d) "
			"rotate(90)\" text-anchor=\"middle\">p99 latency in that "
			"second, ms</text>\n",
			PLOT_RIGHT, PLOT_TOP, PLOT_RIGHT, PLOT_BOTTOM,
			CHART_W - 14, (PLOT_TOP + PLOT_BOTTOM) / 2);
	}
	fprintf(out, "<text class=\"title\" x=\"%d\" y=\"%d\">%s%s</text>\n",
		PLOT_LEFT, PLOT_TOP - 10, what,
		p99 ? " (solid, left axis); p99 latency (dashed, right axis)"
		    : "");
	if (!n) {
		fprintf(out,
			"<text class=\"none\" x=\"%d\" y=\"%d\" "
			"text-anchor=\"middle\">no second measured</text>\n",
			(PLOT_LEFT + PLOT_RIGHT) / 2,
			(PLOT_TOP + PLOT_BOTTOM) / 2);
		fprintf(out, "</svg>\n");
		return;
	}
	/* one point per second, in its middle: the last may be shorter */
	fprintf(out, "<polyline class=\"series throughput\" points=\"");
	t = 0;
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s%.1f,%.1f", i ? " " : "",
			x_of(t + ser->at[i].secs / 2, 0, end),
			y_of(second_rate(&ser->at[i], mode), top));
		t += ser->at[i].secs;
	}
	fprintf(out, "\"/>\n");
	t = 0;
	for (size_t i = 0; i < n; i++) {
		fprintf(out,
			"<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" "
			"r=\"3\"/>\n",
			x_of(t + ser->at[i].secs / 2, 0, end),
			y_of(second_rate(&ser->at[i], mode), top));
		t += ser->at[i].secs;
	}
	if (p99) {
		bool first = true;

		fprintf(out, "<polyline class=\"series p99\" points=\"");
		t = 0;
		for (size_t i = 0; i < n; i++) {
			if (ser->at[i].samples) {
				fprintf(out, "%s%.1f,%.1f", first ? "" : " ",
					x_of(t + ser->at[i].secs / 2, 0, end),
					y_of(ms(ser->at[i].p99_ns), p99_top));
				first = false;
			}
			t += ser->at[i].secs;
		}
		fprintf(out, "\"/>\n");
	}
	fprintf(out, "</svg>\n");
}

/* --- chart 2: latency by percentile -----------------------------------------
 */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The percentiles to plot, sorted: a fixed set and HdrHistogram's ticks, up
 * to 99.999% but no further than the data goes, 100 (1 - 1/count): past it
 * every percentile is the max.
 */
static size_t
curve_percentiles(double *p, uint64_t count)
{
	static const double fixed[] = {
		0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999
	};
	double last = 100.0 * (1.0 - 1.0 / (double)count) + 1e-9;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (fixed[i] <= last)
			p[n++] = fixed[i];
	for (double t = 0; t <= 99.999 && t <= last && n < CURVE_MAX_POINTS;
	     t = bench_hdr_next_tick(t))
		p[n++] = t;
	qsort(p, n, sizeof(*p), cmp_double);
	for (size_t i = 0; i < n; i++)
		if (!k || p[i] - p[k - 1] > 1e-9)
			p[k++] = p[i];
	return k;
}

/* x of percentile p on the "nines" axis: log10(1 / (1 - p)) */
static double
nines(double p)
{
	return log10(1.0 / (1.0 - p / 100.0));
}

static void
chart_latency(FILE *out, const struct bench_run_info *run,
	      const struct bench_stats *s)
{
	static const struct {
		double x;
		const char *label;
	} ticks[] = {
		{ 0, "0%" },	  { 0.30103, "50%" }, { 1, "90%" },
		{ 2, "99%" },	  { 3, "99.9%" },     { 4, "99.99%" },
		{ 5, "99.999%" },
	};
	enum bench_mode mode = run->cfg->mode;
	const struct wsx_hist *h =
		mode == BENCH_CONNECT ? &s->handshake : &s->latency;
	const char *what = mode == BENCH_CONNECT ? "handshake time"
			   : mode == BENCH_SINK	 ? "delivery latency"
						 : "round-trip latency";
	uint64_t count = wsx_hist_count(h);
	double p[CURVE_MAX_POINTS], top = 0, step;
	size_t n = count ? curve_percentiles(p, count) : 0;

	for (size_t i = 0; i < n; i++)
		if (ms(wsx_hist_percentile(h, p[i])) > top)
			top = ms(wsx_hist_percentile(h, p[i]));
	svg_open(out, "latency", what);
	step = nice_step(top, &top);
	svg_left_axis(out, top, step, "milliseconds");
	for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++)
		svg_x_tick(out, x_of(ticks[i].x, 0, CURVE_NINES),
			   ticks[i].label);
	svg_x_title(out, "percentile (log scale of 1/(1 - p))");
	fprintf(out, "<text class=\"title\" x=\"%d\" y=\"%d\">%s by percentile",
		PLOT_LEFT, PLOT_TOP - 10, what);
	if (count)
		fprintf(out, ", %llu samples; max %.3f ms",
			(unsigned long long)count, ms(wsx_hist_max(h)));
	fprintf(out, "</text>\n");
	if (!count) {
		fprintf(out,
			"<text class=\"none\" x=\"%d\" y=\"%d\" "
			"text-anchor=\"middle\">no latency samples</text>\n"
			"</svg>\n",
			(PLOT_LEFT + PLOT_RIGHT) / 2,
			(PLOT_TOP + PLOT_BOTTOM) / 2);
		return;
	}
	fprintf(out, "<polyline class=\"series latency\" points=\"");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%.1f,%.1f", i ? " " : "",
			x_of(nines(p[i]), 0, CURVE_NINES),
			y_of(ms(wsx_hist_percentile(h, p[i])), top));
	fprintf(out, "\"/>\n");
	/* where the data runs out */
	fprintf(out,
		"<circle class=\"end\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
		x_of(nines(p[n - 1]), 0, CURVE_NINES),
		y_of(ms(wsx_hist_percentile(h, p[n - 1])), top));
	fprintf(out, "</svg>\n");
}

/* --- the page ---------------------------------------------------------------
 */

static void
row_start(FILE *out, const char *name)
{
	fprintf(out, "<tr><th>%s</th><td>", name);
}

static void
row_end(FILE *out)
{
	fputs("</td></tr>\n", out);
}

static void
write_counts(FILE *out, const char *what, const struct bench_counts *c,
	     bool names)
{
	for (size_t i = 0; i < BENCH_KEYS && c->count[i]; i++) {
		fprintf(out, "; %s %d", what, c->key[i]);
		if (names) {
			fputc(' ', out);
			html_puts(out, wsx_close_code_name(c->key[i]));
		}
		fprintf(out, ": %llu", (unsigned long long)c->count[i]);
	}
	if (c->other)
		fprintf(out, "; %s (others): %llu", what,
			(unsigned long long)c->other);
}

static void
write_params(FILE *out, const struct bench_run_info *run,
	     const struct bench_summary *sum)
{
	const struct bench_cfg *cfg = run->cfg;

	fprintf(out, "<table class=\"params\">\n");
	row_start(out, "mode");
	fprintf(out, "%s", bench_mode_name(cfg->mode));
	row_end(out);
	row_start(out, "connections");
	fprintf(out, "%u on %u thread%s", cfg->connections, cfg->threads,
		cfg->threads == 1 ? "" : "s");
	row_end(out);
	if (cfg->mode != BENCH_CONNECT && cfg->mode != BENCH_SINK) {
		char pace[64];

		bench_describe_pace(pace, sizeof(pace), cfg);
		row_start(out, "messages");
		fprintf(out, "%zu bytes, %s; %s", cfg->payload.size,
			cfg->payload.type == WSX_MSG_TEXT ? "text" : "binary",
			pace);
		row_end(out);
	}
	row_start(out, "duration");
	fprintf(out, "%.2f s measured", sum->secs);
	if (cfg->warmup_us)
		fprintf(out, " after %.2f s of warm-up",
			(double)cfg->warmup_us / 1e6);
	else
		fprintf(out, ", no warm-up");
	row_end(out);
	fprintf(out, "</table>\n");
}

static void
write_totals(FILE *out, const struct bench_run_info *run,
	     const struct bench_stats *s, const struct bench_summary *sum)
{
	enum bench_mode mode = run->cfg->mode;

	fprintf(out, "<table class=\"totals\">\n");
	if (mode == BENCH_CONNECT) {
		row_start(out, "connections");
		fprintf(out, "%llu opened and closed, %.0f/s",
			(unsigned long long)s->conns_opened, sum->conns_per_s);
		row_end(out);
	} else {
		row_start(out, "messages");
		fprintf(out, "sent %llu (%.0f/s), received %llu (%.0f/s)",
			(unsigned long long)s->msgs_out, sum->sent_per_s,
			(unsigned long long)s->msgs_in, sum->recv_per_s);
		row_end(out);
		row_start(out, "bytes");
		fprintf(out, "sent %.2f MB/s, received %.2f MB/s",
			sum->sent_mb_per_s, sum->recv_mb_per_s);
		row_end(out);
	}
	if (run->capacity_per_s > 0) {
		row_start(out, "capacity");
		fprintf(out, "%.0f messages/s (saturating phase)",
			run->capacity_per_s);
		row_end(out);
	}
	if (mode != BENCH_CONNECT && wsx_hist_count(&s->latency)) {
		row_start(out, mode == BENCH_SINK ? "delivery" : "latency");
		fprintf(out,
			"p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, "
			"max %.3f ms (mean %.3f ms)",
			sum->p50, sum->p90, sum->p99, sum->p999, sum->max,
			sum->mean);
		row_end(out);
	}
	if (wsx_hist_count(&s->handshake)) {
		row_start(out, "handshake");
		fprintf(out, "p50 %.3f ms, p99 %.3f ms (%llu)", sum->hs_p50,
			sum->hs_p99,
			(unsigned long long)wsx_hist_count(&s->handshake));
		row_end(out);
	}
	if (mode == BENCH_ECHO) {
		row_start(out, "integrity");
		fprintf(out, "%llu echoes compared, %llu mismatched",
			(unsigned long long)(s->compared + s->mismatched),
			(unsigned long long)s->mismatched);
		row_end(out);
	}
	row_start(out, "errors");
	fprintf(out, "%llu", (unsigned long long)bench_stats_errors(s));
	if (s->connect_failed)
		fprintf(out, "; could not connect: %llu",
			(unsigned long long)s->connect_failed);
	if (s->timeouts)
		fprintf(out, "; timed out: %llu",
			(unsigned long long)s->timeouts);
	if (s->tls_failed)
		fprintf(out, "; TLS: %llu", (unsigned long long)s->tls_failed);
	write_counts(out, "HTTP", &s->http_status, false);
	write_counts(out, "closed", &s->closes, true);
	row_end(out);
	fprintf(out, "</table>\n");
}

int
bench_write_html(FILE *out, const struct bench_run_info *run,
		 const struct bench_stats *s, const struct bench_summary *sum)
{
	const struct bench_cfg *cfg = run->cfg;

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		     "<meta charset=\"utf-8\">\n<title>wsx bench: ");
	html_puts(out, cfg->url);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n",
		page_css);
	fprintf(out, "<h1>wsx bench</h1>\n<p class=\"url\">");
	html_puts(out, cfg->url);
	if (run->embedded)
		fprintf(out, " (embedded echo server)");
	fprintf(out, "</p>\n");
	write_params(out, run, sum);
	if (run->interrupted)
		fprintf(out, "<p class=\"warn\">interrupted: the figures "
			     "cover the time until then</p>\n");
	for (size_t i = 0; run->fail_if && run->fail_if[i]; i++) {
		fprintf(out, "<p class=\"warn\">fail-if ");
		html_puts(out, run->fail_if[i]);
		fprintf(out, ": crossed</p>\n");
	}
	fprintf(out, "<h2>Totals</h2>\n");
	write_totals(out, run, s, sum);
	fprintf(out, "<h2>Each second</h2>\n");
	chart_throughput(out, run);
	fprintf(out, "<h2>Latency distribution</h2>\n");
	chart_latency(out, run, s);
	fprintf(out,
		"<footer>wsx %s; the same distribution as text: "
		"wsx bench --hdr FILE</footer>\n"
		"</main>\n</body>\n</html>\n",
		PACKAGE_VERSION);
	return ferror(out) ? -1 : 0;
}
