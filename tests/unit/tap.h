/*
 * A tiny TAP producer for the unit tests, read by automake's tap-driver.sh.
 * Each check prints "ok N - name" or "not ok N - name" plus "# " lines with
 * what was got and expected; main() ends with `return done_testing();`,
 * which prints the plan when plan() was not called and returns non-zero when
 * any check failed or the count does not match the plan.
 */
#ifndef WSX_TESTS_TAP_H
#define WSX_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define TAP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TAP_PRINTF(f, a)
#endif

struct tap_state {
	int run;     /* checks so far */
	int failed;  /* of which failed */
	int planned; /* -1 until plan() */
};

static struct tap_state tap = { 0, 0, -1 };

/* Announce n checks up front; otherwise done_testing() prints the plan. */
static inline void
plan(int n)
{
	tap.planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void diag(const char *fmt, ...) TAP_PRINTF(1, 2);

/* A "# " comment line; TAP consumers show it, never count it. */
static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline int
tap_vok(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	char name[512];

	vsnprintf(name, sizeof(name), fmt, ap);
	/* '#' would start a directive, a newline would end the line */
	for (char *c = name; *c; c++)
		if (*c == '#' || (unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '_';
	tap.run++;
	if (!pass)
		tap.failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap.run, name);
	if (!pass)
		printf("# failed at %s:%d\n", file, line);
	fflush(stdout);
	return pass;
}

static inline int tap_ok(int pass, const char *file, int line, const char *fmt,
			 ...) TAP_PRINTF(4, 5);

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pass = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int tap_is_int(long long got, long long exp, const char *file,
			     int line, const char *fmt, ...) TAP_PRINTF(5, 6);

static inline int
tap_is_int(long long got, long long exp, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;
	int pass;

	va_start(ap, fmt);
	pass = tap_vok(got == exp, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#      got: %lld\n# expected: %lld\n", got, exp);
	return pass;
}

static inline int tap_is_u64(uint64_t got, uint64_t exp, const char *file,
			     int line, const char *fmt, ...) TAP_PRINTF(5, 6);

static inline int
tap_is_u64(uint64_t got, uint64_t exp, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;
	int pass;

	va_start(ap, fmt);
	pass = tap_vok(got == exp, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#      got: %" PRIu64 "\n# expected: %" PRIu64 "\n",
		       got, exp);
	return pass;
}

static inline int tap_is_size(size_t got, size_t exp, const char *file,
			      int line, const char *fmt, ...) TAP_PRINTF(5, 6);

static inline int
tap_is_size(size_t got, size_t exp, const char *file, int line, const char *fmt,
	    ...)
{
	va_list ap;
	int pass;

	va_start(ap, fmt);
	pass = tap_vok(got == exp, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#      got: %zu\n# expected: %zu\n", got, exp);
	return pass;
}

static inline int tap_is_str(const char *got, const char *exp, const char *file,
			     int line, const char *fmt, ...) TAP_PRINTF(5, 6);

static inline int
tap_is_str(const char *got, const char *exp, const char *file, int line,
	   const char *fmt, ...)
{
	va_list ap;
	int pass;

	if (!got || !exp)
		pass = got == exp;
	else
		pass = !strcmp(got, exp);
	va_start(ap, fmt);
	pass = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		printf("#      got: %s%s%s\n", got ? "'" : "",
		       got ? got : "NULL", got ? "'" : "");
		printf("# expected: %s%s%s\n", exp ? "'" : "",
		       exp ? exp : "NULL", exp ? "'" : "");
	}
	return pass;
}

/* Up to 32 bytes from off, as hex, for a diagnostic. */
static inline void
tap_hex(const char *label, const void *p, size_t len, size_t off)
{
	const unsigned char *s = p;
	size_t end = off + 32 < len ? off + 32 : len;

	printf("# %s (%zu bytes) at %zu:", label, len, off);
	if (!s)
		printf(" NULL");
	else
		for (size_t i = off; i < end; i++)
			printf(" %02x", s[i]);
	printf("%s\n", end < len ? " ..." : "");
}

static inline int tap_is_mem(const void *got, size_t glen, const void *exp,
			     size_t elen, const char *file, int line,
			     const char *fmt, ...) TAP_PRINTF(7, 8);

static inline int
tap_is_mem(const void *got, size_t glen, const void *exp, size_t elen,
	   const char *file, int line, const char *fmt, ...)
{
	const unsigned char *g = got, *e = exp;
	size_t diff = 0, n = glen < elen ? glen : elen;
	va_list ap;
	int pass;

	if ((!g && glen) || (!e && elen)) {
		pass = 0;
	} else {
		while (diff < n && g[diff] == e[diff])
			diff++;
		pass = glen == elen && diff == n;
	}
	va_start(ap, fmt);
	pass = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_hex("     got", got, glen, diff);
		tap_hex("expected", exp, elen, diff);
	}
	return pass;
}

/* Print the plan if none was given; the exit status for main(). */
static inline int
done_testing(void)
{
	if (tap.planned < 0) {
		printf("1..%d\n", tap.run);
	} else if (tap.planned != tap.run) {
		printf("# planned %d tests but ran %d\n", tap.planned, tap.run);
		fflush(stdout);
		return 1;
	}
	if (tap.failed)
		printf("# failed %d of %d tests\n", tap.failed, tap.run);
	fflush(stdout);
	return tap.failed ? 1 : 0;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, exp, ...)                                                  \
	tap_is_int((long long)(got), (long long)(exp), __FILE__, __LINE__,     \
		   __VA_ARGS__)
#define is_u64(got, exp, ...)                                                  \
	tap_is_u64((got), (exp), __FILE__, __LINE__, __VA_ARGS__)
#define is_size(got, exp, ...)                                                 \
	tap_is_size((size_t)(got), (size_t)(exp), __FILE__, __LINE__,          \
		    __VA_ARGS__)
#define is_str(got, exp, ...)                                                  \
	tap_is_str((got), (exp), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, glen, exp, elen, ...)                                      \
	tap_is_mem((got), (glen), (exp), (elen), __FILE__, __LINE__,           \
		   __VA_ARGS__)

#endif
