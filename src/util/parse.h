/*
 * Typed option values with range checks. Errors name the option and the
 * value: "--connect-timeout: 'abc' is not a number of seconds".
 */
#ifndef WSX_UTIL_PARSE_H
#define WSX_UTIL_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* "1.5", "250ms", "2s", "1m" -> microseconds; 0 allowed, negative not. */
/* The value of the hex digit c (either case), or -1. */
int wsx_hex_digit(int c);

int wsx_parse_secs(const char *opt, const char *s, uint64_t *usec,
		   struct wsx_err *err);
/* "65536", "64K", "16M", "1G" (binary multiples) -> bytes, within [min,max]. */
int wsx_parse_size(const char *opt, const char *s, size_t min, size_t max,
		   size_t *out, struct wsx_err *err);
/* Decimal integer within [min,max]. */
int wsx_parse_uint(const char *opt, const char *s, unsigned long min,
		   unsigned long max, unsigned long *out, struct wsx_err *err);

#endif
