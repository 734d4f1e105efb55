/* Latency histogram; see hist.h. */
#include "config.h"

#include <string.h>

#include "util/hist.h"

/* Bucket of v: values below WSX_HIST_SUB are exact; above, the top
 * WSX_HIST_SUB_BITS+1 significant bits pick the bucket. */
static unsigned
hist_index(uint64_t v)
{
	unsigned mag, shift;

	if (v < WSX_HIST_SUB)
		return (unsigned)v;
	mag = 63u - (unsigned)__builtin_clzll(v); /* >= WSX_HIST_SUB_BITS */
	shift = mag - WSX_HIST_SUB_BITS + 1;
	if (shift >= WSX_HIST_MAGS)
		return WSX_HIST_BUCKETS - 1;
	/* v >> shift is in [SUB/2, SUB): the upper half of each magnitude */
	return shift * WSX_HIST_SUB + (unsigned)(v >> shift);
}

/* Highest value that lands in bucket i. */
static uint64_t
hist_top(unsigned i)
{
	unsigned shift = i / WSX_HIST_SUB, sub = i % WSX_HIST_SUB;

	if (!shift)
		return sub;
	return (((uint64_t)sub + 1) << shift) - 1;
}

int
wsx_hist_init(struct wsx_hist *h)
{
	wsx_hist_reset(h);
	return 0;
}

void
wsx_hist_release(struct wsx_hist *h)
{
	(void)h; /* nothing allocated */
}

void
wsx_hist_reset(struct wsx_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void
wsx_hist_record(struct wsx_hist *h, uint64_t v)
{
	h->b[hist_index(v)]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
}

void
wsx_hist_merge(struct wsx_hist *into, const struct wsx_hist *from)
{
	if (!from->count)
		return;
	for (unsigned i = 0; i < WSX_HIST_BUCKETS; i++)
		into->b[i] += from->b[i];
	if (!into->count || from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	into->count += from->count;
	into->sum += from->sum;
}

uint64_t
wsx_hist_count(const struct wsx_hist *h)
{
	return h->count;
}

uint64_t
wsx_hist_min(const struct wsx_hist *h)
{
	return h->min;
}

uint64_t
wsx_hist_max(const struct wsx_hist *h)
{
	return h->max;
}

double
wsx_hist_mean(const struct wsx_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0;
}

uint64_t
wsx_hist_percentile(const struct wsx_hist *h, double p)
{
	uint64_t want, seen = 0;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	want = (uint64_t)(p / 100 * (double)h->count + 0.5);
	if (!want)
		want = 1;
	for (unsigned i = 0; i < WSX_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want) {
			uint64_t top = hist_top(i);

			return top < h->max ? top : h->max;
		}
	}
	return h->max;
}
