/*
 * HdrHistogram percentile distribution text; see hdr.h.
 *
 * The layout is HdrHistogram_c's hdr_percentiles_print() in its CLASSIC
 * format (what wrk2 prints after "Detailed Percentile spectrum"): a header,
 * a blank line, one row per percentile tick, and the #[...] footer. The rows
 * walk the buckets the way its percentile iterator does: a tick is reported
 * by the first bucket whose cumulative count reaches it, with five ticks per
 * "half distance" (0, 10, ... 50, then 55, ... 75, then 77.5, ...: each
 * halving of what is left to 100% gets five more), then a last row at 100%.
 *
 * Two differences, both toward the truth: a row's value is the highest its
 * bucket can hold but at most the recorded max (HdrHistogram prints the
 * bucket's top), and the footer's Mean and Max are the exact ones (it takes
 * them from the buckets too). An empty histogram gives no rows and a footer
 * of zeros, where HdrHistogram_c prints a 100% row and NaNs.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>

#include "bench/hdr.h"

#define HDR_TICKS_PER_HALF 5
#define HDR_NS_PER_MS	   1e6

/*
 * HdrHistogram's iterator's steps, with the same arithmetic (log / log(2),
 * truncated), so that the rows fall on the same percentiles as its own output.
 */
double
bench_hdr_next_tick(double p)
{
	double halvings = trunc(log(100.0 / (100.0 - p)) / log(2)) + 1;

	return p + 100.0 / (HDR_TICKS_PER_HALF * pow(2, halvings));
}

static int
hdr_row(FILE *out, uint64_t value_ns, double pct, uint64_t cumulative)
{
	double p = pct / 100.0;

	/* 1/(1 - 1.0) is printed "inf", as HdrHistogram_c's last row is */
	return fprintf(out, "%12.3f %12f %12" PRIu64 " %12.2f\n",
		       (double)value_ns / HDR_NS_PER_MS, p, cumulative,
		       1.0 / (1.0 - p)) < 0
		       ? -1
		       : 0;
}

int
bench_write_hdr(FILE *out, const struct wsx_hist *h)
{
	uint64_t total = wsx_hist_count(h), cumulative = 0;
	struct wsx_hist_bucket bk = { 0 };
	unsigned pos = 0;
	double tick = 0;

	if (fprintf(out, "%12s %12s %12s %12s\n\n", "Value", "Percentile",
		    "TotalCount", "1/(1-Percentile)") < 0)
		return -1;
	while (cumulative < total && wsx_hist_next_bucket(h, &pos, &bk)) {
		cumulative += bk.count;
		/*
		 * Every tick this bucket reaches, but only one once the last
		 * bucket is reached: the ticks never get to 100%, the 100%
		 * row below closes the table.
		 */
		while (tick <= 100.0 * (double)cumulative / (double)total) {
			if (hdr_row(out, bk.hi, tick, cumulative))
				return -1;
			tick = bench_hdr_next_tick(tick);
			if (cumulative == total)
				break;
		}
	}
	if (total && hdr_row(out, bk.hi, 100.0, cumulative))
		return -1;
	if (fprintf(out,
		    "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n"
		    "#[Max     = %12.3f, Total count    = %12" PRIu64 "]\n"
		    "#[Buckets = %12d, SubBuckets     = %12d]\n",
		    wsx_hist_mean(h) / HDR_NS_PER_MS,
		    wsx_hist_stddev(h) / HDR_NS_PER_MS,
		    (double)wsx_hist_max(h) / HDR_NS_PER_MS, total,
		    WSX_HIST_SHIFTS + 1, (int)WSX_HIST_SUB) < 0)
		return -1;
	return 0;
}
