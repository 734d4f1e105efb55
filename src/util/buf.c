/* Growable capped byte buffer; see buf.h. */
#include "config.h"

#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

void
wsx_buf_init(struct wsx_buf *b, size_t headroom, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->headroom = headroom;
	b->max = max;
}

void
wsx_buf_release(struct wsx_buf *b)
{
	free(b->mem);
	wsx_buf_init(b, b->headroom, b->max);
}

unsigned char *
wsx_buf_data(const struct wsx_buf *b)
{
	return b->mem ? b->mem + b->headroom + b->start : NULL;
}

int
wsx_buf_reserve(struct wsx_buf *b, size_t n)
{
	size_t want, cap;

	if (n > b->max - b->len)
		return -1;
	want = b->len + n;
	if (b->start + want <= b->cap)
		return 0;
	if (want <= b->cap) {
		/* enough room once the consumed front is reclaimed */
		memmove(b->mem + b->headroom, b->mem + b->headroom + b->start,
			b->len);
		b->start = 0;
		return 0;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if (b->start) {
		memmove(b->mem + b->headroom, b->mem + b->headroom + b->start,
			b->len);
		b->start = 0;
	}
	b->mem = xrealloc(b->mem, b->headroom + cap);
	b->cap = cap;
	return 0;
}

int
wsx_buf_append(struct wsx_buf *b, const void *data, size_t n)
{
	if (!n)
		return 0;
	if (wsx_buf_reserve(b, n))
		return -1;
	memcpy(wsx_buf_tail(b), data, n);
	b->len += n;
	return 0;
}

unsigned char *
wsx_buf_tail(const struct wsx_buf *b)
{
	/* NULL + 0 is undefined: a buffer never reserved has no tail */
	return b->mem ? b->mem + b->headroom + b->start + b->len : NULL;
}

void
wsx_buf_commit(struct wsx_buf *b, size_t n)
{
	b->len += n;
}

void
wsx_buf_consume(struct wsx_buf *b, size_t n)
{
	if (n >= b->len) {
		b->start = 0;
		b->len = 0;
		return;
	}
	b->start += n;
	b->len -= n;
}

void
wsx_buf_clear(struct wsx_buf *b)
{
	b->start = 0;
	b->len = 0;
}
