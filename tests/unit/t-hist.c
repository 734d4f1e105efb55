#include "config.h"
/*
 * util/hist: exact small values, the 1/128 error bound, percentiles of a
 * uniform million, one value, empty, merge, values past the range, reset,
 * walking the buckets, the standard deviation.
 */

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "util/hist.h"

/* Histograms are ~43 KiB: keep them off the stack. */
static struct wsx_hist h, a, b, whole;

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t l = *(const uint64_t *)x, r = *(const uint64_t *)y;

	return (l > r) - (l < r);
}

/* The percentile that names exactly the k-th smallest of n values. */
static double
pct_of_rank(uint64_t k, uint64_t n)
{
	return 100.0 * (double)k / (double)n;
}

static void
test_empty(void)
{
	wsx_hist_init(&h);
	is_u64(wsx_hist_count(&h), 0, "empty: count 0");
	is_u64(wsx_hist_min(&h), 0, "empty: min 0");
	is_u64(wsx_hist_max(&h), 0, "empty: max 0");
	ok(wsx_hist_mean(&h) == 0, "empty: mean 0");
	is_u64(wsx_hist_percentile(&h, 0), 0, "empty: p0 is 0");
	is_u64(wsx_hist_percentile(&h, 50), 0, "empty: p50 is 0");
	is_u64(wsx_hist_percentile(&h, 100), 0, "empty: p100 is 0");
	wsx_hist_release(&h);

	/* zeroed memory is an empty histogram, e.g. inside a memset struct */
	memset(&h, 0, sizeof(h));
	wsx_hist_record(&h, 42);
	is_u64(wsx_hist_min(&h), 42, "zeroed struct: min is the first value");
	is_u64(wsx_hist_percentile(&h, 50), 42, "zeroed struct: p50 right");
}

static void
test_exact(void)
{
	uint64_t bad = 0;

	wsx_hist_init(&h);
	for (uint64_t v = 0; v < WSX_HIST_SUB; v++)
		wsx_hist_record(&h, v);
	is_u64(wsx_hist_count(&h), WSX_HIST_SUB, "0..255: count");
	is_u64(wsx_hist_min(&h), 0, "0..255: min");
	is_u64(wsx_hist_max(&h), WSX_HIST_SUB - 1, "0..255: max");
	ok(wsx_hist_mean(&h) == 127.5, "0..255: mean 127.5");
	for (uint64_t k = 1; k <= WSX_HIST_SUB; k++)
		if (wsx_hist_percentile(&h, pct_of_rank(k, WSX_HIST_SUB)) !=
		    k - 1) {
			diag("rank %" PRIu64 " gave %" PRIu64, k,
			     wsx_hist_percentile(&h,
						 pct_of_rank(k, WSX_HIST_SUB)));
			bad++;
		}
	is_u64(bad, 0, "0..255: every rank gives its value exactly");

	/* alone with a far larger max, so clamping to max cannot help */
	bad = 0;
	for (uint64_t v = 0; v < WSX_HIST_SUB; v++) {
		wsx_hist_reset(&h);
		wsx_hist_record(&h, v);
		wsx_hist_record(&h, 1000000000);
		if (wsx_hist_percentile(&h, 50) != v)
			bad++;
	}
	is_u64(bad, 0, "each value below 256 is its own bucket");
}

/*
 * Sorted values of every magnitude up to 2^47, recorded together: the k-th
 * smallest must come back at or above itself and less than 1/128 above.
 */
#define NBOUND 20000

static void
test_bound(void)
{
	static uint64_t v[NBOUND];
	size_t n = 0, under = 0, over = 0;

	for (unsigned k = 8; k < 48; k++) {
		v[n++] = (UINT64_C(1) << k) - 1;
		v[n++] = UINT64_C(1) << k;
		v[n++] = (UINT64_C(1) << k) + 1;
	}
	while (n < NBOUND)
		v[n++] = xorshift() >> (17 + xorshift() % 47);
	qsort(v, n, sizeof(v[0]), cmp_u64);

	wsx_hist_init(&h);
	for (size_t i = 0; i < n; i++)
		wsx_hist_record(&h, v[i]);
	for (size_t i = 0; i < n; i++) {
		uint64_t got = wsx_hist_percentile(&h, pct_of_rank(i + 1, n));

		if (got < v[i]) {
			if (!under++)
				diag("%" PRIu64 " reported as %" PRIu64, v[i],
				     got);
		} else if ((got - v[i]) * 128 >= v[i] && got != v[i]) {
			if (!over++)
				diag("%" PRIu64 " reported as %" PRIu64, v[i],
				     got);
		}
	}
	is_size(under, 0, "%zu values up to 2^47: none reported below itself",
		n);
	is_size(over, 0, "%zu values up to 2^47: none reported 1/128 above", n);
	is_u64(wsx_hist_percentile(&h, 100), v[n - 1], "p100 is the max");
	is_u64(wsx_hist_percentile(&h, 0), v[0], "p0 is the min");
}

#define MILLION 1000000

static void
test_uniform(void)
{
	/* nearest rank of p in 1..N, N = 10^6: the value p * 10^4 */
	static const struct {
		double p;
		uint64_t want;
	} ps[] = { { 0.001, 10 },     { 1, 10000 },	 { 10, 100000 },
		   { 25, 250000 },    { 50, 500000 },	 { 75, 750000 },
		   { 90, 900000 },    { 99, 990000 },	 { 99.9, 999000 },
		   { 99.99, 999900 }, { 99.999, 999990 } };
	uint64_t last = 0, bad = 0;

	wsx_hist_init(&h);
	for (uint64_t v = 1; v <= MILLION; v++)
		wsx_hist_record(&h, v);
	is_u64(wsx_hist_count(&h), MILLION, "uniform: count");
	is_u64(wsx_hist_min(&h), 1, "uniform: min");
	is_u64(wsx_hist_max(&h), MILLION, "uniform: max");
	ok(wsx_hist_mean(&h) == 500000.5, "uniform: mean 500000.5 (got %f)",
	   wsx_hist_mean(&h));
	is_u64(wsx_hist_percentile(&h, 0), 1, "uniform: p0 is exactly min");
	is_u64(wsx_hist_percentile(&h, 100), MILLION,
	       "uniform: p100 is exactly max");
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t got = wsx_hist_percentile(&h, ps[i].p);

		ok(got >= ps[i].want &&
			   (double)got <= (double)ps[i].want * 1.01,
		   "uniform: p%g is %" PRIu64 ", within 1%% above %" PRIu64,
		   ps[i].p, got, ps[i].want);
	}
	for (double p = 0; p <= 100; p += 0.01) {
		uint64_t got = wsx_hist_percentile(&h, p);

		if (got < last)
			bad++;
		last = got;
	}
	is_u64(bad, 0, "uniform: percentiles never fall as p rises");
	is_u64(wsx_hist_percentile(&h, -5), 1, "p below 0 gives min");
	is_u64(wsx_hist_percentile(&h, 250), MILLION, "p above 100 gives max");
}

static void
test_single(void)
{
	static const double ps[] = { 0, 0.1, 50, 99, 99.999, 100 };
	uint64_t bad = 0;

	wsx_hist_init(&h);
	wsx_hist_record(&h, 123456789);
	is_u64(wsx_hist_count(&h), 1, "single: count 1");
	is_u64(wsx_hist_min(&h), 123456789, "single: min is the value");
	is_u64(wsx_hist_max(&h), 123456789, "single: max is the value");
	ok(wsx_hist_mean(&h) == 123456789.0, "single: mean is the value");
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		if (wsx_hist_percentile(&h, ps[i]) != 123456789)
			bad++;
	is_u64(bad, 0, "single: every percentile is exactly the value");

	wsx_hist_reset(&h);
	wsx_hist_record(&h, 0);
	is_u64(wsx_hist_count(&h), 1, "single 0: counted");
	is_u64(wsx_hist_percentile(&h, 99), 0, "single 0: p99 is 0");
}

static void
test_merge(void)
{
	uint64_t bad = 0;

	wsx_hist_init(&a);
	wsx_hist_init(&b);
	wsx_hist_init(&whole);
	for (uint64_t v = 1; v <= MILLION; v++) {
		uint64_t x = v * 7919 % 10000019; /* spread over magnitudes */

		wsx_hist_record(v <= MILLION / 2 ? &a : &b, x);
		wsx_hist_record(&whole, x);
	}
	wsx_hist_merge(&a, &b);
	is_u64(wsx_hist_count(&a), wsx_hist_count(&whole), "merge: count");
	is_u64(wsx_hist_min(&a), wsx_hist_min(&whole), "merge: min");
	is_u64(wsx_hist_max(&a), wsx_hist_max(&whole), "merge: max");
	ok(wsx_hist_mean(&a) == wsx_hist_mean(&whole), "merge: mean");
	for (double p = 0; p <= 100; p += 0.5)
		if (wsx_hist_percentile(&a, p) !=
		    wsx_hist_percentile(&whole, p))
			bad++;
	is_u64(bad, 0, "merge: every percentile equals the whole's");
	ok(!memcmp(&a, &whole, sizeof(a)), "merge: the same bytes as whole");

	/* empty on either side */
	wsx_hist_init(&b);
	wsx_hist_merge(&a, &b);
	ok(!memcmp(&a, &whole, sizeof(a)), "merging an empty one: no change");
	wsx_hist_merge(&b, &whole);
	ok(!memcmp(&b, &whole, sizeof(b)), "merging into an empty one: a copy");

	/* min comes from whichever side has it */
	wsx_hist_init(&a);
	wsx_hist_init(&b);
	wsx_hist_record(&a, 200);
	wsx_hist_record(&b, 7);
	wsx_hist_record(&b, 9000);
	wsx_hist_merge(&a, &b);
	is_u64(wsx_hist_min(&a), 7, "merge: smaller min of the source");
	is_u64(wsx_hist_max(&a), 9000, "merge: larger max of the source");
	is_u64(wsx_hist_percentile(&a, 50), 200, "merge: p50 of 7, 200, 9000");
}

static void
test_huge(void)
{
	const uint64_t big = UINT64_C(1) << 50;

	ok(WSX_HIST_RANGE_MAX >= UINT64_C(1) << 40,
	   "the bound holds up to at least 2^40");

	wsx_hist_init(&h);
	for (uint64_t v = 1; v <= 997; v++)
		wsx_hist_record(&h, v);
	wsx_hist_record(&h, big);
	wsx_hist_record(&h, UINT64_C(1) << 63);
	wsx_hist_record(&h, UINT64_MAX);
	is_u64(wsx_hist_count(&h), 1000, "huge: counted");
	is_u64(wsx_hist_max(&h), UINT64_MAX, "huge: max is the true maximum");
	is_u64(wsx_hist_percentile(&h, 100), UINT64_MAX, "huge: p100 is max");
	is_u64(wsx_hist_min(&h), 1, "huge: min unaffected");
	ok(wsx_hist_percentile(&h, 50) >= 500 &&
		   wsx_hist_percentile(&h, 50) <= 504,
	   "huge: p50 unaffected (%" PRIu64 ")", wsx_hist_percentile(&h, 50));
	ok(wsx_hist_percentile(&h, 99.7) >= 997 &&
		   wsx_hist_percentile(&h, 99.7) <= 1004,
	   "huge: p99.7 is the largest in-range value (%" PRIu64 ")",
	   wsx_hist_percentile(&h, 99.7));
	is_u64(wsx_hist_percentile(&h, 99.8), UINT64_MAX,
	       "huge: a rank among clamped values gives max, not less");

	wsx_hist_reset(&h);
	for (int i = 0; i < 10; i++)
		wsx_hist_record(&h, big);
	is_u64(wsx_hist_percentile(&h, 50), big,
	       "only 2^50s: p50 is 2^50, not the top of the range");
	wsx_hist_record(&h, WSX_HIST_RANGE_MAX);
	wsx_hist_record(&h, 1);
	is_u64(wsx_hist_percentile(&h, 1), 1, "small value next to clamped");
	is_u64(wsx_hist_percentile(&h, 99), big, "p99 still the max 2^50");
}

static void
test_reset(void)
{
	static struct wsx_hist fresh;

	wsx_hist_init(&fresh);
	wsx_hist_init(&h);
	for (uint64_t v = 0; v < 100000; v += 3)
		wsx_hist_record(&h, v * v);
	wsx_hist_reset(&h);
	is_u64(wsx_hist_count(&h), 0, "reset: count 0");
	is_u64(wsx_hist_min(&h), 0, "reset: min 0");
	is_u64(wsx_hist_max(&h), 0, "reset: max 0");
	ok(wsx_hist_mean(&h) == 0, "reset: mean 0");
	is_u64(wsx_hist_percentile(&h, 50), 0, "reset: p50 0");
	ok(!memcmp(&h, &fresh, sizeof(h)), "reset: same as a new histogram");
	wsx_hist_record(&h, 77);
	wsx_hist_record(&h, 88);
	is_u64(wsx_hist_min(&h), 77, "after reset: min is new, not 0");
	is_u64(wsx_hist_percentile(&h, 100), 88, "after reset: max is new");
	is_u64(wsx_hist_count(&h), 2, "after reset: count starts over");
	wsx_hist_release(&h);
}

/* Walking the buckets: every count once, in order, inside [min, max]. */
static void
test_buckets(void)
{
	struct wsx_hist_bucket bk;
	uint64_t total = 0, prev_hi = 0, n = 0;
	unsigned pos = 0;
	int in_order = 1, bounded = 1;

	wsx_hist_init(&h);
	ok(!wsx_hist_next_bucket(&h, &pos, &bk), "buckets: none when empty");
	wsx_hist_record(&h, 5);
	wsx_hist_record(&h, 5);
	wsx_hist_record(&h, 1000);
	wsx_hist_record(&h, 1003);
	wsx_hist_record(&h, 1000000);
	pos = 0;
	ok(wsx_hist_next_bucket(&h, &pos, &bk) && bk.lo == 5 && bk.hi == 5 &&
		   bk.count == 2,
	   "buckets: exact 5, twice");
	/* 1000 and 1003 share a bucket 4 wide: [1000, 1003] */
	ok(wsx_hist_next_bucket(&h, &pos, &bk) && bk.lo == 1000 &&
		   bk.hi == 1003 && bk.count == 2,
	   "buckets: 1000 and 1003 in [1000, 1003]");
	/* the last one ends at max, not at the bucket's top */
	ok(wsx_hist_next_bucket(&h, &pos, &bk) && bk.lo <= 1000000 &&
		   bk.hi == 1000000 && bk.count == 1,
	   "buckets: the last ends at max");
	ok(!wsx_hist_next_bucket(&h, &pos, &bk), "buckets: then no more");

	wsx_hist_reset(&h);
	for (int i = 0; i < 100000; i++)
		wsx_hist_record(&h, xorshift() % 50000000);
	pos = 0;
	while (wsx_hist_next_bucket(&h, &pos, &bk)) {
		if (n && bk.lo <= prev_hi)
			in_order = 0;
		if (bk.lo > bk.hi || bk.lo < wsx_hist_min(&h) ||
		    bk.hi > wsx_hist_max(&h) || !bk.count)
			bounded = 0;
		prev_hi = bk.hi;
		total += bk.count;
		n++;
	}
	is_u64(total, wsx_hist_count(&h), "buckets: the counts add up");
	ok(in_order, "buckets: in increasing order, disjoint");
	ok(bounded, "buckets: non-empty, inside [min, max]");

	/* a value past the range: the top bucket reaches max */
	wsx_hist_reset(&h);
	wsx_hist_record(&h, UINT64_MAX);
	pos = 0;
	ok(wsx_hist_next_bucket(&h, &pos, &bk) && bk.hi == UINT64_MAX,
	   "buckets: the top bucket ends at a max past the range");
	wsx_hist_release(&h);
}

static void
test_stddev(void)
{
	double sd, mean = 0, var = 0;
	static uint64_t v[20000];

	wsx_hist_init(&h);
	ok(wsx_hist_stddev(&h) == 0, "stddev: 0 when empty");
	wsx_hist_record(&h, 123456);
	ok(wsx_hist_stddev(&h) == 0, "stddev: 0 for one value");
	wsx_hist_record(&h, 123456);
	ok(wsx_hist_stddev(&h) == 0, "stddev: 0 for equal values");

	/* exact below 256: 10 and 20 give exactly 5 */
	wsx_hist_reset(&h);
	wsx_hist_record(&h, 10);
	wsx_hist_record(&h, 20);
	ok(wsx_hist_stddev(&h) == 5, "stddev: {10, 20} is 5");

	/* random values over six decades: within the bucket precision */
	wsx_hist_reset(&h);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		v[i] = 1000 + xorshift() % 100000000;
		wsx_hist_record(&h, v[i]);
		mean += (double)v[i];
	}
	mean /= (double)(sizeof(v) / sizeof(v[0]));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		var += ((double)v[i] - mean) * ((double)v[i] - mean);
	var /= (double)(sizeof(v) / sizeof(v[0]));
	sd = wsx_hist_stddev(&h);
	ok(fabs(sd - sqrt(var)) < sqrt(var) / 128, "stddev: %.0f vs exact %.0f",
	   sd, sqrt(var));
	wsx_hist_release(&h);
}

int
main(void)
{
	test_empty();
	test_exact();
	test_bound();
	test_uniform();
	test_single();
	test_merge();
	test_huge();
	test_reset();
	test_buckets();
	test_stddev();
	return done_testing();
}
