/*
 * This process's stdout and stderr as one ordered, bounded, non-blocking
 * queue on the event loop: what connect shows (on a terminal or not) is
 * written as the terminal or pipe takes it, never dropped on EAGAIN or a
 * short write, never blocking the loop, and stderr lines stay in order
 * with the stdout text around them. A queue over its budget tells the
 * producer to pause until it drains.
 */
#ifndef WSX_IO_OUTPUT_H
#define WSX_IO_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/loop.h"
#include "util/err.h"

struct wsx_output;

enum wsx_output_fd {
	WSX_OUT_STDOUT,
	WSX_OUT_STDERR,
};

struct wsx_output_ops {
	/* Pending fell to half the budget after a write returned 1. */
	void (*on_drain)(struct wsx_output *o, void *arg);
	/* Everything queued is written. */
	void (*on_empty)(struct wsx_output *o, void *arg);
	/* A write failed (the reader went away): what is queued is lost,
	 * later writes are dropped. */
	void (*on_error)(struct wsx_output *o, const struct wsx_err *err,
			 void *arg);
};

struct wsx_output *wsx_output_new(struct wsx_loop *loop, size_t budget,
				  const struct wsx_output_ops *ops, void *arg,
				  struct wsx_err *err);
/* Drop what is pending (say how much first: wsx_output_pending). */
void wsx_output_free(struct wsx_output *o);
/*
 * Queue len bytes for fd and write what the fd takes now. 0: queued;
 * 1: queued, and pending is at the budget: pause the producer until
 * on_drain. on_empty may be called from inside.
 */
int wsx_output_write(struct wsx_output *o, enum wsx_output_fd fd,
		     const void *data, size_t len);
/*
 * Leaving: drop what is pending (returning how many bytes that was), then
 * write text to stderr, waiting for it at most timeout_ms: a stopped
 * terminal must not keep us from exiting.
 */
size_t wsx_output_abandon(struct wsx_output *o, const char *text,
			  int timeout_ms);
/* Bytes queued and not yet written. */
size_t wsx_output_pending(const struct wsx_output *o);
/* A write failed. */
bool wsx_output_failed(const struct wsx_output *o);

#endif
