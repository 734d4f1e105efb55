#include "config.h"
/* relay/spec: endpoint specs of wsx relay, accepted and refused. */

#include <string.h>

#include "relay/spec.h"
#include "tap.h"

static void
spec_ok(const char *text, enum wsx_spec_kind kind, const char *host,
	unsigned port, const char *path)
{
	struct wsx_err err = { 0, "" };
	struct wsx_spec s;

	if (!is_int(wsx_spec_parse(&s, text, &err), 0, "'%s' is accepted",
		    text)) {
		diag("error: %s", err.msg);
		return;
	}
	is_int(s.kind, kind, "'%s': kind", text);
	if (host) {
		is_str(s.host, host, "'%s': host", text);
		is_int(s.port, port, "'%s': port", text);
	}
	if (path)
		is_str(s.path, path, "'%s': path", text);
	wsx_spec_release(&s);
}

static void
spec_bad(const char *text, const char *mention)
{
	struct wsx_err err = { 0, "" };
	struct wsx_spec s;

	is_int(wsx_spec_parse(&s, text, &err), -1, "'%s' is refused", text);
	is_int(err.code, 2, "'%s': exit status 2", text);
	ok(strstr(err.msg, text) != NULL, "'%s': the message quotes it", text);
	if (!ok(strstr(err.msg, mention) != NULL, "'%s': message says '%s'",
		text, mention))
		diag("message: %s", err.msg);
	wsx_spec_release(&s);
}

static void
test_accepts(void)
{
	struct wsx_err err;
	struct wsx_spec s;

	spec_ok("-", WSX_SPEC_STDIO, NULL, 0, NULL);
	spec_ok("ws://h:1/p", WSX_SPEC_WS, NULL, 0, NULL);
	spec_ok("wss://h/p", WSX_SPEC_WS, NULL, 0, NULL);
	spec_ok("ws+unix:/run/s.sock", WSX_SPEC_WS, NULL, 0, NULL);
	spec_ok("ws-l:8080", WSX_SPEC_WS_LISTEN, "127.0.0.1", 8080, NULL);
	spec_ok("ws-l:0", WSX_SPEC_WS_LISTEN, "127.0.0.1", 0, NULL);
	spec_ok("ws-l:0.0.0.0:80", WSX_SPEC_WS_LISTEN, "0.0.0.0", 80, NULL);
	spec_ok("ws-l:[::1]:9", WSX_SPEC_WS_LISTEN, "::1", 9, NULL);
	spec_ok("tcp:127.0.0.1:5432", WSX_SPEC_TCP, "127.0.0.1", 5432, NULL);
	spec_ok("tcp:localhost:1", WSX_SPEC_TCP, "localhost", 1, NULL);
	spec_ok("tcp:[::1]:22", WSX_SPEC_TCP, "::1", 22, NULL);
	spec_ok("tcp-l:9000", WSX_SPEC_TCP_LISTEN, "127.0.0.1", 9000, NULL);
	spec_ok("unix:/tmp/x.sock", WSX_SPEC_UNIX, NULL, 0, "/tmp/x.sock");
	spec_ok("unix-l:rel.sock", WSX_SPEC_UNIX_LISTEN, NULL, 0, "rel.sock");

	wsx_spec_parse(&s, "wss-l:4443", &err);
	ok(s.tls && s.kind == WSX_SPEC_WS_LISTEN, "wss-l: listens with TLS");
	ok(wsx_spec_listens(&s) && wsx_spec_is_ws(&s),
	   "wss-l: listens and carries messages");
	wsx_spec_release(&s);

	wsx_spec_parse(&s, "exec:cat  -u ", &err);
	ok(s.kind == WSX_SPEC_EXEC && s.argv && !strcmp(s.argv[0], "cat") &&
		   !strcmp(s.argv[1], "-u") && !s.argv[2],
	   "exec: splits words at blanks");
	ok(!wsx_spec_listens(&s) && !wsx_spec_is_ws(&s),
	   "exec: neither listens nor carries messages");
	wsx_spec_release(&s);

	wsx_spec_parse(&s, "sh:echo 'a b' | tr a b", &err);
	ok(s.kind == WSX_SPEC_EXEC && !strcmp(s.argv[0], "/bin/sh") &&
		   !strcmp(s.argv[1], "-c") &&
		   !strcmp(s.argv[2], "echo 'a b' | tr a b") && !s.argv[3],
	   "sh: runs the command with /bin/sh -c");
	wsx_spec_release(&s);
}

static void
test_refuses(void)
{
	spec_bad("8080", "expected ws://");
	spec_bad("http-l:80", "expected ws://");
	spec_bad("tcp:localhost", "HOST:PORT");
	spec_bad("tcp:host:0", "1 to 65535");
	spec_bad("tcp:host:99999", "1 to 65535");
	spec_bad("tcp:host:8x", "1 to 65535");
	spec_bad("tcp::80", "no host");
	spec_bad("ws-l:", "0 to 65535");
	spec_bad("tcp-l:-1", "0 to 65535");
	spec_bad("tcp:::1:80", "[ADDR]:PORT");
	spec_bad("tcp:[::1:80", "']'");
	spec_bad("unix:", "no socket path");
	spec_bad("unix-l:/a/very/long/path/that/goes/on/and/on/and/on/and/on/"
		 "and/on/and/on/and/on/and/on/and/on/and/on/and/on/and/on/"
		 "and/on/x.sock",
		 "too long");
	spec_bad("exec:", "no program");
	spec_bad("exec:   ", "no program");
	spec_bad("sh:", "no shell command");
}

int
main(void)
{
	test_accepts();
	test_refuses();
	return done_testing();
}
