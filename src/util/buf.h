/*
 * A growable byte buffer with a hard size cap and optional headroom in front
 * of the data (libwebsockets wants LWS_PRE writable bytes before a payload).
 * It grows only when its high-water mark rises and is reused after that, so a
 * steady stream of messages allocates nothing.
 */
#ifndef WSX_UTIL_BUF_H
#define WSX_UTIL_BUF_H

#include <stddef.h>

struct wsx_buf {
	unsigned char *mem; /* headroom + capacity bytes */
	size_t headroom;    /* bytes reserved before data */
	size_t start;	    /* offset of the first unconsumed byte in data */
	size_t len;	    /* bytes from start */
	size_t cap;	    /* bytes allocated after the headroom */
	size_t max;	    /* len may never exceed this */
};

void wsx_buf_init(struct wsx_buf *b, size_t headroom, size_t max);
void wsx_buf_release(struct wsx_buf *b);
/* First unconsumed byte; headroom bytes before it are writable. */
unsigned char *wsx_buf_data(const struct wsx_buf *b);
/* Make room for n more bytes; -1 when that would pass max. */
int wsx_buf_reserve(struct wsx_buf *b, size_t n);
/* Append n bytes; -1 (nothing appended) when that would pass max. */
int wsx_buf_append(struct wsx_buf *b, const void *data, size_t n);
/* Free space at the end after wsx_buf_reserve(); commit what was written. */
unsigned char *wsx_buf_tail(const struct wsx_buf *b);
void wsx_buf_commit(struct wsx_buf *b, size_t n);
/* Drop n bytes from the front. */
void wsx_buf_consume(struct wsx_buf *b, size_t n);
void wsx_buf_clear(struct wsx_buf *b);

#endif
