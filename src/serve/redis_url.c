/* Redis URL parsing; see redis_url.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/redis_url.h"
#include "util/parse.h"

static int
redis_url_bad(struct wsx_err *err, const struct wsx_redis_url *u,
	      const char *why)
{
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "--redis: '%.200s' is not a Redis URL: %s", u->shown,
			   why);
}

/* Percent-decode s[0..n) into out (size cap); -1 on a bad escape, NUL or
 * overflow. */
static int
redis_url_decode(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n || wsx_hex_digit(s[i + 1]) < 0 ||
			    wsx_hex_digit(s[i + 2]) < 0)
				return -1;
			c = wsx_hex_digit(s[i + 1]) * 16 +
			    wsx_hex_digit(s[i + 2]);
			i += 2;
		}
		if (!c || o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = 0;
	return 0;
}

/* The URL for messages, with the password (after the user information's
 * ':', or all of it without one) as "***". */
static void
redis_url_mask(struct wsx_redis_url *u, const char *s)
{
	const char *rest = strstr(s, "://"), *end, *at = NULL, *colon;

	if (!rest) {
		snprintf(u->shown, sizeof(u->shown), "%s", s);
		return;
	}
	rest += 3;
	end = rest + strcspn(rest, "/");
	for (const char *q = rest; q < end; q++)
		if (*q == '@')
			at = q;
	if (!at) {
		snprintf(u->shown, sizeof(u->shown), "%s", s);
		return;
	}
	colon = memchr(rest, ':', (size_t)(at - rest));
	snprintf(u->shown, sizeof(u->shown), "%.*s%.*s:***%s", (int)(rest - s),
		 s, colon ? (int)(colon - rest) : 0, rest, at);
}

static int
redis_url_userinfo(struct wsx_redis_url *u, const char *s, size_t n,
		   struct wsx_err *err)
{
	const char *colon = memchr(s, ':', n);

	if (!colon)
		return redis_url_bad(
			err, u,
			"the part before '@' must be USER:PASSWORD "
			"or :PASSWORD");
	if (redis_url_decode(u->user, sizeof(u->user), s,
			     (size_t)(colon - s)) ||
	    redis_url_decode(u->pass, sizeof(u->pass), colon + 1,
			     n - (size_t)(colon - s) - 1))
		return redis_url_bad(err, u,
				     "bad %-escape or too long a user or "
				     "password");
	if (!u->pass[0])
		return redis_url_bad(err, u, "empty password");
	u->has_pass = true;
	return 0;
}

static int
redis_url_hostport(struct wsx_redis_url *u, const char *s, size_t n,
		   struct wsx_err *err)
{
	const char *port = NULL;
	size_t hn;

	if (n && s[0] == '[') {
		const char *close = memchr(s, ']', n);

		if (!close)
			return redis_url_bad(err, u,
					     "no ']' after an IPv6 "
					     "address");
		hn = (size_t)(close - s) - 1;
		if (hn >= sizeof(u->host))
			return redis_url_bad(err, u, "host name too long");
		memcpy(u->host, s + 1, hn);
		u->host[hn] = 0;
		if (close + 1 < s + n) {
			if (close[1] != ':')
				return redis_url_bad(err, u, "junk after ']'");
			port = close + 2;
		}
	} else {
		const char *colon = memchr(s, ':', n);

		hn = colon ? (size_t)(colon - s) : n;
		if (hn >= sizeof(u->host))
			return redis_url_bad(err, u, "host name too long");
		memcpy(u->host, s, hn);
		u->host[hn] = 0;
		if (colon)
			port = colon + 1;
	}
	if (!u->host[0])
		return redis_url_bad(err, u, "no host");
	if (port) {
		char *end;
		unsigned long p;

		if (port == s + n || !isdigit((unsigned char)*port))
			return redis_url_bad(err, u, "bad port");
		p = strtoul(port, &end, 10);
		if (end != s + n || p < 1 || p > 65535)
			return redis_url_bad(err, u, "port not in 1..65535");
		u->port = (unsigned)p;
	}
	return 0;
}

static int
redis_url_db(struct wsx_redis_url *u, const char *s, struct wsx_err *err)
{
	char *end;
	unsigned long db;

	if (!*s)
		return 0; /* "redis://host/" */
	if (!isdigit((unsigned char)*s))
		return redis_url_bad(err, u,
				     "the path must be a database "
				     "number");
	db = strtoul(s, &end, 10);
	if (*end || db > 100000)
		return redis_url_bad(err, u,
				     "the path must be a database "
				     "number");
	u->db = (long)db;
	return 0;
}

int
wsx_redis_url_parse(struct wsx_redis_url *u, const char *s, struct wsx_err *err)
{
	const char *p, *at, *slash;

	memset(u, 0, sizeof(*u));
	u->port = WSX_REDIS_DEFAULT_PORT;
	u->db = -1;
	redis_url_mask(u, s);
	if (!strncasecmp(s, "unix:", 5)) {
		p = s + 5;
		if (!strncmp(p, "//", 2))
			p += 2; /* unix:///path */
		if (*p != '/')
			return redis_url_bad(err, u,
					     "unix: needs an absolute "
					     "socket path");
		if (strlen(p) >= sizeof(u->unix_path))
			return redis_url_bad(err, u, "socket path too long");
		snprintf(u->unix_path, sizeof(u->unix_path), "%s", p);
		return 0;
	}
	if (!strncasecmp(s, "rediss://", 9))
		return redis_url_bad(err, u,
				     "TLS to Redis (rediss://) is not "
				     "supported; use a local TLS "
				     "tunnel or unix:");
	if (strncasecmp(s, "redis://", 8))
		return redis_url_bad(err, u,
				     "expected redis://HOST[:PORT] "
				     "or unix:/PATH");
	p = s + 8;
	if (strpbrk(p, "?#"))
		return redis_url_bad(err, u, "no query or fragment here");
	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	at = memchr(p, '@', (size_t)(slash - p));
	if (at) {
		/* the password may hold '@' percent-encoded, not bare: the
		 * last '@' before the path ends it */
		const char *last = at;

		while ((at = memchr(last + 1, '@', (size_t)(slash - last - 1))))
			last = at;
		at = last;
		if (redis_url_userinfo(u, p, (size_t)(at - p), err))
			return -1;
		p = at + 1;
	}
	if (redis_url_hostport(u, p, (size_t)(slash - p), err))
		return -1;
	return *slash ? redis_url_db(u, slash + 1, err) : 0;
}

void
wsx_redis_url_scrub(char *s)
{
	char *rest = strstr(s, "://"), *end, *at = NULL, *colon;

	if (!rest)
		return;
	rest += 3;
	end = rest + strcspn(rest, "/");
	for (char *q = rest; q < end; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return;
	colon = memchr(rest, ':', (size_t)(at - rest));
	if (colon)
		memset(colon + 1, '*', (size_t)(at - colon - 1));
}
