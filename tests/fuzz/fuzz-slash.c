/* Fuzz term/slash: any typed line is parsed into one command or one error. */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "term/slash.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slash_cmd c;
	enum slash_kind k;
	char *line = malloc(size + 1);

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0'; /* readline hands over a C string */
	memset(&c, 0x5a, sizeof(c));
	k = slash_parse(line, &c);
	FUZZ_ASSERT(k == c.kind);
	if (k == SLASH_ERROR)
		FUZZ_ASSERT(c.msg[0] && memchr(c.msg, '\0', sizeof(c.msg)));
	if (k == SLASH_CLOSE)
		FUZZ_ASSERT(!c.code || slash_close_code_ok(c.code));
	if (k == SLASH_CLOSE || k == SLASH_PING || k == SLASH_PONG)
		FUZZ_ASSERT(c.len <= 125);
	if (k == SLASH_FILE) /* the path, trailing blanks dropped, is a copy */
		FUZZ_ASSERT(c.text == c.path && strlen(c.path) == c.len &&
			    c.len && c.path[c.len - 1] != ' ');
	else if (c.text && k != SLASH_ERROR)
		FUZZ_ASSERT(c.text >= line && c.text + c.len <= line + size);
	slash_cmd_release(&c);
	free(line);
	return 0;
}
