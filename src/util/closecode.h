/*
 * Close codes in words: the RFC 6455 / IANA name of a code, and the one
 * sentence every subcommand uses to say how a connection closed.
 */
#ifndef WSX_UTIL_CLOSECODE_H
#define WSX_UTIL_CLOSECODE_H

#include <stddef.h>

/* "normal" for 1000, "going away" for 1001, ...; "registered" for
 * 3000-3999, "private use" for 4000-4999, "reserved" or "invalid" else. */
const char *wsx_close_code_name(int code);

/*
 * "WHO closed the connection: CODE NAME 'REASON'" into buf (the quoted
 * reason only when there is one); 1006 is "the connection closed: 1006
 * abnormal, no close frame" whoever is named. Returns what snprintf does.
 */
int wsx_close_describe(char *buf, size_t size, const char *who, int code,
		       const char *reason);

#endif
