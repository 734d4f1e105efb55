/*
 * The event loop: one libwebsockets context, SIGINT, SIGTERM and SIGHUP
 * turned into a callback on the loop, and timers. Nothing blocks on a loop. A
 * command runs one loop; `bench` runs more, one per thread, each serviced only
 * by its own thread, and only the main one takes signals.
 */
#ifndef WSX_PROTO_LOOP_H
#define WSX_PROTO_LOOP_H

#include <stdint.h>

#include "util/err.h"

struct wsx_loop;
struct wsx_timer;

typedef void (*wsx_signal_cb)(struct wsx_loop *loop, int signo, void *arg);
typedef void (*wsx_timer_cb)(void *arg);

struct wsx_loop *wsx_loop_new(struct wsx_err *err);
/* A loop for another thread: signals are left to the wsx_loop_new() one. */
struct wsx_loop *wsx_loop_new_worker(struct wsx_err *err);
/* Destroys every connection, listener and watched fd still on the loop. */
void wsx_loop_free(struct wsx_loop *loop);
/* Service events until wsx_loop_stop(). */
void wsx_loop_run(struct wsx_loop *loop);
/* Safe from any thread. */
void wsx_loop_stop(struct wsx_loop *loop);
/*
 * SIGINT, SIGTERM and SIGHUP (unless it was ignored when the loop was made)
 * call cb on the loop (not in signal context). Without a callback the first
 * signal stops the loop.
 */
void wsx_loop_on_signal(struct wsx_loop *loop, wsx_signal_cb cb, void *arg);

struct wsx_timer *wsx_timer_new(struct wsx_loop *loop, wsx_timer_cb cb,
				void *arg);
/*
 * A timer on its own timerfd, for schedules that must not slip: the
 * loop's wait is in milliseconds, so a plain timer fires up to a
 * millisecond late, which an open-loop load generator would count as
 * latency. One descriptor each: not for per-connection timers.
 */
struct wsx_timer *wsx_timer_new_precise(struct wsx_loop *loop, wsx_timer_cb cb,
					void *arg, struct wsx_err *err);
/* (Re)arm to fire once, usec from now. */
void wsx_timer_arm(struct wsx_timer *t, uint64_t usec);
void wsx_timer_cancel(struct wsx_timer *t);
void wsx_timer_free(struct wsx_timer *t);

#endif
