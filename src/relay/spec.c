/* Endpoint specs; see spec.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relay/spec.h"
#include "util/parse.h"
#include "util/xalloc.h"

static int
spec_bad(struct wsx_err *err, const char *text, const char *why)
{
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "'%.200s' is not an endpoint: %s", text, why);
}

static int
spec_port(const char *p, unsigned min, unsigned *port)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*p))
		return -1;
	n = strtoul(p, &end, 10);
	if (*end || n < min || n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

/* "[host:]port", "[v6]:port" or "host:port" (need_host) */
static int
spec_host_port(struct wsx_spec *s, const char *p, bool need_host,
	       struct wsx_err *err)
{
	const char *colon = strrchr(p, ':'), *host = p, *port = p;
	size_t n = 0;

	if (colon) {
		port = colon + 1;
		n = (size_t)(colon - p);
		if (*p == '[') {
			if (n < 2 || p[n - 1] != ']')
				return spec_bad(
					err, s->text,
					"missing ']' after IPv6 address");
			host++;
			n -= 2;
		} else if (memchr(p, ':', n)) {
			return spec_bad(err, s->text,
					"write an IPv6 address as [ADDR]:PORT");
		}
	} else if (need_host) {
		return spec_bad(err, s->text, "expected HOST:PORT");
	}
	if (colon && !n)
		return spec_bad(err, s->text, "no host before ':'");
	if (n >= sizeof(s->host))
		return spec_bad(err, s->text, "host name too long");
	if (n) {
		memcpy(s->host, host, n);
		s->host[n] = '\0';
	} else {
		snprintf(s->host, sizeof(s->host), "127.0.0.1");
	}
	for (size_t i = 0; s->host[i]; i++)
		if (!isgraph((unsigned char)s->host[i]))
			return spec_bad(err, s->text, "bad character in host");
	if (spec_port(port, need_host ? 1 : 0, &s->port))
		return spec_bad(err, s->text,
				need_host ? "port must be 1 to 65535"
					  : "port must be 0 to 65535");
	return 0;
}

static int
spec_path(struct wsx_spec *s, const char *p, struct wsx_err *err)
{
	if (!*p)
		return spec_bad(err, s->text, "no socket path");
	if (strlen(p) >= sizeof(s->path))
		return spec_bad(err, s->text, "socket path too long");
	snprintf(s->path, sizeof(s->path), "%s", p);
	return 0;
}

/* exec:PROG ARGS...: words split at blanks, no quoting (use sh: for that) */
static int
spec_words(struct wsx_spec *s, const char *p, struct wsx_err *err)
{
	size_t n = 0;

	while (*p) {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (!len)
			break;
		s->argv = xrealloc(s->argv, (n + 2) * sizeof(*s->argv));
		s->argv[n++] = xstrndup(p, len);
		s->argv[n] = NULL;
		p += len;
	}
	if (!n)
		return spec_bad(err, s->text, "no program to run");
	return 0;
}

static int
spec_shell(struct wsx_spec *s, const char *cmd, struct wsx_err *err)
{
	if (!cmd[strspn(cmd, " \t")])
		return spec_bad(err, s->text, "no shell command");
	s->argv = xcalloc(4, sizeof(*s->argv));
	s->argv[0] = xstrdup("/bin/sh");
	s->argv[1] = xstrdup("-c");
	s->argv[2] = xstrdup(cmd);
	return 0;
}

int
wsx_spec_parse(struct wsx_spec *s, const char *text, struct wsx_err *err)
{
	static const struct {
		const char *prefix;
		enum wsx_spec_kind kind;
	} prefixes[] = {
		{ "ws-l:", WSX_SPEC_WS_LISTEN },
		{ "wss-l:", WSX_SPEC_WS_LISTEN },
		{ "tcp-l:", WSX_SPEC_TCP_LISTEN },
		{ "tcp:", WSX_SPEC_TCP },
		{ "unix-l:", WSX_SPEC_UNIX_LISTEN },
		{ "unix:", WSX_SPEC_UNIX },
		{ "exec:", WSX_SPEC_EXEC },
		{ "sh:", WSX_SPEC_EXEC },
	};
	const char *rest;

	memset(s, 0, sizeof(*s));
	s->text = text;
	if (!strcmp(text, "-")) {
		s->kind = WSX_SPEC_STDIO;
		return 0;
	}
	if (!strncasecmp(text, "ws://", 5) || !strncasecmp(text, "wss://", 6) ||
	    !strncasecmp(text, "ws+unix:", 8)) {
		s->kind = WSX_SPEC_WS;
		s->url = text;
		return 0;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (strncasecmp(text, prefixes[i].prefix, n))
			continue;
		rest = text + n;
		s->kind = prefixes[i].kind;
		switch (s->kind) {
		case WSX_SPEC_WS_LISTEN:
			s->tls = text[2] == 's' || text[2] == 'S';
			/* fall through */
		case WSX_SPEC_TCP_LISTEN:
			return spec_host_port(s, rest, false, err);
		case WSX_SPEC_TCP:
			return spec_host_port(s, rest, true, err);
		case WSX_SPEC_UNIX:
		case WSX_SPEC_UNIX_LISTEN:
			return spec_path(s, rest, err);
		default:
			return text[0] == 's' || text[0] == 'S'
				       ? spec_shell(s, rest, err)
				       : spec_words(s, rest, err);
		}
	}
	return wsx_err_set(
		err, WSX_EXIT_USAGE,
		"'%.200s' is not an endpoint: expected ws://, wss://, ws+unix:, "
		"ws-l:, wss-l:, tcp:, tcp-l:, unix:, unix-l:, exec:, sh: or -",
		text);
}

void
wsx_spec_release(struct wsx_spec *s)
{
	for (size_t i = 0; s->argv && s->argv[i]; i++)
		free(s->argv[i]);
	free(s->argv);
	s->argv = NULL;
}

bool
wsx_spec_listens(const struct wsx_spec *s)
{
	return s->kind == WSX_SPEC_WS_LISTEN ||
	       s->kind == WSX_SPEC_TCP_LISTEN ||
	       s->kind == WSX_SPEC_UNIX_LISTEN;
}

bool
wsx_spec_is_ws(const struct wsx_spec *s)
{
	return s->kind == WSX_SPEC_WS || s->kind == WSX_SPEC_WS_LISTEN;
}
