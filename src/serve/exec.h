/*
 * Exec (websocketd-style): every connection gets its own child process;
 * the child's stdout becomes messages (in a framing mode of io/), messages
 * go to its stdin. The child sees a CGI-like environment and, of the
 * server's own environment, only what --passenv names. A child that exits
 * closes its connection (1000, or 1011 after a non-zero exit); a client
 * that leaves closes the child's stdin, then SIGTERM after the grace time,
 * SIGKILL after twice that. Every child is waited for: no zombies. Each
 * connection and its child are two endpoints joined by a relay (relay/).
 */
#ifndef WSX_SERVE_EXEC_H
#define WSX_SERVE_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "io/framing.h"
#include "proto/conn.h"
#include "proto/loop.h"

struct wsx_exec_opts {
	char *const *argv; /* the program and its arguments */
	const char **passenv;
	size_t n_passenv;
	uint64_t grace_us;
	struct wsx_framing_opts framing;
	const char *server_host; /* SERVER_NAME */
	unsigned server_port;	 /* SERVER_PORT */
};

struct wsx_exec;

/* on_close: called for each connection's end, as its ops' on_close would */
struct wsx_exec *
wsx_exec_new(struct wsx_loop *loop, const struct wsx_exec_opts *opts,
	     const struct wsx_conn_limits *lim,
	     void (*on_close)(struct wsx_conn *c, const struct wsx_close *cl,
			      void *arg),
	     void *arg);
/* Start a child for c and bridge them; on failure c is closed with 1011. */
void wsx_exec_attach(struct wsx_exec *x, struct wsx_conn *c);
/* Children still running (their connections may be gone). */
size_t wsx_exec_count(const struct wsx_exec *x);
/* Kill what is left (SIGKILL), wait for every child, free. */
void wsx_exec_free(struct wsx_exec *x);

#endif
