#include "config.h"
/* ws/frame: headers parsed and built for every length class, the RFC's
 * example frames, refusals of non-minimal and 64-bit-top-bit lengths,
 * and masking checked bytewise at every alignment, length and key phase. */

#include <stdlib.h>

#include "tap.h"
#include "ws-test.h"
#include "ws/frame.h"

struct hdr_row {
	const char *name;
	const char *bytes;
	int rc; /* header length, 0 more needed, -1 refused */
	int fin, rsv, opcode, masked;
	uint64_t len;
	enum ws_frame_error why;
};

static const struct hdr_row hdr_rows[] = {
	{ "unmasked Hello (RFC 6455 5.7)", "81 05", 2, 1, 0, 1, 0, 5, 0 },
	{ "masked Hello (5.7)", "81 85 37 fa 21 3d", 6, 1, 0, 1, 1, 5, 0 },
	{ "first fragment (5.7)", "01 03", 2, 0, 0, 1, 0, 3, 0 },
	{ "ping (5.7)", "89 05", 2, 1, 0, 9, 0, 5, 0 },
	{ "256 bytes, 16-bit length (5.7)", "82 7e 01 00", 4, 1, 0, 2, 0, 256,
	  0 },
	{ "64 KiB, 64-bit length (5.7)", "82 7f 00 00 00 00 00 01 00 00", 10, 1,
	  0, 2, 0, 65536, 0 },
	{ "RSV bits are reported", "f2 00", 2, 1, 0x70, 2, 0, 0, 0 },
	{ "reserved opcodes are reported, not judged", "8b 00", 2, 1, 0, 11, 0,
	  0, 0 },
	{ "largest 7-bit length", "82 7d", 2, 1, 0, 2, 0, 125, 0 },
	{ "smallest 16-bit length", "82 7e 00 7e", 4, 1, 0, 2, 0, 126, 0 },
	{ "largest 16-bit length", "82 7e ff ff", 4, 1, 0, 2, 0, 65535, 0 },
	{ "largest 64-bit length", "82 7f 7f ff ff ff ff ff ff ff", 10, 1, 0, 2,
	  0, 0x7fffffffffffffffull, 0 },
	{ "one byte is not a header", "81", 0, 0, 0, 0, 0, 0, 0 },
	{ "a 16-bit length needs its 2 bytes", "82 7e 01", 0, 0, 0, 0, 0, 0,
	  0 },
	{ "a 64-bit length needs its 8 bytes", "82 7f 00 00 00 00 00 01 00", 0,
	  0, 0, 0, 0, 0, 0 },
	{ "a masked header needs its key", "81 85 37 fa 21", 0, 0, 0, 0, 0, 0,
	  0 },
	{ "125 in 16 bits is not minimal", "82 7e 00 7d", -1, 0, 0, 0, 0, 0,
	  WS_FRAME_NOT_MINIMAL },
	{ "0 in 16 bits is not minimal", "82 7e 00 00", -1, 0, 0, 0, 0, 0,
	  WS_FRAME_NOT_MINIMAL },
	{ "65535 in 64 bits is not minimal", "82 7f 00 00 00 00 00 00 ff ff",
	  -1, 0, 0, 0, 0, 0, WS_FRAME_NOT_MINIMAL },
	{ "the top bit of a 64-bit length", "82 7f 80 00 00 00 00 00 00 00", -1,
	  0, 0, 0, 0, 0, WS_FRAME_TOO_LONG },
};

static void
parse_table(void)
{
	for (size_t i = 0; i < sizeof(hdr_rows) / sizeof(hdr_rows[0]); i++) {
		const struct hdr_row *r = &hdr_rows[i];
		unsigned char b[32];
		size_t n = wt_bytes(b, sizeof(b), r->bytes);
		struct ws_frame f;
		enum ws_frame_error why;
		int rc = ws_frame_parse(&f, b, n, &why);

		if (!is_int(rc, r->rc, "parse: %s: result", r->name) ||
		    rc <= 0) {
			if (rc < 0)
				is_int(why, r->why, "parse: %s: why", r->name);
			continue;
		}
		ok(f.fin == r->fin && f.rsv == r->rsv &&
			   f.opcode == r->opcode && f.masked == r->masked &&
			   f.len == r->len && f.header_len == (size_t)rc,
		   "parse: %s: fields", r->name);
	}
}

/* Build then parse for every length class, masked or not. */
static void
build_round_trip(void)
{
	static const uint64_t lens[] = {
		0,     1,	   125,
		126,   127,	   65535,
		65536, 1ull << 32, 0x7fffffffffffffffull
	};
	static const uint8_t key[4] = { 1, 2, 3, 4 };
	int all = 1;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (int m = 0; m < 2; m++) {
			unsigned char b[WS_FRAME_MAX_HEADER];
			struct ws_frame f;
			enum ws_frame_error why;
			size_t h = ws_frame_build(b, WS_OP_BINARY, m, WS_RSV1,
						  lens[i], m ? key : NULL);
			int rc = ws_frame_parse(&f, b, h, &why);

			if (rc != (int)h ||
			    h != ws_frame_header_len(lens[i], m) ||
			    f.len != lens[i] || f.masked != m || f.fin != m ||
			    f.rsv != WS_RSV1 || (m && memcmp(f.key, key, 4))) {
				diag("len %llu masked %d: h %zu rc %d",
				     (unsigned long long)lens[i], m, h, rc);
				all = 0;
			}
			/* and never one byte short */
			if (ws_frame_parse(&f, b, h - 1, &why) != 0)
				all = 0;
		}
	ok(all, "build: every length class parses back, minimal and whole");
}

/* ws_frame_mask against the bytewise definition (5.3): every buffer
 * alignment 0..15, lengths 0..70, every key phase, in place and not. */
static void
masking(void)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	unsigned char *in = malloc(128), *out = malloc(128),
		      *want = malloc(128);
	int all = 1;

	for (size_t align = 0; align < 16; align++)
		for (size_t len = 0; len + align <= 100; len++)
			for (unsigned phase = 0; phase < 4; phase++) {
				unsigned next;

				for (size_t i = 0; i < 128; i++)
					in[i] = (unsigned char)(i * 7 + len);
				for (size_t i = 0; i < len; i++)
					want[i] = in[align + i] ^
						  key[(phase + i) & 3];
				next = ws_frame_mask(out + align, in + align,
						     len, key, phase);
				if (memcmp(out + align, want, len) ||
				    next != ((phase + len) & 3))
					all = 0;
				ws_frame_mask(in + align, in + align, len, key,
					      phase);
				if (memcmp(in + align, want, len))
					all = 0;
			}
	ok(all,
	   "mask: equal to the bytewise XOR at every alignment, length and phase");
	/* a payload unmasked in pieces equals it unmasked whole */
	all = 1;
	for (size_t cut = 0; cut <= 100; cut++) {
		unsigned phase;

		for (size_t i = 0; i < 100; i++)
			in[i] = out[i] = (unsigned char)(i * 13);
		ws_frame_mask(want, in, 100, key, 0);
		phase = ws_frame_mask(out, out, cut, key, 0);
		ws_frame_mask(out + cut, out + cut, 100 - cut, key, phase);
		if (memcmp(out, want, 100))
			all = 0;
	}
	ok(all,
	   "mask: a payload unmasked in two pieces, cut anywhere, is unmasked right");
	{
		unsigned char hello[] = { 0x7f, 0x9f, 0x4d, 0x51, 0x58 };

		ws_frame_mask(hello, hello, 5, key, 0);
		is_mem(hello, 5, "Hello", 5,
		       "mask: the RFC's example unmasks to Hello");
	}
	free(in);
	free(out);
	free(want);
}

int
main(void)
{
	parse_table();
	build_round_trip();
	masking();
	return done_testing();
}
