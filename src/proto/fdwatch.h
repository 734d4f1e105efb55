/*
 * Plain file descriptors (stdin, stdout, pipes, sockets of our own) on the
 * event loop: readable and writable notifications, and pausing reads for
 * flow control. The watcher polls a private dup of the fd, so the caller
 * keeps its fd, and a hang-up seen while reads are paused is not lost: the
 * fd is watched again on resume and the remaining data and EOF are read.
 */
#ifndef WSX_PROTO_FDWATCH_H
#define WSX_PROTO_FDWATCH_H

#include <stdbool.h>

#include "proto/loop.h"

struct wsx_fdw;

struct wsx_fdw_ops {
	void (*on_readable)(struct wsx_fdw *w, int fd, void *arg);
	void (*on_writable)(struct wsx_fdw *w, int fd, void *arg);
};

/* Watch fd for reading (read = true) or for writing. */
struct wsx_fdw *wsx_fdw_new(struct wsx_loop *loop, int fd, bool read,
			    const struct wsx_fdw_ops *ops, void *arg,
			    struct wsx_err *err);
/* Reading watchers: stop or resume read notifications. */
void wsx_fdw_pause(struct wsx_fdw *w, bool pause);
/* Writing watchers: one on_writable when the fd can take data. */
void wsx_fdw_want_write(struct wsx_fdw *w);
void wsx_fdw_free(struct wsx_fdw *w);

#endif
