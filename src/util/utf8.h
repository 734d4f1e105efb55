/*
 * UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing past
 * U+10FFFF), incremental so a text message can be checked fragment by
 * fragment as it arrives.
 */
#ifndef WSX_UTIL_UTF8_H
#define WSX_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wsx_utf8 {
	uint8_t need;	/* continuation bytes still expected */
	uint8_t lo, hi; /* allowed range of the next continuation byte */
	bool bad;	/* sticky: once invalid, always invalid */
};

void wsx_utf8_init(struct wsx_utf8 *v);
/* Feed bytes; false as soon as they cannot be valid UTF-8. */
bool wsx_utf8_feed(struct wsx_utf8 *v, const void *data, size_t len);
/* True when everything fed so far ends on a character boundary. */
bool wsx_utf8_complete(const struct wsx_utf8 *v);
/* One-shot check of a whole buffer. */
bool wsx_utf8_valid(const void *data, size_t len);
/*
 * Length of the valid character starting at s (1..4), or 0 when the bytes at s
 * are not a complete valid character.
 */
size_t wsx_utf8_char_len(const unsigned char *s, size_t len);

#endif
