/* Frame headers and masking; see frame.h. */
#include "config.h"

#include <string.h>

#include "ws/frame.h"

int
ws_frame_parse(struct ws_frame *f, const unsigned char *buf, size_t len,
	       enum ws_frame_error *why)
{
	size_t need = 2;
	uint64_t n;

	*why = WS_FRAME_OK;
	if (len < 2)
		return 0;
	n = buf[1] & 0x7f;
	if (n == 126)
		need += 2;
	else if (n == 127)
		need += 8;
	if (buf[1] & 0x80)
		need += 4;
	if (len < need)
		return 0;
	f->fin = buf[0] & 0x80;
	f->rsv = buf[0] & (WS_RSV1 | WS_RSV2 | WS_RSV3);
	f->opcode = buf[0] & 0x0f;
	f->masked = buf[1] & 0x80;
	if (n == 126) {
		n = (uint64_t)buf[2] << 8 | buf[3];
		/* RFC 6455 5.2: "the minimal number of bytes MUST be used" */
		if (n < 126)
			return *why = WS_FRAME_NOT_MINIMAL, -1;
	} else if (n == 127) {
		n = 0;
		for (int i = 0; i < 8; i++)
			n = n << 8 | buf[2 + i];
		if (n >> 63)
			return *why = WS_FRAME_TOO_LONG, -1;
		if (n <= 0xffff)
			return *why = WS_FRAME_NOT_MINIMAL, -1;
	}
	f->len = n;
	if (f->masked)
		memcpy(f->key, buf + need - 4, 4);
	f->header_len = need;
	return (int)need;
}

size_t
ws_frame_header_len(uint64_t len, bool masked)
{
	size_t h = len < 126 ? 2 : len <= 0xffff ? 4 : 10;

	return masked ? h + 4 : h;
}

size_t
ws_frame_build(unsigned char *out, uint8_t opcode, bool fin, uint8_t rsv,
	       uint64_t len, const uint8_t key[4])
{
	unsigned char mask_bit = key ? 0x80 : 0;
	size_t h = 2;

	out[0] = (unsigned char)((fin ? 0x80 : 0) |
				 (rsv & (WS_RSV1 | WS_RSV2 | WS_RSV3)) |
				 (opcode & 0x0f));
	if (len < 126) {
		out[1] = mask_bit | (unsigned char)len;
	} else if (len <= 0xffff) {
		out[1] = mask_bit | 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		h = 4;
	} else {
		out[1] = mask_bit | 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (unsigned char)(len >> (56 - 8 * i));
		h = 10;
	}
	if (key) {
		memcpy(out + h, key, 4);
		h += 4;
	}
	return h;
}

/*
 * Bytewise until the key lines up, then 16 bytes per step as two 64-bit
 * words (memcpy keeps unaligned buffers legal and compiles to plain loads;
 * gcc and clang vectorise the loop), then the tail bytewise. The rotated
 * key makes any starting phase the same word loop.
 */
unsigned
ws_frame_mask(unsigned char *out, const unsigned char *in, size_t len,
	      const uint8_t key[4], unsigned phase)
{
	uint8_t k[8];
	uint64_t k8;
	size_t i = 0;

	phase &= 3;
	for (int j = 0; j < 8; j++)
		k[j] = key[(phase + (unsigned)j) & 3];
	memcpy(&k8, k, 8);
	for (; i + 16 <= len; i += 16) {
		uint64_t a, b;

		memcpy(&a, in + i, 8);
		memcpy(&b, in + i + 8, 8);
		a ^= k8;
		b ^= k8;
		memcpy(out + i, &a, 8);
		memcpy(out + i + 8, &b, 8);
	}
	for (; i < len; i++)
		out[i] = in[i] ^ k[i & 3];
	return (unsigned)((phase + len) & 3);
}
