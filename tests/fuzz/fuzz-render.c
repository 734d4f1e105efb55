/*
 * Fuzz term/render: what connect shows of a peer's message. Escaped text
 * never lets a control character through, JSON rendering never fails on
 * what cJSON accepts, and the hex dump handles anything.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "term/render.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_buf out;
	const unsigned char *p;

	wsx_buf_init(&out, 0, (size_t)64 << 20);
	render_text(&out, data, size, false, "  ");
	p = wsx_buf_data(&out);
	for (size_t i = 0; i < out.len; i++)
		FUZZ_ASSERT(p[i] == '\n' || p[i] == '\t' ||
			    (p[i] >= 0x20 && p[i] != 0x7f));
	wsx_buf_clear(&out);
	render_json(&out, (const char *)data, size, size & 1, "  ");
	wsx_buf_clear(&out);
	render_hexdump(&out, data, size, "  ");
	FUZZ_ASSERT(out.len > 0);
	wsx_buf_release(&out);
	return 0;
}
