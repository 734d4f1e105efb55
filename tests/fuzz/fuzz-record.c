/*
 * Fuzz relay/record: the --record reader behind pipe --replay. Any file is
 * read into messages whose times only go forward and stay within a week,
 * or refused with a line number.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "relay/record.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wsx_record rec;
	struct wsx_err err = { 0, "" };
	char *text = malloc(size + 1), *line, *save = NULL;
	unsigned long no = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	wsx_record_init(&rec);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (wsx_record_line(&rec, "fuzz", ++no, line, &err)) {
			FUZZ_ASSERT(err.code == 2 && strstr(err.msg, "line"));
			break;
		}
	}
	for (size_t i = 0; i < rec.n; i++) {
		FUZZ_ASSERT(rec.msgs[i].at >= 0);
		FUZZ_ASSERT(rec.msgs[i].at <= WSX_RECORD_MAX_AT);
		FUZZ_ASSERT(!i || rec.msgs[i].at >= rec.msgs[i - 1].at);
		FUZZ_ASSERT(rec.msgs[i].data != NULL);
	}
	wsx_record_release(&rec);
	free(text);
	return 0;
}
