/* Option value parsers; see parse.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"

int
wsx_parse_secs(const char *opt, const char *s, uint64_t *usec,
	       struct wsx_err *err)
{
	char *end;
	double v, scale = 1e6;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0 ||
	    isspace((unsigned char)*s))
		goto bad;
	if (!strcmp(end, "ms"))
		scale = 1e3;
	else if (!strcmp(end, "m"))
		scale = 60e6;
	else if (*end && strcmp(end, "s"))
		goto bad;
	v *= scale;
	if (v > 1e15)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "%s: '%s' is too long a time", opt, s);
	/* round: 1.001 * 1e6 is 1000999.99... in binary floating point */
	*usec = (uint64_t)(v + 0.5);
	return 0;
bad:
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "%s: '%s' is not a number of seconds", opt, s);
}

int
wsx_parse_size(const char *opt, const char *s, size_t min, size_t max,
	       size_t *out, struct wsx_err *err)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto range;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ull << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ull << 30;
		end++;
		break;
	}
	if (mult > 1 && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		goto bad;
	if (v > (unsigned long long)SIZE_MAX / mult)
		goto range;
	v *= mult;
	if (v < min || v > max)
		goto range;
	*out = (size_t)v;
	return 0;
bad:
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "%s: '%s' is not a size (try 65536, 64K, 16M)", opt,
			   s);
range:
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "%s: '%s' is out of range (%zu to %zu bytes)", opt,
			   s, min, max);
}

int
wsx_parse_uint(const char *opt, const char *s, unsigned long min,
	       unsigned long max, unsigned long *out, struct wsx_err *err)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		goto bad;
	if (errno || v < min || v > max)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "%s: '%s' is out of range (%lu to %lu)", opt,
				   s, min, max);
	*out = v;
	return 0;
bad:
	return wsx_err_set(err, WSX_EXIT_USAGE, "%s: '%s' is not a number", opt,
			   s);
}

int
wsx_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
