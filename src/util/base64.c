/* base64 encoding and strict decoding; see base64.h. */
#include "config.h"

#include <stdint.h>

#include "util/base64.h"

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
wsx_base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t
wsx_base64_encode(char *out, const void *in, size_t n)
{
	const unsigned char *s = in;
	char *o = out;
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 |
			     s[i + 2];

		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = b64_alphabet[(v >> 6) & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		*o++ = b64_alphabet[v >> 18];
		*o++ = b64_alphabet[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	return (size_t)(o - out);
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

long
wsx_base64_decode(void *out, const char *in, size_t n)
{
	unsigned char *o = out;
	uint32_t acc = 0;
	size_t i, bits = 0, pad = 0;

	/* padding only at the very end, and only to a multiple of 4 */
	while (n && in[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	if (pad && (n + pad) % 4)
		return -1;
	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64_value(in[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (unsigned char)(acc >> bits);
		}
	}
	/* leftover bits must be zero for a canonical encoding */
	if (bits && (acc & ((1u << bits) - 1)))
		return -1;
	return (long)(o - (unsigned char *)out);
}
