/* Filling error values; see err.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/err.h"

int
wsx_err_set(struct wsx_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
