/*
 * UTF-8 validation. The allowed range of the first continuation byte is what
 * rules out overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF
 * (F4); every later continuation byte is plain 80..BF.
 */
#include "config.h"

#include "util/utf8.h"

void
wsx_utf8_init(struct wsx_utf8 *v)
{
	v->need = 0;
	v->lo = 0x80;
	v->hi = 0xbf;
	v->bad = false;
}

/* Start a sequence with lead byte c; false if c cannot lead one. */
static bool
utf8_lead(struct wsx_utf8 *v, unsigned char c)
{
	v->lo = 0x80;
	v->hi = 0xbf;
	if (c < 0x80)
		return true;
	if (c >= 0xc2 && c <= 0xdf) {
		v->need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		v->need = 2;
		if (c == 0xe0)
			v->lo = 0xa0;
		else if (c == 0xed)
			v->hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		v->need = 3;
		if (c == 0xf0)
			v->lo = 0x90;
		else if (c == 0xf4)
			v->hi = 0x8f;
	} else {
		return false;
	}
	return true;
}

bool
wsx_utf8_feed(struct wsx_utf8 *v, const void *data, size_t len)
{
	const unsigned char *s = data;

	if (v->bad)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (!v->need) {
			/* fast path over ASCII runs */
			if (c < 0x80)
				continue;
			if (!utf8_lead(v, c))
				return !(v->bad = true);
			continue;
		}
		if (c < v->lo || c > v->hi)
			return !(v->bad = true);
		v->lo = 0x80;
		v->hi = 0xbf;
		v->need--;
	}
	return true;
}

bool
wsx_utf8_complete(const struct wsx_utf8 *v)
{
	return !v->bad && !v->need;
}

bool
wsx_utf8_valid(const void *data, size_t len)
{
	struct wsx_utf8 v;

	wsx_utf8_init(&v);
	return wsx_utf8_feed(&v, data, len) && wsx_utf8_complete(&v);
}

size_t
wsx_utf8_char_len(const unsigned char *s, size_t len)
{
	struct wsx_utf8 v;
	size_t n;

	if (!len)
		return 0;
	wsx_utf8_init(&v);
	if (!utf8_lead(&v, s[0]))
		return 0;
	n = 1u + v.need;
	if (n > len || !wsx_utf8_feed(&v, s + 1, n - 1))
		return 0;
	return n;
}
