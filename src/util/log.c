/*
 * stderr diagnostics. The verbosity is set once by option parsing, before any
 * loop runs, which is why a file-scope level is tolerable here.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/utf8.h"

static int log_level = WSX_LOG_NOTICE;
static wsx_log_sink log_sink;
static void *log_sink_arg;

void
wsx_log_set_sink(wsx_log_sink fn, void *arg)
{
	log_sink = fn;
	log_sink_arg = arg;
}

void
wsx_log_set_level(int level)
{
	log_level = level;
}

int
wsx_log_level(void)
{
	return log_level;
}

void
wsx_log(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > log_level)
		return;
	memcpy(line, "wsx: ", 5);
	va_start(ap, fmt);
	vsnprintf(line + 5, sizeof(line) - 5, fmt, ap);
	va_end(ap);
	if (log_sink)
		log_sink(line, log_sink_arg);
	else
		fprintf(stderr, "%s\n", line);
}

void
wsx_printable(char *out, size_t outsz, const void *text, size_t len)
{
	const unsigned char *s = text;
	size_t i = 0, o = 0;

	if (!outsz)
		return;
	while (i < len) {
		size_t n = wsx_utf8_char_len(s + i, len - i);

		if (n > 1) {
			if (o + n >= outsz)
				break;
			for (size_t k = 0; k < n; k++)
				out[o++] = (char)s[i + k];
			i += n;
			continue;
		}
		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f) {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)s[i++];
			continue;
		}
		if (o + 4 >= outsz)
			break;
		snprintf(out + o, outsz - o, "\\x%02x", s[i]);
		o += 4;
		i++;
	}
	out[o] = '\0';
}
