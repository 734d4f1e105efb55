/*
 * Errors as values: library code fills a caller-owned wsx_err and returns -1;
 * only cmd/ and main.c print it and turn its code into an exit status.
 */
#ifndef WSX_UTIL_ERR_H
#define WSX_UTIL_ERR_H

/* Exit statuses, the same for every subcommand (see DESIGN.md). */
enum wsx_exit {
	WSX_EXIT_OK = 0,
	WSX_EXIT_FAIL = 1,
	WSX_EXIT_USAGE = 2,
	WSX_EXIT_CONNECT = 3,
	WSX_EXIT_HANDSHAKE = 4,
	WSX_EXIT_TLS = 5,
	WSX_EXIT_CLOSED = 6,
	WSX_EXIT_EXPECT = 7, /* pipe: an expectation was not met */
	WSX_EXIT_INTERRUPTED = 130,
};

struct wsx_err {
	int code;      /* an enum wsx_exit */
	char msg[256]; /* lower case, no trailing full stop */
};

#if defined(__GNUC__)
#define WSX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define WSX_PRINTF(f, a)
#endif

/* Fill err (when not NULL) and return -1, so callers can `return
 * wsx_err_set(...)`. */
int wsx_err_set(struct wsx_err *err, int code, const char *fmt, ...)
	WSX_PRINTF(3, 4);

#endif
