/*
 * HTTP heads for the handshake; see http.h. Parsing is strict on purpose:
 * a WebSocket handshake has no business with folded lines or bare LFs, and
 * a lenient parser is where request smuggling starts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ws/http.h"

size_t
ws_http_head_end(const char *buf, size_t len, size_t from)
{
	/* back up so a CRLFCRLF split across calls is still found */
	size_t i = from > 3 ? from - 3 : 0;

	for (; i + 4 <= len; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' &&
		    buf[i + 2] == '\r' && buf[i + 3] == '\n')
			return i + 4;
	return 0;
}

static bool
http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

bool
ws_http_is_token(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!http_tchar((unsigned char)s[i]))
			return false;
	return true;
}

/* Cut the line at *p (ending in CRLF) and advance past it; NULL at the
 * head's end or on a bare CR or LF. */
static char *
http_line(char **p, char *end, const char **why)
{
	char *s = *p, *e = s;

	while (e < end && *e != '\r' && *e != '\n')
		e++;
	if (e + 1 >= end || e[0] != '\r' || e[1] != '\n') {
		*why = "a line does not end in CRLF";
		return NULL;
	}
	*e = '\0';
	*p = e + 2;
	return s;
}

static int
http_version(const char *v, int *minor)
{
	if (strncmp(v, "HTTP/1.", 7) || v[7] < '0' || v[7] > '9' || v[8])
		return -1;
	*minor = v[7] - '0';
	return 0;
}

static int
http_fields(struct ws_http *h, char *p, char *end, const char **why)
{
	h->nfields = 0;
	for (;;) {
		char *line = http_line(&p, end, why), *colon, *v, *ve;

		if (!line)
			return -1;
		if (!*line)
			return 0; /* the blank line */
		if (*line == ' ' || *line == '\t')
			return *why = "folded header lines are not allowed", -1;
		colon = strchr(line, ':');
		if (!colon || !ws_http_is_token(line, (size_t)(colon - line)))
			return *why = "a header field name is not a token", -1;
		if (h->nfields == WS_HTTP_MAX_HEADERS)
			return *why = "too many header fields", -1;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		ve = v + strlen(v);
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			*--ve = '\0';
		for (const char *c = v; c < ve; c++)
			if (((unsigned char)*c < 0x20 && *c != '\t') ||
			    *c == 0x7f)
				return *why = "a header value holds a control character",
				       -1;
		h->field[h->nfields].name = line;
		h->field[h->nfields].value = v;
		h->nfields++;
	}
}

static void
http_clear(struct ws_http *h)
{
	memset(h, 0, sizeof(*h));
}

int
ws_http_parse_request(struct ws_http *h, char *buf, size_t len,
		      const char **why)
{
	char *p = buf, *end = buf + len, *line, *sp1, *sp2;

	http_clear(h);
	if (memchr(buf, '\0', len))
		return *why = "the request holds a NUL byte", -1;
	if (!(line = http_line(&p, end, why)))
		return -1;
	/* method SP request-target SP HTTP-version, single spaces */
	sp1 = strchr(line, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (!sp1 || !sp2 || strchr(sp2 + 1, ' '))
		return *why = "the request line is not 'METHOD TARGET HTTP/1.1'",
		       -1;
	*sp1 = *sp2 = '\0';
	if (!ws_http_is_token(line, strlen(line)) || !sp1[1])
		return *why = "the request line is not 'METHOD TARGET HTTP/1.1'",
		       -1;
	for (const char *c = sp1 + 1; *c; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return *why = "the request target holds a byte not allowed in a URL",
			       -1;
	if (http_version(sp2 + 1, &h->minor))
		return *why = "not an HTTP/1.x request", -1;
	h->method = line;
	h->target = sp1 + 1;
	return http_fields(h, p, end, why);
}

int
ws_http_parse_response(struct ws_http *h, char *buf, size_t len,
		       const char **why)
{
	char *p = buf, *end = buf + len, *line, *code;

	http_clear(h);
	if (memchr(buf, '\0', len))
		return *why = "the response holds a NUL byte", -1;
	if (!(line = http_line(&p, end, why)))
		return -1;
	/* HTTP-version SP 3DIGIT SP reason-phrase (which may be empty) */
	code = strchr(line, ' ');
	if (!code || strlen(code) < 4 || code[1] < '1' || code[1] > '9' ||
	    code[2] < '0' || code[2] > '9' || code[3] < '0' || code[3] > '9' ||
	    (code[4] && code[4] != ' '))
		return *why = "the status line is not 'HTTP/1.1 CODE REASON'",
		       -1;
	*code = '\0';
	if (http_version(line, &h->minor))
		return *why = "not an HTTP/1.x response", -1;
	h->status =
		(code[1] - '0') * 100 + (code[2] - '0') * 10 + (code[3] - '0');
	h->reason = code[4] ? code + 5 : code + 4;
	return http_fields(h, p, end, why);
}

const char *
ws_http_get(const struct ws_http *h, const char *name, int *count)
{
	const char *first = NULL;
	int n = 0;

	for (size_t i = 0; i < h->nfields; i++)
		if (!strcasecmp(h->field[i].name, name)) {
			if (!n++)
				first = h->field[i].value;
		}
	if (count)
		*count = n;
	return first;
}

bool
ws_http_list_next(const char **s, const char *end, const char **item,
		  size_t *len)
{
	const char *p = *s;

	for (;;) {
		const char *b, *e;
		bool quoted = false;

		while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
			p++;
		if (p >= end)
			return *s = p, false;
		b = p;
		/* a comma inside a quoted string does not end the element */
		for (; p < end && (quoted || *p != ','); p++) {
			if (quoted && *p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				quoted = !quoted;
		}
		e = p;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > b) {
			*item = b;
			*len = (size_t)(e - b);
			*s = p;
			return true;
		}
	}
}

bool
ws_http_has_token(const struct ws_http *h, const char *name, const char *token)
{
	size_t tlen = strlen(token);

	for (size_t i = 0; i < h->nfields; i++) {
		const char *s, *end, *item;
		size_t len;

		if (strcasecmp(h->field[i].name, name))
			continue;
		s = h->field[i].value;
		end = s + strlen(s);
		while (ws_http_list_next(&s, end, &item, &len))
			if (len == tlen && !strncasecmp(item, token, len))
				return true;
	}
	return false;
}

long
ws_http_join(const struct ws_http *h, const char *name, char *out, size_t cap)
{
	size_t n = 0;

	if (!cap)
		return -1;
	out[0] = '\0';
	for (size_t i = 0; i < h->nfields; i++) {
		size_t vl;

		if (strcasecmp(h->field[i].name, name))
			continue;
		vl = strlen(h->field[i].value);
		if (n + (n ? 2 : 0) + vl + 1 > cap)
			return -1;
		if (n) {
			memcpy(out + n, ", ", 2);
			n += 2;
		}
		memcpy(out + n, h->field[i].value, vl + 1);
		n += vl;
	}
	return (long)n;
}

const char *
ws_http_reason(int status)
{
	static const struct {
		int status;
		const char *reason;
	} reasons[] = {
		{ 101, "Switching Protocols" },
		{ 200, "OK" },
		{ 301, "Moved Permanently" },
		{ 304, "Not Modified" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 413, "Payload Too Large" },
		{ 426, "Upgrade Required" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 502, "Bad Gateway" },
		{ 503, "Service Unavailable" },
	};

	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Error";
}
