/*
 * Replay endpoints: the client side of a session that `wsx relay --record`
 * wrote, sent again with its original timing (faster or slower by a
 * factor), and whatever comes back written to stdout in a framing mode.
 */
#ifndef WSX_RELAY_EP_REPLAY_H
#define WSX_RELAY_EP_REPLAY_H

#include "proto/loop.h"
#include "relay/ep.h"
#include "relay/ep_stream.h"

/*
 * The c>u messages of the first connection in path; -1 with err when the
 * file cannot be read or a line is not a recorded event (exit 2).
 */
struct wsx_ep *wsx_ep_replay_new(struct wsx_loop *loop, const char *path,
				 double speed,
				 const struct wsx_ep_stream_opts *o,
				 struct wsx_err *err);

#endif
