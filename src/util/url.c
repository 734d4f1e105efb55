/* WebSocket URL parsing; see url.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/url.h"

static int
url_bad(struct wsx_err *err, const char *s, const char *why)
{
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "'%.200s' is not a valid URL: %s", s, why);
}

static const char *
url_scheme(struct wsx_url *u, const char *s)
{
	static const struct {
		const char *prefix;
		bool tls;
	} schemes[] = {
		{ "ws://", false },
		{ "wss://", true },
		{ "http://", false },
		{ "https://", true },
	};

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i].prefix);

		if (!strncasecmp(s, schemes[i].prefix, n)) {
			u->tls = schemes[i].tls;
			return s + n;
		}
	}
	return NULL;
}

/* ws+unix:/path/to.sock[:/http-path] */
static int
url_parse_unix(struct wsx_url *u, const char *s, struct wsx_err *err)
{
	const char *sock = s + 8, *sep = strstr(sock, ":/");
	size_t n = sep ? (size_t)(sep - sock) : strlen(sock);

	if (!n)
		return url_bad(err, s, "no socket path after ws+unix:");
	if (n >= sizeof(u->unix_path))
		return url_bad(err, s, "socket path too long");
	memcpy(u->unix_path, sock, n);
	snprintf(u->host, sizeof(u->host), "localhost");
	u->port = 80;
	if (!sep) {
		u->path[0] = '/';
		return 0;
	}
	if (strlen(sep + 1) >= sizeof(u->path))
		return url_bad(err, s, "path too long");
	snprintf(u->path, sizeof(u->path), "%s", sep + 1);
	for (const char *c = u->path; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return url_bad(err, s,
				       "spaces or control characters in path");
	return 0;
}

bool
wsx_url_has_scheme(const char *s)
{
	struct wsx_url u;

	return !strncasecmp(s, "ws+unix:", 8) || url_scheme(&u, s);
}

int
wsx_url_parse(struct wsx_url *u, const char *s, struct wsx_err *err)
{
	const char *p, *auth_end, *host, *host_end, *at;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (!strncasecmp(s, "ws+unix:", 8))
		return url_parse_unix(u, s, err);
	p = url_scheme(u, s);
	if (!p) {
		const char *colon = strstr(s, "://");

		/* a scheme comes before the path: "h/?u=http://x" has none */
		if (colon && colon < s + strcspn(s, "/?#"))
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"'%.200s' is not a WebSocket URL: use ws:// or wss://",
				s);
		p = s; /* "localhost:8080/x" means ws:// */
	}
	auth_end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(auth_end - p));
	if (at) {
		n = (size_t)(at - p);
		if (n >= sizeof(u->userinfo))
			return url_bad(err, s, "user name too long");
		memcpy(u->userinfo, p, n);
		p = at + 1;
	}
	host = p;
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end)
			return url_bad(err, s,
				       "missing ']' after IPv6 address");
		host++;
		p = host_end + 1;
	} else {
		host_end = host;
		while (host_end < auth_end && *host_end != ':')
			host_end++;
		p = host_end;
	}
	n = (size_t)(host_end - host);
	if (!n)
		return url_bad(err, s, "no host");
	if (n >= sizeof(u->host))
		return url_bad(err, s, "host name too long");
	memcpy(u->host, host, n);
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)u->host[i]))
			return url_bad(err, s, "bad character in host");
	u->port = u->tls ? 443 : 80;
	if (p < auth_end && *p == ':') {
		char *end;
		unsigned long port;

		p++;
		if (p == auth_end || !isdigit((unsigned char)*p))
			return url_bad(err, s, "bad port");
		port = strtoul(p, &end, 10);
		if (end != auth_end || port < 1 || port > 65535)
			return url_bad(err, s, "port must be 1 to 65535");
		u->port = (unsigned)port;
	} else if (p != auth_end) {
		return url_bad(err, s, "unexpected text after host");
	}
	p = auth_end;
	if (*p == '#')
		p = "";
	n = strcspn(p, "#");
	if (n + 2 > sizeof(u->path))
		return url_bad(err, s, "path too long");
	if (*p != '/')
		u->path[0] = '/';
	strncat(u->path, p, n);
	for (const char *c = u->path; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return url_bad(err, s,
				       "spaces or control characters in path");
	return 0;
}
