/* Per-second bench figures; see series.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bench/series.h"
#include "util/xalloc.h"

void
bench_series_init(struct bench_series *s)
{
	memset(s, 0, sizeof(*s));
	bench_stats_init(&s->prev);
}

void
bench_series_release(struct bench_series *s)
{
	free(s->at);
	bench_stats_release(&s->prev);
	memset(s, 0, sizeof(*s));
}

/* The samples in now and not in before (both cumulative), as a histogram. */
static void
hist_since(struct wsx_hist *out, const struct wsx_hist *now,
	   const struct wsx_hist *before)
{
	wsx_hist_reset(out);
	for (size_t i = 0; i < WSX_HIST_BUCKETS; i++)
		out->b[i] = now->b[i] - before->b[i];
	out->count = now->count - before->count;
	out->sum = now->sum - before->sum;
	/* the extremes of the interval are not known: the run's bound them */
	out->min = now->min;
	out->max = now->max;
}

void
bench_series_add(struct bench_series *s, const struct bench_stats *now,
		 double secs, int connect_mode)
{
	const struct wsx_hist *h =
		connect_mode ? &now->handshake : &now->latency;
	const struct wsx_hist *before =
		connect_mode ? &s->prev.handshake : &s->prev.latency;
	struct wsx_hist *d;
	struct bench_second *sec;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->at = xrealloc(s->at, s->cap * sizeof(*s->at));
	}
	sec = &s->at[s->n++];
	memset(sec, 0, sizeof(*sec));
	sec->secs = secs;
	sec->sent = now->msgs_out - s->prev.msgs_out;
	sec->received = now->msgs_in - s->prev.msgs_in;
	sec->opened = now->conns_opened - s->prev.conns_opened;
	sec->errors = bench_stats_errors(now) - bench_stats_errors(&s->prev);
	if (wsx_hist_count(h) > wsx_hist_count(before)) {
		d = xmalloc(sizeof(*d));
		hist_since(d, h, before);
		sec->samples = wsx_hist_count(d);
		sec->p50_ns = wsx_hist_percentile(d, 50);
		sec->p99_ns = wsx_hist_percentile(d, 99);
		free(d);
	}
	s->prev = *now;
}
