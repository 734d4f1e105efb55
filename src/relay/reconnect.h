/*
 * --reconnect and --max-retries for client commands (connect, pipe): when a
 * connection fails or ends abnormally, connect again after a backoff delay
 * (util/backoff.h), with a line on stderr per attempt. A close with 1000,
 * or one we asked for, ends the session as usual.
 */
#ifndef WSX_RELAY_RECONNECT_H
#define WSX_RELAY_RECONNECT_H

#include <stdbool.h>

#include "proto/conn.h"
#include "proto/loop.h"
#include "util/backoff.h"
#include "util/opt.h"

struct reconnect_opts {
	bool enabled;
	unsigned long max_retries; /* 0: no limit */
};
extern const struct wsx_optgroup wsx_reconnect_optgroup; /* reconnect_opts */

struct reconnect {
	const struct reconnect_opts *opts;
	struct wsx_backoff backoff;
	unsigned long failures; /* attempts since the last open */
	struct wsx_timer *timer;
};

/* again(arg) is called from the loop when it is time to connect. */
void reconnect_init(struct reconnect *r, const struct reconnect_opts *opts,
		    struct wsx_loop *loop, wsx_timer_cb again, void *arg);
void reconnect_release(struct reconnect *r);
/*
 * A connection ended with cl, not at our request. true: another attempt is
 * scheduled and announced; false: the session ends with cl->status.
 */
bool reconnect_schedule(struct reconnect *r, const struct wsx_close *cl);
/* The connection opened: the next failure starts the backoff afresh. */
void reconnect_opened(struct reconnect *r);

#endif
