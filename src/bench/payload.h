/*
 * What `wsx bench` sends: random, incompressible bytes (printable ASCII for
 * text), or a fixed --message/--file. Message number n starts at its own
 * offset in a pool, so an echo of the wrong message, or a stale one, does
 * not compare equal; the pool is shared read-only by every thread.
 */
#ifndef WSX_BENCH_PAYLOAD_H
#define WSX_BENCH_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/msg.h"

struct bench_payload {
	unsigned char *pool;
	size_t pool_len;
	size_t size; /* bytes per message */
	bool fixed;  /* --message or --file: every message the same */
	enum wsx_msg_type type;
};

/* size random bytes per message, text (printable ASCII) or binary */
void bench_payload_random(struct bench_payload *p, size_t size,
			  enum wsx_msg_type type);
/* the same bytes for every message; text must be valid UTF-8 */
int bench_payload_fixed(struct bench_payload *p, const void *data, size_t len,
			enum wsx_msg_type type, struct wsx_err *err);
/* Read a --file (at most max bytes). */
int bench_payload_file(struct bench_payload *p, const char *path, size_t max,
		       enum wsx_msg_type type, struct wsx_err *err);
void bench_payload_release(struct bench_payload *p);

static inline const unsigned char *
bench_payload_at(const struct bench_payload *p, uint64_t n)
{
	/* a prime stride: neighbours differ, offsets cycle through the pool */
	return p->fixed ? p->pool
			: p->pool + (n * 4099) % (p->pool_len - p->size + 1);
}

#endif
