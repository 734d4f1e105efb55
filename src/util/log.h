/*
 * Diagnostics on stderr, always as one `wsx: ...` line, filtered by the
 * verbosity that -v/-q set. Payload never goes through here.
 */
#ifndef WSX_UTIL_LOG_H
#define WSX_UTIL_LOG_H

#include <stddef.h>

#include "util/err.h"

enum wsx_log_level {
	WSX_LOG_ERROR = -1, /* shown even with -q */
	WSX_LOG_NOTICE = 0, /* default */
	WSX_LOG_INFO = 1,   /* -v */
	WSX_LOG_DEBUG = 2,  /* -vv */
};

void wsx_log_set_level(int level);
int wsx_log_level(void);
void wsx_log(int level, const char *fmt, ...) WSX_PRINTF(2, 3);
/*
 * Send diagnostic lines ("wsx: ..." without the newline) to fn instead of
 * stderr, e.g. to print them above a line editor's prompt; NULL restores.
 */
typedef void (*wsx_log_sink)(const char *line, void *arg);
void wsx_log_set_sink(wsx_log_sink fn, void *arg);

#define wsx_error(...)	wsx_log(WSX_LOG_ERROR, __VA_ARGS__)
#define wsx_notice(...) wsx_log(WSX_LOG_NOTICE, __VA_ARGS__)
#define wsx_info(...)	wsx_log(WSX_LOG_INFO, __VA_ARGS__)
#define wsx_debug(...)	wsx_log(WSX_LOG_DEBUG, __VA_ARGS__)

/*
 * Copy at most len bytes of peer-supplied text into out (size outsz, always
 * NUL-terminated), with control characters and invalid UTF-8 shown as \xNN
 * so a hostile peer cannot drive the terminal.
 */
void wsx_printable(char *out, size_t outsz, const void *text, size_t len);

#endif
