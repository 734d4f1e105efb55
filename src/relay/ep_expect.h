/*
 * Expect endpoints: pipe's stdin side with expectations, pacing or a
 * script. It wraps the endpoint that does the reading and writing (stdio,
 * a replay, or stdout alone under a script), watches what the WebSocket
 * side sends it, and fails with WSX_EXIT_EXPECT when an expectation is not
 * met in time or the connection ends first.
 */
#ifndef WSX_RELAY_EP_EXPECT_H
#define WSX_RELAY_EP_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/loop.h"
#include "relay/ep.h"
#include "relay/expect.h"

struct wsx_ep_expect_opts {
	/* Borrowed; outlives the endpoint. Without run_script only its
	 * expect steps count: each is met in turn by a message received
	 * while the inner side's input goes on; its end (stdin's EOF) waits
	 * for them. With run_script the steps run in order and are the only
	 * input; the end of the steps ends the input with 1000. */
	const struct wsx_script *script;
	bool run_script;
	uint64_t timeout_us;  /* per expectation, and per script ping */
	uint64_t interval_us; /* at least this long between inner messages */
};

/* Wrap inner (owned from now on). */
struct wsx_ep *wsx_ep_expect_new(struct wsx_loop *loop, struct wsx_ep *inner,
				 const struct wsx_ep_expect_opts *o);
/*
 * After it ended with WSX_EXIT_EXPECT (or the connection failed with an
 * expectation pending): the lines to print after the end's message (the
 * last messages received, indented), else NULL.
 */
const char *wsx_ep_expect_report(const struct wsx_ep *e);
/* The failure's own message when it ended with WSX_EXIT_EXPECT, else "". */
const char *wsx_ep_expect_failure(const struct wsx_ep *e);

#endif
