#include "config.h"
/* util/parse: seconds, sizes and integers from option values, and errors. */

#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "util/parse.h"

#define OPT "--some-option"

static void
secs_ok(const char *s, uint64_t want)
{
	struct wsx_err err = { 0, "" };
	uint64_t got = 12345;
	int rc = wsx_parse_secs(OPT, s, &got, &err);

	if (!is_int(rc, 0, "secs '%s' is accepted", s))
		diag("error: %s", err.msg);
	is_int(got, want, "secs '%s' is %llu us", s, (unsigned long long)want);
}

/* A refused value: -1, exit code 2, a message naming option and value. */
static void
check_err(int rc, const struct wsx_err *err, const char *what, const char *s)
{
	is_int(rc, -1, "%s '%s' is refused", what, s);
	is_int(err->code, 2, "%s '%s': error code 2 (usage)", what, s);
	if (!ok(strstr(err->msg, OPT) != NULL,
		"%s '%s': message names the option", what, s))
		diag("message: %s", err->msg);
	if (*s && !ok(strstr(err->msg, s) != NULL,
		      "%s '%s': message quotes the value", what, s))
		diag("message: %s", err->msg);
}

static void
secs_bad(const char *s)
{
	struct wsx_err err = { 0, "" };
	uint64_t got = 12345;

	check_err(wsx_parse_secs(OPT, s, &got, &err), &err, "secs", s);
	is_int(got, 12345, "secs '%s': output left alone", s);
}

static void
test_secs(void)
{
	secs_ok("1.5", 1500000);
	secs_ok("0", 0);
	secs_ok("0.0", 0);
	secs_ok("2s", 2000000);
	secs_ok("2", 2000000);
	secs_ok("250ms", 250000);
	secs_ok("1.5ms", 1500);
	secs_ok("1m", 60000000);
	secs_ok("1.5m", 90000000);
	secs_ok("0.25", 250000);
	secs_ok(".5", 500000);
	secs_ok("30", 30000000);
	secs_ok("0.000001", 1);
	/* decimal fractions that binary floating point cannot hold exactly */
	secs_ok("1.001", 1001000);
	secs_ok("0.3", 300000);
	secs_ok("2.017", 2017000);
	secs_ok("4.35", 4350000);
	secs_ok("1.1ms", 1100);

	secs_bad("abc");
	secs_bad("-1");
	secs_bad("-0.5");
	secs_bad("");
	secs_bad("1x");
	secs_bad("1 s");
	secs_bad(" 1");
	secs_bad("1s ");
	secs_bad("nan");
	secs_bad("inf");
	secs_bad("infinity");
	secs_bad("1h");
	secs_bad("ms");
	secs_bad("1e400");
	secs_bad("1e300");
}

static void
size_ok(const char *s, size_t min, size_t max, size_t want)
{
	struct wsx_err err = { 0, "" };
	size_t got = 12345;
	int rc = wsx_parse_size(OPT, s, min, max, &got, &err);

	if (!is_int(rc, 0, "size '%s' is accepted", s))
		diag("error: %s", err.msg);
	is_size(got, want, "size '%s' is %zu", s, want);
}

static void
size_bad(const char *s, size_t min, size_t max)
{
	struct wsx_err err = { 0, "" };
	size_t got = 12345;

	check_err(wsx_parse_size(OPT, s, min, max, &got, &err), &err, "size",
		  s);
	is_size(got, 12345, "size '%s': output left alone", s);
}

static void
test_size(void)
{
	const size_t big = (size_t)1 << 40;
	struct wsx_err err = { 0, "" };
	size_t got;

	size_ok("65536", 0, big, 65536);
	size_ok("0", 0, big, 0);
	size_ok("64K", 0, big, 65536);
	size_ok("64k", 0, big, 65536);
	size_ok("16M", 0, big, 16777216);
	size_ok("1G", 0, big, 1073741824);
	size_ok("16MiB", 0, big, 16777216);
	size_ok("64KB", 0, big, 65536);
	size_ok("64KiB", 0, big, 65536);
	size_ok("1g", 0, big, 1073741824);
	size_ok("100", 100, 100, 100);

	size_bad("abc", 0, big);
	size_bad("-5", 0, big);
	size_bad("12Q", 0, big);
	size_bad("", 0, big);
	size_bad(" 5", 0, big);
	size_bad("5 ", 0, big);
	size_bad("1.5M", 0, big);
	size_bad("16MM", 0, big);
	size_bad("K", 0, big);
	size_bad("0x10", 0, big);

	/* out of range */
	size_bad("99", 100, 200);
	size_bad("201", 100, 200);
	size_bad("1K", 0, 1023);
	size_bad("2G", 0, (size_t)1 << 30);
	size_bad("99999999999999999999999", 0, (size_t)-1);
	size_bad("17179869184G", 0, (size_t)-1); /* 2^64 bytes */
	size_ok("1024", 0, 1024, 1024);
	size_ok("1K", 1024, 1024, 1024);

	wsx_parse_size(OPT, "201", 100, 200, &got, &err);
	if (!ok(strstr(err.msg, "100") && strstr(err.msg, "200"),
		"size out of range: message gives the range"))
		diag("message: %s", err.msg);
}

static void
uint_ok(const char *s, unsigned long min, unsigned long max, unsigned long want)
{
	struct wsx_err err = { 0, "" };
	unsigned long got = 12345;
	int rc = wsx_parse_uint(OPT, s, min, max, &got, &err);

	if (!is_int(rc, 0, "uint '%s' is accepted", s))
		diag("error: %s", err.msg);
	is_int(got, want, "uint '%s' is %lu", s, want);
}

static void
uint_bad(const char *s, unsigned long min, unsigned long max)
{
	struct wsx_err err = { 0, "" };
	unsigned long got = 12345;

	check_err(wsx_parse_uint(OPT, s, min, max, &got, &err), &err, "uint",
		  s);
	is_int(got, 12345, "uint '%s': output left alone", s);
}

static void
test_uint(void)
{
	struct wsx_err err = { 0, "" };
	unsigned long got;

	uint_ok("0", 0, 10, 0);
	uint_ok("10", 0, 10, 10);
	uint_ok("8080", 1, 65535, 8080);
	uint_ok("007", 0, 10, 7);
	uint_bad("11", 0, 10);
	uint_bad("0", 1, 65535);
	uint_bad("65536", 1, 65535);
	uint_bad("abc", 0, 10);
	uint_bad("-1", 0, 10);
	uint_bad("+1", 0, 10);
	uint_bad("", 0, 10);
	uint_bad("1x", 0, 10);
	uint_bad(" 1", 0, 10);
	uint_bad("1.0", 0, 10);
	uint_bad("99999999999999999999999", 0, (unsigned long)-1);

	wsx_parse_uint(OPT, "11", 1, 10, &got, &err);
	if (!ok(strstr(err.msg, "1 to 10") != NULL,
		"uint out of range: message gives the range"))
		diag("message: %s", err.msg);
}

int
main(void)
{
	test_secs();
	test_size();
	test_uint();
	return done_testing();
}
