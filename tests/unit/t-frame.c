#include "config.h"
/* proto/frame: headers for every length class, masking that undoes itself,
 * and keys that change from frame to frame. */

#include <stdlib.h>
#include <string.h>

#include "proto/frame.h"
#include "tap.h"

/* Parse a frame back like a peer would; returns the payload length. */
static size_t
unframe(const unsigned char *f, unsigned char *payload, int *opcode,
	int *masked, size_t *header)
{
	size_t len = f[1] & 0x7f, h = 2;

	*opcode = f[0] & 0x0f;
	*masked = !!(f[1] & 0x80);
	if (len == 126) {
		len = (size_t)f[2] << 8 | f[3];
		h = 4;
	} else if (len == 127) {
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | f[2 + i];
		h = 10;
	}
	if (*masked) {
		const unsigned char *key = f + h;

		h += 4;
		for (size_t i = 0; i < len; i++)
			payload[i] = f[h + i] ^ key[i & 3];
	} else {
		memcpy(payload, f + h, len);
	}
	*header = h;
	return len;
}

int
main(void)
{
	static const size_t sizes[] = { 0,   1,	  7,	 8,	9,    125,
					126, 127, 65535, 65536, 70001 };
	unsigned char *data = malloc(70001),
		      *frame = malloc(70001 + WSX_FRAME_MAX_HEADER),
		      *back = malloc(70001);
	uint64_t state = wsx_frame_mask_seed();

	for (size_t i = 0; i < 70001; i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t n = sizes[s], h, got;
		int op, masked;
		size_t want_h = n < 126 ? 2 : n <= 65535 ? 4 : 10;
		size_t total;

		total = wsx_frame_message(frame, WSX_MSG_BINARY, data, n, NULL);
		got = unframe(frame, back, &op, &masked, &h);
		is_size(total, want_h + n,
			"server frame of %zu bytes is header + payload", n);
		ok(frame[0] == 0x82,
		   "server frame of %zu: FIN and binary opcode", n);
		ok(!masked && got == n && h == want_h,
		   "server frame of %zu: unmasked, length %zu", n, got);
		is_mem(back, got, data, n,
		       "server frame of %zu: payload intact", n);

		total = wsx_frame_message(frame, WSX_MSG_TEXT, data, n, &state);
		got = unframe(frame, back, &op, &masked, &h);
		is_size(total, want_h + 4 + n,
			"client frame of %zu has a 4-byte key", n);
		ok(op == 1 && masked,
		   "client frame of %zu: text opcode, masked", n);
		is_mem(back, got, data, n,
		       "client frame of %zu: unmasks to the payload", n);
		if (n >= 8)
			ok(memcmp(frame + h, data, n),
			   "client frame of %zu: bytes on the wire are masked",
			   n);
	}
	{
		unsigned char a[32], b[32];
		size_t h = 2;

		wsx_frame_message(a, WSX_MSG_BINARY, data, 4, &state);
		wsx_frame_message(b, WSX_MSG_BINARY, data, 4, &state);
		ok(memcmp(a + h, b + h, 4),
		   "two frames get different masking keys");
	}
	free(data);
	free(frame);
	free(back);
	return done_testing();
}
