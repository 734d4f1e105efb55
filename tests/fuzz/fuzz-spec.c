/* Fuzz relay/spec: any endpoint spec is parsed into a sane side or refused. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "relay/spec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_err err = { 0, "" };
	struct wsx_spec s;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&s, 0, sizeof(s));
	if (wsx_spec_parse(&s, text, &err) == 0) {
		FUZZ_ASSERT(memchr(s.host, '\0', sizeof(s.host)));
		FUZZ_ASSERT(memchr(s.path, '\0', sizeof(s.path)));
		FUZZ_ASSERT(s.port <= 65535);
		if (s.kind == WSX_SPEC_EXEC)
			FUZZ_ASSERT(s.argv && s.argv[0]);
		if (s.kind == WSX_SPEC_WS)
			FUZZ_ASSERT(s.url != NULL);
		wsx_spec_release(&s);
	} else {
		FUZZ_ASSERT(err.code == 2 && err.msg[0]);
	}
	free(text);
	return 0;
}
