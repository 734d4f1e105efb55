/*
 * Plain file descriptors (stdin, stdout, pipes, sockets of our own) on the
 * event loop: readable and writable notifications, pausing reads for flow
 * control, and reads and writes that never block.
 *
 * The watcher never changes the flags of the caller's descriptor, which
 * other processes may share (a terminal shared with the shell, a pipe
 * inherited from it): it polls a private copy (see fdwatch.c), and the
 * caller reads and writes through wsx_fdw_read() and wsx_fdw_write(), not
 * on the fd it was given. A hang-up seen while reads are paused is not lost:
 * the fd is watched again on resume and the remaining data and EOF are read.
 */
#ifndef WSX_PROTO_FDWATCH_H
#define WSX_PROTO_FDWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "proto/loop.h"

struct wsx_fdw;

/* fd is the watcher's own: pass it to wsx_fdw_read/write or accept(). */
struct wsx_fdw_ops {
	void (*on_readable)(struct wsx_fdw *w, int fd, void *arg);
	void (*on_writable)(struct wsx_fdw *w, int fd, void *arg);
};

/* Watch fd for reading (read = true) or for writing. */
struct wsx_fdw *wsx_fdw_new(struct wsx_loop *loop, int fd, bool read,
			    const struct wsx_fdw_ops *ops, void *arg,
			    struct wsx_err *err);
/*
 * Watch a socket of our own both ways, handing it over: it is closed when
 * the watcher is freed (and at once if watching fails). A hang-up comes as
 * on_readable, whose read() then says what happened.
 */
struct wsx_fdw *wsx_fdw_adopt_socket(struct wsx_loop *loop, int fd,
				     const struct wsx_fdw_ops *ops, void *arg,
				     struct wsx_err *err);
/*
 * The same for a socket that stays its owner's (a library's connection):
 * the owner reads, writes and closes it, after freeing the watcher.
 */
struct wsx_fdw *wsx_fdw_watch_socket(struct wsx_loop *loop, int fd,
				     const struct wsx_fdw_ops *ops, void *arg,
				     struct wsx_err *err);
/* Reading watchers: stop or resume read notifications. */
void wsx_fdw_pause(struct wsx_fdw *w, bool pause);
/* Writing watchers: one on_writable when the fd can take data. Also from
 * inside on_writable, after a short write. */
void wsx_fdw_want_write(struct wsx_fdw *w);
/*
 * read(2) and write(2) that return -1 with EAGAIN instead of blocking
 * (a write may also be short), whatever the shared descriptor's flags are.
 */
ssize_t wsx_fdw_read(struct wsx_fdw *w, void *buf, size_t len);
ssize_t wsx_fdw_write(struct wsx_fdw *w, const void *buf, size_t len);
/* The descriptor wsx_fdw_read/write use now, for poll(). */
int wsx_fdw_fd(const struct wsx_fdw *w);
/* Free the watcher; safe from inside its own callbacks. */
void wsx_fdw_free(struct wsx_fdw *w);

#endif
