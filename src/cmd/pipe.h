/*
 * The pipe session, shared with `connect`, which is `pipe` when stdin is not
 * a terminal: its options and running it on already parsed options.
 */
#ifndef WSX_CMD_PIPE_H
#define WSX_CMD_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd/cmd.h"
#include "relay/reconnect.h"
#include "io/framing.h"
#include "proto/client.h"
#include "proto/conn.h"
#include "relay/expect.h"

struct pipe_opts {
	bool one_message;
	bool no_close;
	uint64_t wait_us;   /* -w: quiet time after stdin EOF before closing */
	const char *replay; /* --replay FILE instead of stdin */
	double speed;	    /* --replay's speed factor; 0 means 1 */
	uint64_t grace_us;  /* after a signal: time to close and drain */
	/* cmd_pipe_expect_group */
	struct wsx_script expect; /* --expect, --expect-json in order */
	const char *script;	  /* --script FILE: loaded by pipe_run() */
	uint64_t timeout_us;	  /* --timeout: per expectation */
	uint64_t rate_gap_us;	  /* --rate as the gap between messages */
	uint64_t delay_us;	  /* --delay */
};

#define PIPE_DEFAULT_GRACE_US	(2 * 1000000ull)
#define PIPE_DEFAULT_TIMEOUT_US (10 * 1000000ull)

void pipe_opts_init(struct pipe_opts *o);
void pipe_opts_release(struct pipe_opts *o);
extern const struct wsx_optgroup cmd_pipe_group; /* target: pipe_opts */
/* --expect, --expect-json, --timeout, --script, --rate, --delay: pipe's
 * own, not connect's (a terminal session has nothing to expect). Target:
 * pipe_opts. */
extern const struct wsx_optgroup cmd_pipe_expect_group;

/* -1, -n and -w together, --speed without --replay, or expect and pacing
 * options that do not go together: report a usage error and return 2,
 * else 0. */
int pipe_check_opts(const struct wsx_cmd *cmd, const struct pipe_opts *o);
/* Bridge stdin/stdout and url until the end; returns the exit status. */
int pipe_session(const struct wsx_cmd *cmd, const struct pipe_opts *opts,
		 const struct wsx_client_opts *client,
		 const struct wsx_conn_limits *lim,
		 const struct wsx_framing_opts *framing,
		 const struct reconnect_opts *rc, const char *url);

#endif
