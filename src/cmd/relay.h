/*
 * wsx relay's setup, short of opening anything: its options, the two
 * endpoint specs, whether they fit together and which side listens.
 * cmd/relay.c runs it before it opens the sides; the relay fuzz target
 * (tests/fuzz/fuzz-relay.c) runs it on command lines made of its input.
 */
#ifndef WSX_CMD_RELAY_H
#define WSX_CMD_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmd/cmd.h"
#include "proto/client.h"
#include "proto/conn.h"
#include "proto/server.h"
#include "relay/ep_stream.h"
#include "relay/spec.h"

#define RELAY_DEFAULT_GRACE_US (2 * 1000000ull)

struct relay_opts {
	bool log, connect_first, forward_path;
	const char *record;
	const char **headers; /* --forward-header names */
	size_t n_headers;
	uint64_t grace_us;
};

struct relay_setup {
	struct cmd_common common;
	struct relay_opts opts;
	struct wsx_server_opts server;	 /* a ws-l: or wss-l: side's */
	struct wsx_client_opts client;	 /* every ws:// side's */
	struct wsx_conn_limits lim;	 /* every WebSocket's */
	struct wsx_ep_stream_opts sopts; /* every byte stream's */
	/* [0] the side that listens, if one does, else A; [1] the other */
	struct wsx_spec spec[2];
};

/* The relay's option groups; --help and completion read them too. */
extern const struct wsx_optgroup *const relay_groups[];

void relay_setup_init(struct relay_setup *s);
/*
 * Parse `relay [options] A B` (argv[0] names the command; getopt permutes
 * argv and --user is scrubbed from it; s keeps pointers into it). 0: ready
 * to open the sides; 1: --help or --list-options was asked for, nothing
 * else was looked at; -1 with err (exit 2) for a bad option, a bad spec, a
 * wrong number of them or sides and options that do not go together.
 */
int relay_setup_parse(struct relay_setup *s, int argc, char **argv,
		      struct wsx_err *err);
/* One side listens: s->spec[0], and each client it accepts gets a spec[1]. */
bool relay_setup_listens(const struct relay_setup *s);
/*
 * The URL to connect for sp, a ws:// spec of s: its own, with --forward-path
 * the accepted client's request path (NULL: none) appended. Freed by the
 * caller.
 */
char *relay_setup_url(const struct relay_setup *s, const struct wsx_spec *sp,
		      const char *path);
void relay_setup_release(struct relay_setup *s);

#endif
