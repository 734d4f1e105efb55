/*
 * Latency histogram; see hist.h.
 *
 * Layout, as in HdrHistogram: with s = the value's shift (0 below 256,
 * otherwise its bit length minus 8), bucket v >> s of row s holds the values
 * that agree with v in their top 8 significant bits. Row 0 is the exact values
 * 0..255; row s >= 1 only ever sees v >> s in [128, 256), so it starts at
 * s * 128 and the rows interleave with no unused slots:
 *
 *	index = s * HALF + (v >> s)
 *
 * A bucket in row s is 2^s wide and its values are at least 128 * 2^s, hence
 * the < 1/128 relative error.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "util/hist.h"

static inline unsigned
hist_index(uint64_t v)
{
	unsigned shift;

	if (v > WSX_HIST_RANGE_MAX)
		v = WSX_HIST_RANGE_MAX; /* the top bucket counts the rest */
	/* | (SUB - 1): values below SUB get shift 0, and clz never sees 0 */
	shift = 63u - (unsigned)__builtin_clzll(v | (WSX_HIST_SUB - 1)) -
		(WSX_HIST_SUB_BITS - 1);
	return shift * WSX_HIST_HALF + (unsigned)(v >> shift);
}

/* The highest value that lands in bucket i. */
static uint64_t
hist_top(unsigned i)
{
	unsigned shift = i < WSX_HIST_SUB ? 0 : i / WSX_HIST_HALF - 1;
	uint64_t sub = i - shift * WSX_HIST_HALF;

	return ((sub + 1) << shift) - 1;
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
	(void)h;
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
	/* testing count rather than starting min at UINT64_MAX keeps a zeroed
	 * struct a valid empty histogram */
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
	uint64_t rank, seen = 0, top;
	double x;
	unsigned i;

	if (!h->count)
		return 0;
	if (!(p > 0)) /* NaN too */
		return h->min;
	/*
	 * Nearest rank: the rank-th smallest value, rank = ceil(p% of count),
	 * so at least p% of the values are at or below the answer. The last
	 * rank is always max, which also keeps the cast below in range.
	 */
	x = p / 100 * (double)h->count;
	if (p >= 100 || x >= (double)h->count)
		return h->max;
	rank = (uint64_t)x;
	/* the slack absorbs rounding: 99.9% of 1000 is 999.0000000000001 */
	if ((double)rank < x - x * 1e-12 || !rank)
		rank++;
	for (i = 0; i < WSX_HIST_BUCKETS - 1; i++) {
		seen += h->b[i];
		if (seen >= rank)
			break;
	}
	/* the top bucket also holds clamped values: only max is known there */
	if (i == WSX_HIST_BUCKETS - 1)
		return h->max;
	top = hist_top(i);
	return top < h->max ? top : h->max;
}

uint64_t
wsx_hist_count_upto(const struct wsx_hist *h, uint64_t v)
{
	unsigned last = hist_index(v);
	uint64_t n = 0;

	for (unsigned i = 0; i <= last; i++)
		n += h->b[i];
	return n;
}

/* The lowest value that lands in bucket i. */
static uint64_t
hist_bottom(unsigned i)
{
	unsigned shift = i < WSX_HIST_SUB ? 0 : i / WSX_HIST_HALF - 1;

	return (uint64_t)(i - shift * WSX_HIST_HALF) << shift;
}

bool
wsx_hist_next_bucket(const struct wsx_hist *h, unsigned *pos,
		     struct wsx_hist_bucket *out)
{
	unsigned i = *pos;

	while (i < WSX_HIST_BUCKETS && !h->b[i])
		i++;
	if (i >= WSX_HIST_BUCKETS)
		return false;
	*pos = i + 1;
	out->count = h->b[i];
	out->lo = hist_bottom(i) > h->min ? hist_bottom(i) : h->min;
	out->hi = i == WSX_HIST_BUCKETS - 1 || hist_top(i) > h->max
			  ? h->max
			  : hist_top(i);
	return true;
}

/*
 * The values themselves are gone: like HdrHistogram's, the deviation is
 * taken over the middle of each bucket's range, around the mean of those
 * middles (not the exact mean from the sum, which would add the square of
 * their difference). The error is within a bucket's width, < 1/128.
 */
double
wsx_hist_stddev(const struct wsx_hist *h)
{
	struct wsx_hist_bucket bk;
	double mean = 0, dev = 0, mid;
	unsigned pos = 0;

	if (!h->count)
		return 0;
	while (wsx_hist_next_bucket(h, &pos, &bk))
		mean += ((double)bk.lo + (double)(bk.hi - bk.lo) / 2) *
			(double)bk.count;
	mean /= (double)h->count;
	pos = 0;
	while (wsx_hist_next_bucket(h, &pos, &bk)) {
		mid = (double)bk.lo + (double)(bk.hi - bk.lo) / 2;
		dev += (mid - mean) * (mid - mean) * (double)bk.count;
	}
	return sqrt(dev / (double)h->count);
}
