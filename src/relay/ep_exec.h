/*
 * Child-process endpoints: a program per endpoint, its stdout turned into
 * messages and messages written to its stdin (a framing mode of io/). When
 * the child closes its stdout, the endpoint's input ends with 1000, or
 * 1011 if it exited non-zero. Closing the endpoint closes the child's
 * stdin once what was queued for it is written (or once the child has
 * taken none of it for the grace time), then SIGTERM after the grace time
 * and SIGKILL after twice that; the endpoint is gone once the child is
 * reaped: no zombies.
 */
#ifndef WSX_RELAY_EP_EXEC_H
#define WSX_RELAY_EP_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "proto/loop.h"
#include "relay/ep.h"
#include "relay/ep_stream.h"

/* The children of a command: counted, and none left behind at exit. */
struct wsx_procs;

struct wsx_procs *wsx_procs_new(void);
/* Children running (their endpoints may be closing). */
size_t wsx_procs_count(const struct wsx_procs *p);
/* SIGTERM what is left, a moment to exit, then SIGKILL; reap all; free. */
void wsx_procs_free(struct wsx_procs *p);

/*
 * Run argv with env (NULL: this process's environment); stderr is shared
 * with wsx. -1 with err when the program cannot be started.
 */
struct wsx_ep *wsx_ep_exec_new(struct wsx_loop *loop, struct wsx_procs *procs,
			       char *const *argv, char *const *env,
			       uint64_t grace_us,
			       const struct wsx_ep_stream_opts *o,
			       struct wsx_err *err);

#endif
