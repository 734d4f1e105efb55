/*
 * Watching a relay: --log prints each event (time, connection id,
 * direction c>u or u>c, type, size, a printable preview) on stderr, and
 * --record writes each as a JSON line that `wsx pipe --replay` reads.
 */
#ifndef WSX_RELAY_TAP_H
#define WSX_RELAY_TAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/msg.h"

struct wsx_tap;

/* NULL with err when record_path cannot be written. */
struct wsx_tap *wsx_tap_new(bool log, const char *record_path,
			    struct wsx_err *err);
void wsx_tap_free(struct wsx_tap *t);

/* dir: 0 for c>u (from side A), 1 for u>c */
void wsx_tap_open(struct wsx_tap *t, unsigned long id, const char *peer,
		  const char *path);
void wsx_tap_message(struct wsx_tap *t, unsigned long id, int dir,
		     const struct wsx_msg *m);
/* A ping or a pong (kind), with its payload. */
void wsx_tap_control(struct wsx_tap *t, unsigned long id, int dir,
		     const char *kind, const void *data, size_t len);
void wsx_tap_close(struct wsx_tap *t, unsigned long id, int dir, int code,
		   const char *reason);

#endif
