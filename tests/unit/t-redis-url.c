#include "config.h"
/* serve/redis_url: --redis URLs, the password hidden in messages and argv. */

#include <string.h>

#include "serve/redis_url.h"
#include "tap.h"

static void
redis_ok(const char *s, const char *host, unsigned port, const char *unix_path,
	 const char *user, const char *pass, long db, const char *shown)
{
	struct wsx_err err = { 0, "" };
	struct wsx_redis_url u;

	if (!is_int(wsx_redis_url_parse(&u, s, &err), 0, "'%s' is accepted",
		    s)) {
		diag("error: %s", err.msg);
		return;
	}
	is_str(u.host, host, "'%s': host", s);
	is_int(u.port, port, "'%s': port", s);
	is_str(u.unix_path, unix_path, "'%s': socket", s);
	is_str(u.user, user, "'%s': user", s);
	is_str(u.pass, pass, "'%s': password", s);
	is_int(u.has_pass, pass[0] != 0, "'%s': AUTH or not", s);
	is_int(u.db, db, "'%s': database", s);
	is_str(u.shown, shown, "'%s': shown as", s);
}

static void
redis_bad(const char *s, const char *why)
{
	struct wsx_err err = { 0, "" };
	struct wsx_redis_url u;

	is_int(wsx_redis_url_parse(&u, s, &err), -1, "'%s' is refused", s);
	is_int(err.code, 2, "'%s': usage error", s);
	if (!ok(strstr(err.msg, why) != NULL, "'%s': says '%s'", s, why))
		diag("message: %s", err.msg);
	ok(!strstr(err.msg, "hunter2"), "'%s': the password is not in it", s);
}

static void
redis_scrub(const char *s, const char *want)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", s);
	wsx_redis_url_scrub(buf);
	is_str(buf, want, "'%s' scrubbed", s);
}

int
main(void)
{
	redis_ok("redis://127.0.0.1", "127.0.0.1", 6379, "", "", "", -1,
		 "redis://127.0.0.1");
	redis_ok("redis://h:7000/3", "h", 7000, "", "", "", 3,
		 "redis://h:7000/3");
	redis_ok("redis://h/", "h", 6379, "", "", "", -1, "redis://h/");
	redis_ok("REDIS://[::1]:6380", "::1", 6380, "", "", "", -1,
		 "REDIS://[::1]:6380");
	redis_ok("redis://:hunter2@h", "h", 6379, "", "", "hunter2", -1,
		 "redis://:***@h");
	redis_ok("redis://alice:p%40ss%3a@h:1/0", "h", 1, "", "alice",
		 "p@ss:", 0, "redis://alice:***@h:1/0");
	redis_ok("unix:/run/redis.sock", "", 6379, "/run/redis.sock", "", "",
		 -1, "unix:/run/redis.sock");
	redis_ok("unix:///run/redis.sock", "", 6379, "/run/redis.sock", "", "",
		 -1, "unix:///run/redis.sock");

	redis_bad("http://h", "expected redis://HOST[:PORT] or unix:/PATH");
	redis_bad("rediss://:hunter2@h", "rediss://");
	redis_bad("redis://:hunter2@", "no host");
	redis_bad("redis://:hunter2@h:0", "port not in 1..65535");
	redis_bad("redis://:hunter2@h:x", "bad port");
	redis_bad("redis://h:6379/db", "database number");
	redis_bad("redis://hunter2@h", "USER:PASSWORD or :PASSWORD");
	redis_bad("redis://:@h", "empty password");
	redis_bad("redis://:hunter2%zz@h", "bad %-escape");
	redis_bad("redis://:hunter2@h?db=1", "no query");
	redis_bad("redis://[::1", "no ']'");
	redis_bad("unix:run/redis.sock", "absolute socket path");

	redis_scrub("redis://:hunter2@h/1", "redis://:*******@h/1");
	redis_scrub("redis://alice:hunter2@h", "redis://alice:*******@h");
	redis_scrub("redis://h:6379", "redis://h:6379");
	return done_testing();
}
