/* Frames built by wsx; see frame.h. */
#include "config.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "proto/frame.h"

uint64_t
wsx_frame_mask_seed(void)
{
	uint64_t s = 0;
	struct timespec ts;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^
		    (uint64_t)ts.tv_sec;
	}
	return s ? s : 0x2545F4914F6CDD1Dull;
}

/* xorshift64*: the masking key only has to be unpredictable to whatever
 * sits on the wire (RFC 6455 10.3), and it is seeded from getrandom() */
static uint32_t
frame_next_key(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545F4914F6CDD1Dull) >> 32);
}

/* XOR a copy with the key, eight bytes at a time; out may be in. */
static void
frame_mask_copy(unsigned char *out, const unsigned char *in, size_t len,
		const unsigned char key[4])
{
	uint64_t k8;
	size_t i = 0;

	memcpy(&k8, key, 4);
	memcpy((unsigned char *)&k8 + 4, key, 4);
	for (; i + 8 <= len; i += 8) {
		uint64_t v;

		memcpy(&v, in + i, 8);
		v ^= k8;
		memcpy(out + i, &v, 8);
	}
	for (; i < len; i++)
		out[i] = in[i] ^ key[i & 3];
}

size_t
wsx_frame_header(unsigned char *out, int opcode, bool fin, size_t len,
		  uint64_t *mask_state)
{
	unsigned char mask_bit = mask_state ? 0x80 : 0;
	size_t h = 2;

	out[0] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
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
			out[2 + i] =
				(unsigned char)((uint64_t)len >> (56 - 8 * i));
		h = 10;
	}
	if (mask_state) {
		uint32_t k = frame_next_key(mask_state);

		memcpy(out + h, &k, 4);
		h += 4;
	}
	return h;
}

void
wsx_frame_mask(unsigned char *out, const unsigned char *in, size_t len,
	       const unsigned char key[4])
{
	frame_mask_copy(out, in, len, key);
}

size_t
wsx_frame_message(unsigned char *out, enum wsx_msg_type type,
		  const unsigned char *data, size_t len, uint64_t *mask_state)
{
	size_t h = wsx_frame_header(out, type == WSX_MSG_TEXT ? 1 : 2, true,
				    len, mask_state);

	if (mask_state)
		frame_mask_copy(out + h, data, len, out + h - 4);
	else
		memcpy(out + h, data, len);
	return h + len;
}
