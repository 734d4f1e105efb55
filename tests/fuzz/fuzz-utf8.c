/*
 * Fuzz util/utf8: the incremental validator, fed the input in pieces, must
 * agree with the one-shot check, and with wsx_utf8_char_len stepping.
 */
#include "config.h"

#include "fuzz.h"
#include "util/utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_utf8 v;
	bool whole = wsx_utf8_valid(data, size), fed = true, stepped = true;
	size_t cut = size ? data[0] % (size + 1) : 0, i = 0;

	wsx_utf8_init(&v);
	/* two pieces, cut anywhere, even inside a character */
	fed = wsx_utf8_feed(&v, data, cut) &&
	      wsx_utf8_feed(&v, data + cut, size - cut);
	fed = fed && wsx_utf8_complete(&v);
	FUZZ_ASSERT(fed == whole);
	while (i < size) {
		size_t n = wsx_utf8_char_len(data + i, size - i);

		if (!n) {
			stepped = false;
			break;
		}
		FUZZ_ASSERT(n <= 4);
		i += n;
	}
	FUZZ_ASSERT(stepped == whole);
	return 0;
}
