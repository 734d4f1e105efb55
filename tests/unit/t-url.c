#include "config.h"
/* util/url: WebSocket URL parsing, defaults and refusals. */

#include <string.h>

#include "tap.h"
#include "util/url.h"

static void
url_ok(const char *s, bool tls, const char *host, unsigned port,
       const char *path, const char *userinfo)
{
	struct wsx_err err = { 0, "" };
	struct wsx_url u;
	int rc;

	memset(&u, 0x5a, sizeof(u));
	rc = wsx_url_parse(&u, s, &err);
	if (!is_int(rc, 0, "'%s' is accepted", s)) {
		diag("error: %s", err.msg);
		return;
	}
	is_int(u.tls, tls, "'%s': %s", s, tls ? "wss (TLS)" : "ws (no TLS)");
	is_str(u.host, host, "'%s': host", s);
	is_int(u.port, port, "'%s': port %u", s, port);
	is_str(u.path, path, "'%s': path", s);
	is_str(u.userinfo, userinfo, "'%s': userinfo", s);
}

static void
url_bad(const char *s, const char *mention)
{
	struct wsx_err err = { 0, "" };
	struct wsx_url u;

	is_int(wsx_url_parse(&u, s, &err), -1, "'%s' is refused", s);
	is_int(err.code, 2, "'%s': error code 2 (usage)", s);
	if (!ok(strstr(err.msg, s) != NULL, "'%s': message quotes the URL", s))
		diag("message: %s", err.msg);
	if (mention && !ok(strstr(err.msg, mention) != NULL,
			   "'%s': message mentions '%s'", s, mention))
		diag("message: %s", err.msg);
}

static void
test_accepts(void)
{
	url_ok("ws://host", false, "host", 80, "/", "");
	url_ok("ws://host/", false, "host", 80, "/", "");
	url_ok("ws://host:1234/path?q=1", false, "host", 1234, "/path?q=1", "");
	url_ok("wss://host", true, "host", 443, "/", "");
	url_ok("wss://host:8443/a/b", true, "host", 8443, "/a/b", "");
	url_ok("ws://example.com:80/", false, "example.com", 80, "/", "");
	url_ok("ws://h:1", false, "h", 1, "/", "");
	url_ok("ws://h:65535", false, "h", 65535, "/", "");
	url_ok("localhost:8080/x", false, "localhost", 8080, "/x", "");
	url_ok("localhost", false, "localhost", 80, "/", "");
	url_ok("127.0.0.1:9001", false, "127.0.0.1", 9001, "/", "");
	url_ok("http://host/p", false, "host", 80, "/p", "");
	url_ok("https://host/p", true, "host", 443, "/p", "");
	url_ok("WS://Host:81/", false, "Host", 81, "/", "");
	url_ok("WSS://host", true, "host", 443, "/", "");
	url_ok("ws://[::1]:9000", false, "::1", 9000, "/", "");
	url_ok("ws://[::1]:9000/chat", false, "::1", 9000, "/chat", "");
	url_ok("wss://[2001:db8::1]/x", true, "2001:db8::1", 443, "/x", "");
	url_ok("[::1]:9000/x", false, "::1", 9000, "/x", "");
	url_ok("ws://user:pass@host/x", false, "host", 80, "/x", "user:pass");
	url_ok("wss://user:pass@host:444", true, "host", 444, "/", "user:pass");
	url_ok("ws://user@[::1]:1/", false, "::1", 1, "/", "user");
	url_ok("ws://host/path@x", false, "host", 80, "/path@x", "");
	url_ok("ws://host/p?q=1#frag", false, "host", 80, "/p?q=1", "");
	url_ok("ws://host#frag", false, "host", 80, "/", "");
	url_ok("ws://host:99#frag", false, "host", 99, "/", "");
	url_ok("ws://host?x=1", false, "host", 80, "/?x=1", "");
	url_ok("ws://host/a%20b", false, "host", 80, "/a%20b", "");
	url_ok("localhost:8080/ws?next=http://x/", false, "localhost", 8080,
	       "/ws?next=http://x/", "");
}

static void
test_rejects(void)
{
	url_bad("ftp://x", "ws://");
	url_bad("gopher://host/", "ws://");
	url_bad("ws://", "host");
	url_bad("wss://", NULL);
	url_bad("ws:///path", NULL);
	url_bad("ws://:80/", NULL);
	url_bad("ws://user@", NULL);
	url_bad("ws://h:0", "port");
	url_bad("ws://h:65536", "port");
	url_bad("ws://h:99999999999999999999999", "port");
	url_bad("ws://h:abc", "port");
	url_bad("ws://h:", "port");
	url_bad("ws://h:80x/", "port");
	url_bad("ws://h:-1", "port");
	url_bad("ws://h:+80", "port");
	url_bad("ws://[::1", "]");
	url_bad("ws://[::1]x/", NULL);
	url_bad("ws://[]:80/", NULL);
	url_bad("ws://h/a b", NULL);
	url_bad("ws://h/a\tb", NULL);
	url_bad("ws://h/a\x7f", NULL);
	url_bad("ws://h?q=a b", NULL);
	url_bad("ws://ho st/", NULL);
}

static void
test_long(void)
{
	static char s[4096];
	struct wsx_err err = { 0, "" };
	struct wsx_url u;

	memcpy(s, "ws://", 5);
	memset(s + 5, 'h', 300);
	s[305] = '\0';
	is_int(wsx_url_parse(&u, s, &err), -1, "a 300-byte host is refused");
	is_int(err.code, 2, "a 300-byte host: error code 2");

	memcpy(s, "ws://h/", 7);
	memset(s + 7, 'p', 3000);
	s[3007] = '\0';
	is_int(wsx_url_parse(&u, s, &err), -1, "a 3000-byte path is refused");
	is_int(err.code, 2, "a 3000-byte path: error code 2");

	memcpy(s, "ws://h/", 7);
	memset(s + 7, 'p', 1999);
	s[2006] = '\0';
	is_int(wsx_url_parse(&u, s, &err), 0, "a 2000-byte path is accepted");
	is_size(strlen(u.path), 2000, "a 2000-byte path is kept whole");
	ok(u.path[0] == '/' && u.path[1999] == 'p',
	   "a 2000-byte path is kept as given");
}

int
main(void)
{
	test_accepts();
	test_rejects();
	test_long();
	return done_testing();
}
