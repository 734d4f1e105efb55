/* Fuzz util/parse: option values are taken within range or refused. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "util/parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_err err = { 0, "" };
	unsigned long ul;
	uint64_t usec;
	size_t sz;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!wsx_parse_size("--size", s, 1, (size_t)1 << 30, &sz, &err))
		FUZZ_ASSERT(sz >= 1 && sz <= (size_t)1 << 30);
	else
		FUZZ_ASSERT(err.code == 2 && strstr(err.msg, "--size"));
	if (!wsx_parse_uint("--n", s, 3, 1000, &ul, &err))
		FUZZ_ASSERT(ul >= 3 && ul <= 1000);
	else
		FUZZ_ASSERT(err.code == 2 && strstr(err.msg, "--n"));
	if (wsx_parse_secs("--secs", s, &usec, &err))
		FUZZ_ASSERT(err.code == 2 && strstr(err.msg, "--secs"));
	free(s);
	return 0;
}
