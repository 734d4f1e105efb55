/*
 * The server's plain HTTP/1.1 answers (RFC 7230, 7232): status answers
 * with a short text body, redirects, and the head of a file (200, or 304
 * when the client's copy is current), written into a buffer the connection
 * sends. The request line and fields are parsed by ws/http.c.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "proto/internal.h"
#include "util/parse.h"
#include "util/xalloc.h"

long
http_percent_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? wsx_hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < n ? wsx_hex_digit(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		if (!c || o + 1 >= cap)
			return -1; /* NUL has no place in a name */
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

static void
http_printf(struct wsx_buf *out, const char *fmt, ...)
{
	char line[4400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		wsx_buf_append(out, line,
			       (size_t)n < sizeof(line) ? (size_t)n
							: sizeof(line) - 1);
}

void
http_status_answer(struct wsx_buf *out, int status, const char *header,
		   const char *value, bool close)
{
	const char *reason = ws_http_reason(status);

	http_printf(out, "HTTP/1.1 %d %s\r\nServer: wsx/%s\r\n", status, reason,
		    PACKAGE_VERSION);
	if (header)
		http_printf(out, "%s: %s\r\n", header, value);
	if (status == 426)
		http_printf(out, "Upgrade: websocket\r\n"
				 "Sec-WebSocket-Version: 13\r\n");
	if (status == 405)
		http_printf(out, "Allow: GET, HEAD\r\n");
	http_printf(out,
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n%s\r\n%d %s\n",
		    strlen(reason) + 5, close ? "Connection: close\r\n" : "",
		    status, reason);
}

static void
http_date(char *out, size_t cap, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* A date in the form http_date() writes (RFC 7231's IMF-fixdate), or -1. */
static time_t
http_parse_date(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	return end && !*end ? timegm(&tm) : (time_t)-1;
}

bool
http_file_answer(struct wsx_buf *out, const struct ws_http *h, const char *type,
		 uint64_t size, time_t mtime, bool close)
{
	const char *since = ws_http_get(h, "If-Modified-Since", NULL);
	time_t t = since ? http_parse_date(since) : (time_t)-1;
	char date[64];
	bool fresh = t != (time_t)-1 && mtime <= t;

	http_date(date, sizeof(date), mtime);
	if (fresh)
		http_printf(out, "HTTP/1.1 304 Not Modified\r\n");
	else
		http_printf(out,
			    "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
			    "Content-Length: %llu\r\n",
			    type, (unsigned long long)size);
	http_printf(out, "Server: wsx/%s\r\nLast-Modified: %s\r\n%s\r\n",
		    PACKAGE_VERSION, date,
		    close ? "Connection: close\r\n" : "");
	return !fresh;
}

void
http_redirect_answer(struct wsx_buf *out, const char *location, bool close)
{
	http_printf(out,
		    "HTTP/1.1 301 Moved Permanently\r\nServer: wsx/%s\r\n"
		    "Location: %s\r\nContent-Length: 0\r\n%s\r\n",
		    PACKAGE_VERSION, location,
		    close ? "Connection: close\r\n" : "");
}
