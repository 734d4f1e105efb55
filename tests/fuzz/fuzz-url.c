/* Fuzz util/url: any string either parses into a sane URL or is refused. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "util/url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_err err = { 0, "" };
	struct wsx_url u;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (wsx_url_parse(&u, s, &err) == 0) {
		FUZZ_ASSERT(u.port >= 1 && u.port <= 65535);
		FUZZ_ASSERT(u.host[0] != '\0');
		FUZZ_ASSERT(u.path[0] == '/');
		FUZZ_ASSERT(memchr(u.host, '\0', sizeof(u.host)));
		FUZZ_ASSERT(memchr(u.path, '\0', sizeof(u.path)));
	} else {
		FUZZ_ASSERT(err.code == 2 && err.msg[0]);
	}
	free(s);
	return 0;
}
