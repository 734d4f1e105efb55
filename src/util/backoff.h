/*
 * Reconnect delays: exponential backoff with full jitter. The n-th delay
 * (from 0) is uniform in [0, min(cap, start * factor^n)].
 */
#ifndef WSX_UTIL_BACKOFF_H
#define WSX_UTIL_BACKOFF_H

#include <stdint.h>

#define WSX_BACKOFF_START_US 500000ull
#define WSX_BACKOFF_FACTOR   2u
#define WSX_BACKOFF_CAP_US   30000000ull

struct wsx_backoff {
	uint64_t start_us, cap_us;
	unsigned factor;
	unsigned attempt; /* delays handed out since the last reset */
	uint64_t rng;	  /* xorshift state, never 0 */
};

void wsx_backoff_init(struct wsx_backoff *b, uint64_t start_us, unsigned factor,
		      uint64_t cap_us, uint64_t seed);
/* The upper bound of the next delay. */
uint64_t wsx_backoff_ceiling(const struct wsx_backoff *b);
/* The next delay, and one attempt more. */
uint64_t wsx_backoff_next(struct wsx_backoff *b);
/* After a success: the next delay is drawn from [0, start] again. */
void wsx_backoff_reset(struct wsx_backoff *b);

#endif
