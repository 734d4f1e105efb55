#include "config.h"
/* util/backoff: full-jitter exponential delays stay within their bounds. */

#include "tap.h"
#include "util/backoff.h"

int
main(void)
{
	struct wsx_backoff b;
	uint64_t ceilings[] = { 500000,	 1000000,  2000000,  4000000,
				8000000, 16000000, 30000000, 30000000 };
	int within = 1, spread = 0;

	wsx_backoff_init(&b, WSX_BACKOFF_START_US, WSX_BACKOFF_FACTOR,
			 WSX_BACKOFF_CAP_US, 42);
	for (size_t i = 0; i < sizeof(ceilings) / sizeof(ceilings[0]); i++) {
		uint64_t d;

		is_u64(wsx_backoff_ceiling(&b), ceilings[i],
		       "attempt %zu: ceiling %.1f s", i + 1,
		       (double)ceilings[i] / 1e6);
		d = wsx_backoff_next(&b);
		ok(d <= ceilings[i], "attempt %zu: delay within [0, ceiling]",
		   i + 1);
	}
	for (int i = 0; i < 100; i++)
		wsx_backoff_next(&b);
	is_u64(wsx_backoff_ceiling(&b), 30000000, "capped at 30 s for good");
	wsx_backoff_reset(&b);
	is_u64(wsx_backoff_ceiling(&b), 500000, "reset: back to 0.5 s");

	/* full jitter: delays spread over the whole range */
	for (int i = 0; i < 1000; i++) {
		uint64_t d;

		wsx_backoff_reset(&b);
		d = wsx_backoff_next(&b);
		within &= d <= 500000;
		spread |= (d < 100000) << 0 | (d > 400000) << 1;
	}
	ok(within, "1000 first delays all within 0.5 s");
	is_int(spread, 3, "first delays reach both ends of [0, 0.5 s]");
	return done_testing();
}
