/*
 * The HTTP/1.1 heads of a WebSocket handshake (RFC 7230 3): finding where a
 * head ends, parsing a request or a status line and its header fields in
 * place, and reading header values as comma-separated token lists.
 */
#ifndef WSX_WS_HTTP_H
#define WSX_WS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The largest head accepted, and the most header fields in it. */
#define WS_HTTP_MAX_HEAD    8192
#define WS_HTTP_MAX_HEADERS 64

struct ws_http_field {
	const char *name;  /* as sent; compare case-insensitively */
	const char *value; /* leading and trailing whitespace removed */
};

struct ws_http {
	const char *method; /* request: "GET" ... */
	const char *target; /* request: "/path?query" */
	int status;	    /* response: 100..999 */
	const char *reason; /* response: the reason phrase */
	int minor;	    /* HTTP/1.minor */
	struct ws_http_field field[WS_HTTP_MAX_HEADERS];
	size_t nfields;
};

/*
 * Offset just past the blank line ending the head in buf, 0 when it has not
 * all arrived yet. from: bytes already searched by an earlier call.
 */
size_t ws_http_head_end(const char *buf, size_t len, size_t from);

/*
 * Parse the head in buf[0..len) (as found by ws_http_head_end), writing
 * NULs into it: h points into buf afterwards. Lines end in CRLF; folded
 * lines, control characters, a field name that is not a token and more
 * than WS_HTTP_MAX_HEADERS fields are refused. -1 with *why on error.
 */
int ws_http_parse_request(struct ws_http *h, char *buf, size_t len,
			  const char **why);
int ws_http_parse_response(struct ws_http *h, char *buf, size_t len,
			   const char **why);

/* The value of the first field called name, NULL if none; *count (when not
 * NULL) is how many fields have that name. */
const char *ws_http_get(const struct ws_http *h, const char *name, int *count);

/* Whether any field called name holds token in its comma-separated list
 * (tokens compared case-insensitively). */
bool ws_http_has_token(const struct ws_http *h, const char *name,
		       const char *token);

/*
 * Every field called name joined with ", " into out (room for cap bytes
 * with the NUL); returns the length, or -1 when it does not fit.
 */
long ws_http_join(const struct ws_http *h, const char *name, char *out,
		  size_t cap);

/*
 * Next element of a comma-separated list at *s (advanced past it), with
 * surrounding whitespace trimmed: its start and length, false at the end.
 * Empty elements ("a,,b") are skipped, as RFC 7230 7 allows.
 */
bool ws_http_list_next(const char **s, const char *end, const char **item,
		       size_t *len);

/* The standard reason phrase for a status wsx answers with ("Error" for
 * others); the one table for the engine's and the server's answers. */
const char *ws_http_reason(int status);

/* Whether s[0..len) is an RFC 7230 token. */
bool ws_http_is_token(const char *s, size_t len);

#endif
