/* Exponential backoff with full jitter; see backoff.h. */
#include "config.h"

#include "util/backoff.h"

void
wsx_backoff_init(struct wsx_backoff *b, uint64_t start_us, unsigned factor,
		 uint64_t cap_us, uint64_t seed)
{
	b->start_us = start_us;
	b->factor = factor ? factor : 1;
	b->cap_us = cap_us < start_us ? start_us : cap_us;
	b->attempt = 0;
	b->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
}

uint64_t
wsx_backoff_ceiling(const struct wsx_backoff *b)
{
	uint64_t d = b->start_us;

	for (unsigned i = 0; i < b->attempt && d < b->cap_us; i++)
		d *= b->factor;
	return d < b->cap_us ? d : b->cap_us;
}

/* xorshift64*: plenty for spreading reconnects; not for secrets */
static uint64_t
backoff_random(struct wsx_backoff *b)
{
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 0x2545f4914f6cdd1dull;
}

uint64_t
wsx_backoff_next(struct wsx_backoff *b)
{
	uint64_t ceiling = wsx_backoff_ceiling(b);

	if (b->attempt < 64)
		b->attempt++;
	return backoff_random(b) % (ceiling + 1);
}

void
wsx_backoff_reset(struct wsx_backoff *b)
{
	b->attempt = 0;
}
