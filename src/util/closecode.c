/* Close codes in words; see closecode.h. */
#include "config.h"

#include <stdio.h>

#include "util/closecode.h"

static const char *const close_names[] = {
	"normal",		 /* 1000 */
	"going away",		 /* 1001 */
	"protocol error",	 /* 1002 */
	"unsupported data",	 /* 1003 */
	"reserved",		 /* 1004 */
	"no status",		 /* 1005 */
	"abnormal",		 /* 1006 */
	"invalid data",		 /* 1007 */
	"policy violation",	 /* 1008 */
	"message too big",	 /* 1009 */
	"extension required",	 /* 1010 */
	"internal error",	 /* 1011 */
	"service restart",	 /* 1012 */
	"try again later",	 /* 1013 */
	"bad gateway",		 /* 1014 */
	"TLS handshake failure", /* 1015 */
};

const char *
wsx_close_code_name(int code)
{
	if (code >= 1000 &&
	    code < 1000 + (int)(sizeof(close_names) / sizeof(close_names[0])))
		return close_names[code - 1000];
	if (code >= 3000 && code <= 3999)
		return "registered";
	if (code >= 4000 && code <= 4999)
		return "private use";
	if (code > 1015 && code < 3000)
		return "reserved";
	return "invalid";
}

int
wsx_close_describe(char *buf, size_t size, const char *who, int code,
		   const char *reason)
{
	int has_reason = reason && reason[0];

	if (code == 1006)
		return snprintf(buf, size,
				"the connection closed: 1006 abnormal, no "
				"close frame");
	return snprintf(buf, size, "%s closed the connection: %d %s%s%s%s", who,
			code, wsx_close_code_name(code), has_reason ? " '" : "",
			has_reason ? reason : "", has_reason ? "'" : "");
}
