/* Slash command parsing; see slash.h. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term/slash.h"
#include "util/err.h"
#include "util/parse.h"
#include "util/xalloc.h"

const struct slash_info slash_commands[] = {
	{ "/ping", "[DATA]", "send a ping; the pong shows the round trip",
	  SLASH_PING },
	{ "/pong", "[DATA]", "send an unsolicited pong", SLASH_PONG },
	{ "/close", "[CODE [REASON]]", "close (default 1000) and exit",
	  SLASH_CLOSE },
	{ "/binary", "HEX", "send bytes as a binary message", SLASH_BINARY },
	{ "/file", "PATH", "send a file as one binary message", SLASH_FILE },
	{ "/json", "[on|off]", "pretty-print JSON messages (on)", SLASH_JSON },
	{ "/hex", "[on|off]", "hex dump of binary messages (on)", SLASH_HEX },
	{ "/timestamps", "[on|off]", "time of day before each message",
	  SLASH_TIMESTAMPS },
	{ "/quiet", "[on|off]", "hide received messages (counted)",
	  SLASH_QUIET },
	{ "/help", "", "this list; //TEXT sends /TEXT", SLASH_HELP },
	{ NULL, NULL, NULL, SLASH_ERROR },
};

static enum slash_kind slash_error(struct slash_cmd *c, const char *fmt, ...)
	WSX_PRINTF(2, 3);

static enum slash_kind
slash_error(struct slash_cmd *c, const char *fmt, ...)
{
	va_list ap;

	c->kind = SLASH_ERROR;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return SLASH_ERROR;
}

int
slash_close_code_ok(long code)
{
	return (code >= 1000 && code <= 1003) ||
	       (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

long
slash_hex_decode(unsigned char *out, const char *s, size_t *bad_at)
{
	size_t i = 0;
	long n = 0;

	while (s[i]) {
		int hi, lo;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == ':') {
			i++;
			continue;
		}
		if (s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    wsx_hex_digit((unsigned char)s[i + 2]) >= 0 && wsx_hex_digit((unsigned char)s[i + 3]) >= 0) {
			i += 2;
		}
		hi = wsx_hex_digit((unsigned char)s[i]);
		if (hi < 0) {
			*bad_at = i;
			return -1;
		}
		lo = wsx_hex_digit((unsigned char)s[i + 1]);
		if (lo < 0) {
			*bad_at = i + 1;
			return -1;
		}
		out[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return n;
}

/* The words "on"/"off" after a toggle, or nothing. */
static enum slash_kind
slash_toggle(struct slash_cmd *c, const char *name, const char *arg)
{
	if (!*arg)
		c->toggle = -1;
	else if (!strcmp(arg, "on"))
		c->toggle = 1;
	else if (!strcmp(arg, "off"))
		c->toggle = 0;
	else
		return slash_error(c, "%s takes 'on', 'off' or nothing", name);
	return c->kind;
}

static enum slash_kind
slash_close(struct slash_cmd *c, const char *arg)
{
	char *end;
	long code;

	c->code = 1000;
	if (!*arg)
		return c->kind;
	code = strtol(arg, &end, 10);
	if (end == arg || (*end && *end != ' '))
		return slash_error(c, "/close: '%.40s' is not a close code",
				   arg);
	if (!slash_close_code_ok(code)) {
		snprintf(c->msg, sizeof(c->msg),
			 "/close: %ld is not a code to send (1000-1003, "
			 "1007-1014, 3000-4999)",
			 code);
		c->kind = SLASH_ERROR;
		return SLASH_ERROR;
	}
	c->code = (int)code;
	while (*end == ' ')
		end++;
	c->text = end;
	c->len = strlen(end);
	if (c->len > 123)
		return slash_error(c, "/close: the reason is longer than %s",
				   "123 bytes");
	return c->kind;
}

static enum slash_kind
slash_binary(struct slash_cmd *c, const char *arg)
{
	size_t bad = 0;
	long n;

	if (!*arg)
		return slash_error(c, "/binary: give the bytes in hex, %s",
				   "e.g. /binary 48 69 0a");
	c->bytes = xmalloc(strlen(arg) / 2 + 1);
	n = slash_hex_decode(c->bytes, arg, &bad);
	if (n < 0) {
		char what[8];

		if (arg[bad])
			snprintf(what, sizeof(what), "'%c'",
				 isprint((unsigned char)arg[bad]) ? arg[bad]
								  : '?');
		else
			snprintf(what, sizeof(what), "the end");
		snprintf(c->msg, sizeof(c->msg),
			 "/binary: bad hex at %s (column %zu): pairs of "
			 "digits 0-9a-f",
			 what, bad + 1);
		c->kind = SLASH_ERROR;
		free(c->bytes);
		c->bytes = NULL;
		return SLASH_ERROR;
	}
	c->n_bytes = (size_t)n;
	return c->kind;
}

enum slash_kind
slash_parse(const char *line, struct slash_cmd *c)
{
	const struct slash_info *info = NULL;
	size_t name_len;
	const char *arg;

	memset(c, 0, sizeof(*c));
	if (line[0] != '/' || line[1] == '/') {
		c->kind = SLASH_SEND;
		c->text = line[0] == '/' ? line + 1 : line;
		c->len = strlen(c->text);
		return SLASH_SEND;
	}
	name_len = strcspn(line, " ");
	for (size_t i = 0; slash_commands[i].name; i++)
		if (strlen(slash_commands[i].name) == name_len &&
		    !strncmp(slash_commands[i].name, line, name_len))
			info = &slash_commands[i];
	if (!info) {
		char name[40];

		snprintf(name, sizeof(name), "%.*s",
			 (int)(name_len < 30 ? name_len : 30), line);
		for (char *p = name; *p; p++)
			if (!isprint((unsigned char)*p))
				*p = '?';
		return slash_error(c,
				   "unknown command '%s' (/help lists them, "
				   "//TEXT sends /TEXT)",
				   name);
	}
	c->kind = info->kind;
	arg = line + name_len;
	while (*arg == ' ')
		arg++;
	switch (info->kind) {
	case SLASH_PING:
	case SLASH_PONG:
		c->text = arg;
		c->len = strlen(arg);
		if (c->len > 125)
			return slash_error(c, "%s: data longer than 125 bytes",
					   info->name);
		return c->kind;
	case SLASH_CLOSE:
		return slash_close(c, arg);
	case SLASH_BINARY:
		return slash_binary(c, arg);
	case SLASH_FILE:
		/* "f.txt " is what a completed name leaves when Enter is hit */
		c->len = strlen(arg);
		while (c->len && isspace((unsigned char)arg[c->len - 1]))
			c->len--;
		if (!c->len)
			return slash_error(c, "/file: which file? %s",
					   "(/file PATH)");
		c->path = xstrndup(arg, c->len);
		c->text = c->path;
		return c->kind;
	case SLASH_HELP:
		if (*arg)
			return slash_error(c, "/help takes no %s", "arguments");
		return c->kind;
	default:
		return slash_toggle(c, info->name, arg);
	}
}

void
slash_cmd_release(struct slash_cmd *c)
{
	free(c->bytes);
	c->bytes = NULL;
	free(c->path);
	c->path = NULL;
}
