#include "config.h"
/*
 * bench/html: the --html page from a hand-made run: a self-contained HTML5
 * document (no script, no URL to fetch), both charts, one throughput point
 * per second, a latency curve on the nines axis, the user's text escaped,
 * "no latency samples" for an empty histogram, connect mode, write errors.
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench/html.h"
#include "tap.h"

/* ~100 KiB with its two histograms: off the stack */
static struct bench_stats stats;
static struct bench_second seconds[3];

struct page {
	char *buf;
	size_t len;
	int rc;
};

struct fixture {
	struct bench_cfg cfg;
	struct bench_series series;
	struct bench_run_info run;
	struct bench_summary sum;
	const char *crossed[2];
};

static void
fixture_init(struct fixture *fx, const char *url, enum bench_mode mode)
{
	memset(fx, 0, sizeof(*fx));
	fx->cfg.url = url;
	fx->cfg.mode = mode;
	fx->cfg.connections = 4;
	fx->cfg.threads = 2;
	fx->cfg.pipeline = 2;
	fx->cfg.warmup_us = 500000;
	fx->cfg.duration_us = 2500000;
	fx->cfg.payload.size = 100;
	fx->cfg.payload.type = WSX_MSG_BINARY;
	/* 2.5 s: two whole seconds and a half one */
	for (int i = 0; i < 3; i++) {
		seconds[i] = (struct bench_second){
			.secs = i < 2 ? 1.0 : 0.5,
			.sent = 1000 + 100 * (uint64_t)i,
			.received = 990 + 100 * (uint64_t)i,
			.opened = 10,
			.samples = 500,
			.p50_ns = 2000000,
			.p99_ns = 5000000 + 1000000 * (uint64_t)i,
		};
	}
	fx->series.at = seconds;
	fx->series.n = 3;
	bench_stats_init(&stats);
	stats.msgs_out = 2600;
	stats.msgs_in = 2580;
	stats.bytes_out = 260000;
	stats.bytes_in = 258000;
	stats.conns_opened = 4;
	stats.compared = 2580;
	/* 1 .. 20000 microseconds, once each */
	for (uint64_t us = 1; us <= 20000; us++)
		wsx_hist_record(&stats.latency, us * 1000);
	for (uint64_t us = 1; us <= 4; us++)
		wsx_hist_record(&stats.handshake, us * 250000);
	fx->run.cfg = &fx->cfg;
	fx->run.series = &fx->series;
	fx->run.fail_if = fx->crossed;
	bench_summarize(&stats, 2.5, &fx->sum);
}

static void
page_write(struct page *pg, struct fixture *fx)
{
	FILE *f = open_memstream(&pg->buf, &pg->len);

	pg->rc = bench_write_html(f, &fx->run, &stats, &fx->sum);
	fclose(f);
}

/* The points="..." of the polyline of that class, parsed; -1 if none. */
static int
polyline(const char *page, const char *cls, double *x, double *y, int max)
{
	char key[96];
	const char *p;
	int n = 0, used;

	snprintf(key, sizeof(key), "<polyline class=\"%s\" points=\"", cls);
	p = strstr(page, key);
	if (!p)
		return -1;
	p += strlen(key);
	while (*p != '"') {
		if (n == max ||
		    sscanf(p, "%lf,%lf%n", &x[n], &y[n], &used) != 2)
			return -2;
		n++;
		p += used;
		if (*p == ' ')
			p++;
		else if (*p != '"')
			return -2;
	}
	return n;
}

static bool
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void
test_echo(void)
{
	struct fixture fx;
	struct page pg;
	double x[400], y[400];
	int n, rising = 1;
	char want[128];

	fixture_init(&fx, "ws://127.0.0.1:9/a?<b>&c=\"d\"", BENCH_ECHO);
	fx.run.capacity_per_s = 12345.4;
	fx.crossed[0] = "p99>1ms<script>";
	page_write(&pg, &fx);
	is_int(pg.rc, 0, "echo: written");
	ok(!strncmp(pg.buf, "<!DOCTYPE html>\n", 16),
	   "echo: starts with <!DOCTYPE html>");
	ok(strstr(pg.buf, "</html>\n") == pg.buf + pg.len - 8,
	   "echo: ends with </html>");
	ok(strstr(pg.buf, "<meta charset=\"utf-8\">") != NULL,
	   "echo: says it is UTF-8");
	ok(strstr(pg.buf, "<svg id=\"throughput\"") != NULL,
	   "echo: a throughput chart");
	ok(strstr(pg.buf, "<svg id=\"latency\"") != NULL,
	   "echo: a latency chart");
	is_size(count_of(pg.buf, "<svg"), 2, "echo: two svg elements...");
	is_size(count_of(pg.buf, "</svg>"), 2, "echo: ...both closed");
	ok(!contains_nocase(pg.buf, "<script"), "echo: no script");
	ok(!strstr(pg.buf, "http://") && !strstr(pg.buf, "https://"),
	   "echo: no http:// or https:// anywhere (not even xmlns)");
	ok(!strstr(pg.buf, " src=") && !strstr(pg.buf, " href=") &&
		   !strstr(pg.buf, "@import") && !strstr(pg.buf, "url("),
	   "echo: nothing to fetch");
	ok(strstr(pg.buf, "ws://127.0.0.1:9/a?&lt;b&gt;&amp;c=&quot;d&quot;") &&
		   !strstr(pg.buf, "<b>") && !strstr(pg.buf, "\"d\""),
	   "echo: the URL's <>&\" are escaped");
	ok(strstr(pg.buf, "p99&gt;1ms&lt;script&gt;: crossed") != NULL,
	   "echo: a crossed --fail-if, escaped");
	ok(strstr(pg.buf, "12345 messages/s (saturating phase)") != NULL,
	   "echo: the capacity line");
	ok(strstr(pg.buf, "sent 2600 (1040/s), received 2580 (1032/s)") != NULL,
	   "echo: messages each way and per second");
	snprintf(want, sizeof(want), "p50 %.3f ms, p90 %.3f ms, p99 %.3f ms",
		 fx.sum.p50, fx.sum.p90, fx.sum.p99);
	ok(strstr(pg.buf, want) != NULL, "echo: latency percentiles (%s)",
	   want);
	ok(strstr(pg.buf, "100 bytes, binary; 2 in flight per connection") !=
		   NULL,
	   "echo: message size, type and in flight");
	ok(strstr(pg.buf, "2.50 s measured after 0.50 s of warm-up") != NULL,
	   "echo: duration and warm-up");

	n = polyline(pg.buf, "series throughput", x, y, 400);
	is_int(n, 3, "echo: the throughput polyline has one point a second");
	/* 990/s, 1090/s, then 1190 in half a second: 2380/s */
	ok(n == 3 && x[0] < x[1] && x[1] < x[2] && y[0] > y[1] && y[1] > y[2],
	   "echo: the throughput rises left to right (and up the page)");
	ok(n == 3 && fabs((x[2] - x[1]) / (x[1] - x[0]) - 0.75) < 0.01,
	   "echo: the half second is plotted at its middle");
	is_int(polyline(pg.buf, "series p99", x, y, 400), 3,
	       "echo: the p99 polyline, one point a second");

	n = polyline(pg.buf, "series latency", x, y, 400);
	ok(n >= 10, "echo: the latency polyline has %d points", n);
	for (int i = 1; i < n; i++)
		if (!(x[i] > x[i - 1]) || y[i] > y[i - 1])
			rising = 0;
	ok(rising, "echo: the latency curve goes right and never down");
	/* 20000 samples: the data runs out at 99.995% */
	ok(n > 0 && fabs(x[n - 1] - (80 + log10(20000) / 5 * 750)) < 0.2,
	   "echo: the curve stops where the data does (99.995%%)");
	ok(!strstr(pg.buf, "no latency samples"), "echo: latency samples");
	ok(strstr(pg.buf, ">99.999%</text>") && strstr(pg.buf, ">50%</text>") &&
		   strstr(pg.buf, ">99.9%</text>"),
	   "echo: the nines axis is labelled");
	free(pg.buf);
}

static void
test_empty(void)
{
	struct fixture fx;
	struct page pg;
	double x[10], y[10];

	fixture_init(&fx, "ws://127.0.0.1:9/", BENCH_PUSH);
	wsx_hist_reset(&stats.latency);
	fx.series.n = 0;
	bench_summarize(&stats, 2.5, &fx.sum);
	page_write(&pg, &fx);
	is_int(pg.rc, 0, "empty: written");
	ok(strstr(pg.buf, "no latency samples") != NULL,
	   "empty: the latency chart says no latency samples");
	is_int(polyline(pg.buf, "series latency", x, y, 10), -1,
	       "empty: and has no curve");
	is_int(polyline(pg.buf, "series throughput", x, y, 10), -1,
	       "empty: no second, no throughput polyline");
	ok(strstr(pg.buf, "<svg id=\"throughput\"") &&
		   strstr(pg.buf, "no second measured"),
	   "empty: the throughput chart says so");
	ok(!strstr(pg.buf, "capacity"), "empty: no capacity line without one");
	free(pg.buf);
}

static void
test_connect(void)
{
	struct fixture fx;
	struct page pg;
	double x[400], y[400];

	fixture_init(&fx, "ws://127.0.0.1:9/", BENCH_CONNECT);
	wsx_hist_reset(&stats.latency);
	bench_summarize(&stats, 2.5, &fx.sum);
	page_write(&pg, &fx);
	ok(strstr(pg.buf, "connections opened per second") != NULL,
	   "connect: the throughput is connections opened");
	is_int(polyline(pg.buf, "series throughput", x, y, 400), 3,
	       "connect: one point a second");
	/* 10 opened each second: 10/s, 10/s, 20/s */
	ok(y[0] == y[1] && y[2] < y[1], "connect: opened divided by seconds");
	ok(polyline(pg.buf, "series latency", x, y, 400) >= 2 &&
		   strstr(pg.buf, "handshake time"),
	   "connect: the curve is the handshakes'");
	free(pg.buf);
}

static void
test_write_error(void)
{
	struct fixture fx;
	FILE *f = fopen("/dev/full", "w");

	if (!f) {
		ok(1, "no /dev/full here: a failed write not tried");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	fixture_init(&fx, "ws://127.0.0.1:9/", BENCH_ECHO);
	is_int(bench_write_html(f, &fx.run, &stats, &fx.sum), -1,
	       "a failed write returns -1");
	fclose(f);
}

int
main(void)
{
	test_echo();
	test_empty();
	test_connect();
	test_write_error();
	bench_stats_release(&stats);
	return done_testing();
}
