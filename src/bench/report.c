/* Benchmark reports; see report.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/report.h"
#include "bench/termhist.h"
#include "util/closecode.h"

static const char *const mode_names[] = {
	[BENCH_ECHO] = "echo",
	[BENCH_PUSH] = "push",
	[BENCH_SINK] = "sink",
	[BENCH_CONNECT] = "connect",
};

const char *
bench_mode_name(enum bench_mode mode)
{
	return mode_names[mode];
}

void
bench_describe_pace(char *buf, size_t cap, const struct bench_cfg *cfg)
{
	if (cfg->rate > 0)
		snprintf(buf, cap, "%.0f/s in all (open loop)", cfg->rate);
	else if (cfg->mode == BENCH_ECHO)
		snprintf(buf, cap, "%u in flight per connection",
			 cfg->pipeline);
	else
		snprintf(buf, cap, "as fast as they go");
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void
bench_summarize(const struct bench_stats *s, double secs,
		struct bench_summary *out)
{
	double div = secs > 0 ? secs : 1;

	out->secs = secs;
	out->sent_per_s = (double)s->msgs_out / div;
	out->recv_per_s = (double)s->msgs_in / div;
	out->sent_mb_per_s = (double)s->bytes_out / div / 1e6;
	out->recv_mb_per_s = (double)s->bytes_in / div / 1e6;
	out->conns_per_s = (double)s->conns_opened / div;
	out->p50 = ms(wsx_hist_percentile(&s->latency, 50));
	out->p90 = ms(wsx_hist_percentile(&s->latency, 90));
	out->p99 = ms(wsx_hist_percentile(&s->latency, 99));
	out->p999 = ms(wsx_hist_percentile(&s->latency, 99.9));
	out->max = ms(wsx_hist_max(&s->latency));
	out->mean = wsx_hist_mean(&s->latency) / 1e6;
	out->hs_p50 = ms(wsx_hist_percentile(&s->handshake, 50));
	out->hs_p99 = ms(wsx_hist_percentile(&s->handshake, 99));
	out->errors = (double)bench_stats_errors(s);
	out->mismatched = (double)s->mismatched;
}

/* --- text ------------------------------------------------------------------
 */

/* "0.123", "12.35", "595.6", "12345.7": about four digits, so that the
 * percentiles fit in 80 columns however slow the run was */
static void
fmt_ms(char *buf, size_t cap, double v)
{
	snprintf(buf, cap, v < 10 ? "%.3f" : v < 100 ? "%.2f" : "%.1f", v);
}

/* The latency lines: p50 to p99.9, then max and the mean (echo) or where
 * the samples come from (sink). */
static void
print_percentiles(FILE *out, const char *what,
		  const struct bench_summary *sum, const char *mean)
{
	char v[6][32];

	fmt_ms(v[0], sizeof(v[0]), sum->p50);
	fmt_ms(v[1], sizeof(v[1]), sum->p90);
	fmt_ms(v[2], sizeof(v[2]), sum->p99);
	fmt_ms(v[3], sizeof(v[3]), sum->p999);
	fmt_ms(v[4], sizeof(v[4]), sum->max);
	fmt_ms(v[5], sizeof(v[5]), sum->mean);
	fprintf(out, "%s   p50 %s ms  p90 %s ms  p99 %s ms  p99.9 %s ms\n",
		what, v[0], v[1], v[2], v[3]);
	if (mean)
		fprintf(out, "           max %s ms  mean %s ms\n", v[4], v[5]);
	else
		fprintf(out, "           max %s ms  (from push's stamps)\n",
			v[4]);
}

/* "1.23 GB", "456 kB": decimal units, as MB/s is */
static void
print_bytes(FILE *out, uint64_t n)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u)
		fprintf(out, "%.2f %s", v, unit[u]);
	else
		fprintf(out, "%llu B", (unsigned long long)n);
}

/* "  HTTP 503: 2"; close codes with their names: "  closed 1011
 * internal error: 2" */
static void
print_counts(FILE *out, const char *what, const struct bench_counts *c)
{
	bool closes = !strcmp(what, "closed");

	for (size_t i = 0; i < BENCH_KEYS && c->count[i]; i++)
		fprintf(out, "  %s %d%s%s: %llu", what, c->key[i],
			closes ? " " : "",
			closes ? wsx_close_code_name(c->key[i]) : "",
			(unsigned long long)c->count[i]);
	if (c->other)
		fprintf(out, "  %s (others): %llu", what,
			(unsigned long long)c->other);
}

static void
print_errors(FILE *out, const struct bench_stats *s)
{
	fprintf(out, "errors     ");
	if (!bench_stats_errors(s)) {
		fprintf(out, "none\n");
		return;
	}
	if (s->connect_failed)
		fprintf(out, "  could not connect: %llu",
			(unsigned long long)s->connect_failed);
	if (s->timeouts)
		fprintf(out, "  timed out: %llu",
			(unsigned long long)s->timeouts);
	if (s->tls_failed)
		fprintf(out, "  TLS: %llu", (unsigned long long)s->tls_failed);
	print_counts(out, "HTTP", &s->http_status);
	print_counts(out, "closed", &s->closes);
	if (s->mismatched)
		fprintf(out, "  echo mismatches: %llu",
			(unsigned long long)s->mismatched);
	fprintf(out, "\n");
}

void
bench_report_text(FILE *out, const struct bench_run_info *run,
		  const struct bench_stats *s, const struct bench_summary *sum)
{
	const struct bench_cfg *cfg = run->cfg;
	struct bench_termhist_style style;

	/* the URL on a line of its own: the rest fits in 80 columns */
	fprintf(out,
		"wsx bench %s%s\n"
		"           %s mode, %u connection%s on %u thread%s\n",
		cfg->url, run->embedded ? " (embedded echo server)" : "",
		bench_mode_name(cfg->mode), cfg->connections,
		cfg->connections == 1 ? "" : "s", cfg->threads,
		cfg->threads == 1 ? "" : "s");
	if (cfg->mode != BENCH_CONNECT && cfg->mode != BENCH_SINK) {
		char pace[64];

		bench_describe_pace(pace, sizeof(pace), cfg);
		fprintf(out, "           %zu-byte %s messages, %s\n",
			cfg->payload.size,
			cfg->payload.type == WSX_MSG_TEXT ? "text" : "binary",
			pace);
	}
	fprintf(out, "           %.2f s measured", sum->secs);
	if (cfg->warmup_us)
		fprintf(out, " after %.2f s of warm-up",
			(double)cfg->warmup_us / 1e6);
	fprintf(out, "%s\n\n", run->interrupted ? " (interrupted)" : "");
	if (run->capacity_per_s > 0)
		fprintf(out,
			"capacity   %.0f messages/s received, with %u in flight "
			"per connection\n"
			"           (saturated); the rest is at half that rate, on "
			"a schedule\n",
			run->capacity_per_s, BENCH_TOUR_IN_FLIGHT);

	if (cfg->mode == BENCH_CONNECT) {
		fprintf(out, "connections %llu opened and closed, %.0f/s\n",
			(unsigned long long)s->conns_opened, sum->conns_per_s);
	} else {
		fprintf(out,
			"messages   sent %llu (%.0f/s)   received %llu (%.0f/s)\n",
			(unsigned long long)s->msgs_out, sum->sent_per_s,
			(unsigned long long)s->msgs_in, sum->recv_per_s);
		fprintf(out, "bytes      sent ");
		print_bytes(out, s->bytes_out);
		fprintf(out, " (%.1f MB/s)   received ", sum->sent_mb_per_s);
		print_bytes(out, s->bytes_in);
		fprintf(out, " (%.1f MB/s)\n", sum->recv_mb_per_s);
	}
	if (cfg->mode == BENCH_ECHO) {
		if (wsx_hist_count(&s->latency))
			print_percentiles(out, "latency ", sum, "mean");
		else
			fprintf(out, "latency    no echoes measured\n");
	}
	if (cfg->mode == BENCH_SINK && wsx_hist_count(&s->latency))
		print_percentiles(out, "delivery", sum, NULL);
	if (wsx_hist_count(&s->handshake))
		fprintf(out, "handshake  p50 %.3f ms  p99 %.3f ms  (%llu)\n",
			sum->hs_p50, sum->hs_p99,
			(unsigned long long)wsx_hist_count(&s->handshake));
	if (cfg->mode == BENCH_ECHO)
		fprintf(out,
			"integrity  %llu echoes compared, %llu mismatched\n",
			(unsigned long long)(s->compared + s->mismatched),
			(unsigned long long)s->mismatched);
	print_errors(out, s);
	for (size_t i = 0; run->fail_if && run->fail_if[i]; i++)
		fprintf(out, "fail-if    %s: crossed\n", run->fail_if[i]);
	bench_termhist_style(out, &style);
	if (cfg->mode == BENCH_CONNECT)
		bench_termhist_print(out, &s->handshake, "handshake", &style);
	else if (cfg->mode == BENCH_ECHO)
		bench_termhist_print(out, &s->latency, "round-trip latency",
				     &style);
	else if (cfg->mode == BENCH_SINK)
		bench_termhist_print(out, &s->latency, "delivery latency",
				     &style);
}

/* --- JSON ------------------------------------------------------------------
 */

static cJSON *
json_counts(const struct bench_counts *c)
{
	cJSON *o = cJSON_CreateObject();
	char key[16];

	for (size_t i = 0; o && i < BENCH_KEYS && c->count[i]; i++) {
		snprintf(key, sizeof(key), "%d", c->key[i]);
		cJSON_AddNumberToObject(o, key, (double)c->count[i]);
	}
	if (o && c->other)
		cJSON_AddNumberToObject(o, "other", (double)c->other);
	return o;
}

static cJSON *
json_direction(uint64_t msgs, uint64_t bytes, double per_s, double mb_per_s)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "messages", (double)msgs);
	cJSON_AddNumberToObject(o, "bytes", (double)bytes);
	cJSON_AddNumberToObject(o, "messages_per_s", per_s);
	cJSON_AddNumberToObject(o, "mb_per_s", mb_per_s);
	return o;
}

int
bench_report_json(FILE *out, const struct bench_run_info *run,
		  const struct bench_stats *s, const struct bench_summary *sum)
{
	const struct bench_cfg *cfg = run->cfg;
	cJSON *root = cJSON_CreateObject(), *o, *a;
	char *text;

	if (!root)
		return -1;
	cJSON_AddStringToObject(root, "url", cfg->url);
	cJSON_AddBoolToObject(root, "embedded_server", run->embedded);
	cJSON_AddStringToObject(root, "mode", bench_mode_name(cfg->mode));
	cJSON_AddNumberToObject(root, "connections", cfg->connections);
	cJSON_AddNumberToObject(root, "threads", cfg->threads);
	cJSON_AddNumberToObject(root, "size", (double)cfg->payload.size);
	cJSON_AddStringToObject(root, "type",
				cfg->payload.type == WSX_MSG_TEXT ? "text"
								  : "binary");
	cJSON_AddNumberToObject(root, "in_flight", cfg->pipeline);
	/* the same, under the name it had when -i was -P, --pipeline */
	cJSON_AddNumberToObject(root, "pipeline", cfg->pipeline);
	cJSON_AddNumberToObject(root, "rate", cfg->rate);
	cJSON_AddNumberToObject(root, "warmup_s", (double)cfg->warmup_us / 1e6);
	cJSON_AddNumberToObject(root, "duration_s", sum->secs);
	cJSON_AddBoolToObject(root, "interrupted", run->interrupted);
	if (run->capacity_per_s > 0) {
		/* plain `wsx bench`: this is its latency phase */
		o = cJSON_AddObjectToObject(root, "capacity");
		cJSON_AddNumberToObject(o, "messages_per_s",
					run->capacity_per_s);
		cJSON_AddNumberToObject(o, "in_flight", BENCH_TOUR_IN_FLIGHT);
	}

	cJSON_AddItemToObject(root, "sent",
			      json_direction(s->msgs_out, s->bytes_out,
					     sum->sent_per_s,
					     sum->sent_mb_per_s));
	cJSON_AddItemToObject(root, "received",
			      json_direction(s->msgs_in, s->bytes_in,
					     sum->recv_per_s,
					     sum->recv_mb_per_s));

	o = cJSON_AddObjectToObject(root, "latency_ms");
	cJSON_AddNumberToObject(o, "count",
				(double)wsx_hist_count(&s->latency));
	cJSON_AddNumberToObject(o, "p50", sum->p50);
	cJSON_AddNumberToObject(o, "p90", sum->p90);
	cJSON_AddNumberToObject(o, "p99", sum->p99);
	cJSON_AddNumberToObject(o, "p99_9", sum->p999);
	cJSON_AddNumberToObject(o, "max", sum->max);
	cJSON_AddNumberToObject(o, "mean", sum->mean);

	o = cJSON_AddObjectToObject(root, "handshake_ms");
	cJSON_AddNumberToObject(o, "count",
				(double)wsx_hist_count(&s->handshake));
	cJSON_AddNumberToObject(o, "p50", sum->hs_p50);
	cJSON_AddNumberToObject(o, "p99", sum->hs_p99);

	o = cJSON_AddObjectToObject(root, "connections_opened");
	cJSON_AddNumberToObject(o, "count", (double)s->conns_opened);
	cJSON_AddNumberToObject(o, "per_s", sum->conns_per_s);

	o = cJSON_AddObjectToObject(root, "integrity");
	cJSON_AddNumberToObject(o, "compared",
				(double)(s->compared + s->mismatched));
	cJSON_AddNumberToObject(o, "mismatched", (double)s->mismatched);

	o = cJSON_AddObjectToObject(root, "errors");
	cJSON_AddNumberToObject(o, "total", (double)bench_stats_errors(s));
	cJSON_AddNumberToObject(o, "connect", (double)s->connect_failed);
	cJSON_AddNumberToObject(o, "timeouts", (double)s->timeouts);
	cJSON_AddNumberToObject(o, "tls", (double)s->tls_failed);
	cJSON_AddItemToObject(o, "handshake_status",
			      json_counts(&s->http_status));
	cJSON_AddItemToObject(o, "closes", json_counts(&s->closes));
	cJSON_AddNumberToObject(o, "mismatches", (double)s->mismatched);

	/* each second of the measured window (the last may be shorter) */
	a = cJSON_AddArrayToObject(root, "per_second");
	for (size_t i = 0; run->series && i < run->series->n; i++) {
		const struct bench_second *sec = &run->series->at[i];

		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "seconds", sec->secs);
		cJSON_AddNumberToObject(o, "sent", (double)sec->sent);
		cJSON_AddNumberToObject(o, "received", (double)sec->received);
		cJSON_AddNumberToObject(o, "opened", (double)sec->opened);
		cJSON_AddNumberToObject(o, "errors", (double)sec->errors);
		cJSON_AddNumberToObject(o, "samples", (double)sec->samples);
		if (sec->samples) {
			cJSON_AddNumberToObject(o, "p50_ms", ms(sec->p50_ns));
			cJSON_AddNumberToObject(o, "p99_ms", ms(sec->p99_ns));
		}
		cJSON_AddItemToArray(a, o);
	}

	a = cJSON_AddArrayToObject(root, "fail_if_crossed");
	for (size_t i = 0; run->fail_if && run->fail_if[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(run->fail_if[i]));

	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text)
		return -1;
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}
