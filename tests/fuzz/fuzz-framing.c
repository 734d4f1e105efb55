/*
 * Fuzz io/framing: the decoders of every mode, fed the input in pieces of
 * fuzzer-chosen sizes. Every message they produce is within the size limit,
 * and encoding it and decoding that again gives back the same message.
 *
 * Input: byte 0 picks the mode, byte 1 the piece size, the rest is the
 * stream.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "io/framing.h"

#define FUZZ_MAX_MESSAGE 4096

static const enum wsx_framing modes[] = {
	WSX_FRAMING_LINES, WSX_FRAMING_NULL,   WSX_FRAMING_RAW,
	WSX_FRAMING_LEN32, WSX_FRAMING_BASE64, WSX_FRAMING_JSONL,
};

/* encode m in mode o and decode it again: the same message comes back */
static void
round_trip(const struct wsx_framing_opts *o, const struct wsx_msg *m)
{
	struct wsx_buf enc;
	struct wsx_decoder d;
	struct wsx_err err = { 0, "" };
	struct wsx_msg back;
	unsigned char *space;
	size_t avail, len;

	/* raw carries no boundaries; a line cannot hold its delimiter */
	if (o->mode == WSX_FRAMING_RAW ||
	    (o->mode == WSX_FRAMING_LINES && memchr(m->data, '\n', m->len)) ||
	    (o->mode == WSX_FRAMING_NULL && memchr(m->data, '\0', m->len)))
		return;
	wsx_buf_init(&enc, 0, 1 << 20);
	wsx_encode(o->mode, m, &enc);
	len = enc.len;
	wsx_decoder_init(&d, o, FUZZ_MAX_MESSAGE * 2);
	space = wsx_decoder_space(&d, &avail);
	FUZZ_ASSERT(space && avail >= len);
	memcpy(space, wsx_buf_data(&enc), len);
	wsx_decoder_commit(&d, len);
	wsx_decoder_eof(&d);
	FUZZ_ASSERT(wsx_decoder_next(&d, &back, &err) == 1);
	FUZZ_ASSERT(back.len == m->len);
	FUZZ_ASSERT(!m->len || !memcmp(back.data, m->data, m->len));
	if (o->mode == WSX_FRAMING_JSONL)
		FUZZ_ASSERT(back.type == m->type);
	wsx_decoder_release(&d);
	wsx_buf_release(&enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_framing_opts o;
	struct wsx_decoder d;
	struct wsx_err err = { 0, "" };
	struct wsx_msg m;
	size_t piece, pos = 2;
	int rc = 0;

	if (size < 2)
		return 0;
	wsx_framing_opts_init(&o, modes[data[0] % 6]);
	piece = 1 + data[1] % 64;
	wsx_decoder_init(&d, &o, FUZZ_MAX_MESSAGE);
	while (rc >= 0) {
		while ((rc = wsx_decoder_next(&d, &m, &err)) == 1) {
			FUZZ_ASSERT(m.len <= FUZZ_MAX_MESSAGE);
			round_trip(&o, &m);
		}
		if (rc < 0) {
			FUZZ_ASSERT(err.msg[0]);
			break;
		}
		if (d.eof)
			break;
		if (pos == size) {
			wsx_decoder_eof(&d);
			continue;
		}
		{
			size_t avail, n;
			unsigned char *space = wsx_decoder_space(&d, &avail);

			/* full only with a message waiting, taken above */
			FUZZ_ASSERT(space != NULL);
			n = size - pos < piece ? size - pos : piece;
			n = n < avail ? n : avail;
			memcpy(space, data + pos, n);
			wsx_decoder_commit(&d, n);
			pos += n;
		}
	}
	wsx_decoder_release(&d);
	return 0;
}
