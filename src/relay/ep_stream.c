/* Byte-stream endpoints; see ep_stream.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/net.h"
#include "io/stream.h"
#include "proto/fdwatch.h"
#include "relay/ep_stream.h"
#include "util/xalloc.h"

struct ep_stream {
	struct wsx_ep base;
	struct wsx_loop *loop;
	struct wsx_ep_stream_opts opts;
	struct wsx_stream *s;
	int fd;			    /* a socket of ours, else -1 (stdio) */
	struct wsx_fdw *connecting; /* until the connect completes */
	struct wsx_timer *timer;    /* connect timeout; finishing later */
	bool pause_wanted;
	bool finishing;		 /* closing: gone once the output is written */
	bool shutting;		 /* shut: the output ends once written */
	struct wsx_err *failure; /* wsx_ep_failed_new(): reported by timer */
};

static struct ep_stream *
ep_stream(struct wsx_ep *e)
{
	return (struct ep_stream *)e;
}

/* shut: what was queued is written; the peer gets EOF */
static void
ep_stream_shut_now(struct ep_stream *x)
{
	x->shutting = false;
	if (x->s)
		wsx_stream_stop_output(x->s);
	if (x->fd >= 0)
		shutdown(x->fd, SHUT_WR);
}

static void
ep_stream_finish(struct ep_stream *x)
{
	if (x->s)
		wsx_stream_stop_input(x->s);
	if (x->fd >= 0)
		shutdown(x->fd, SHUT_WR);
	wsx_ep_finished(&x->base);
}

/* --- the stream's events ------------------------------------------------- */

static int
ep_stream_message(struct wsx_stream *s, const struct wsx_msg *m, void *arg)
{
	struct ep_stream *x = arg;

	(void)s;
	if (x->base.ev && x->base.ev->on_message)
		x->base.ev->on_message(&x->base, m, x->base.arg);
	return x->pause_wanted;
}

static void
ep_stream_eof(struct wsx_stream *s, void *arg)
{
	struct ep_stream *x = arg;
	struct wsx_ep_end end;

	(void)s;
	wsx_ep_end_set(&end, 1000, "", WSX_EXIT_OK, NULL);
	wsx_ep_ended(&x->base, &end);
}

static void
ep_stream_error(struct wsx_stream *s, const struct wsx_err *err, void *arg)
{
	struct ep_stream *x = arg;
	struct wsx_ep_end end;

	(void)s;
	wsx_ep_end_set(&end, 1011,
		       x->fd >= 0 ? "peer stream failed" : "input failed",
		       err->code, "%s", err->msg);
	wsx_ep_ended(&x->base, &end);
	if (x->finishing)
		ep_stream_finish(x);
}

static void
ep_stream_drain(struct wsx_stream *s, void *arg)
{
	struct ep_stream *x = arg;

	if (x->finishing) {
		if (!wsx_stream_pending(s))
			ep_stream_finish(x);
		return;
	}
	if (x->shutting && !wsx_stream_pending(s))
		ep_stream_shut_now(x);
	if (x->base.ev && x->base.ev->on_drain)
		x->base.ev->on_drain(&x->base, x->base.arg);
}

static const struct wsx_stream_ops ep_stream_ops = {
	.on_message = ep_stream_message,
	.on_eof = ep_stream_eof,
	.on_error = ep_stream_error,
	.on_drain = ep_stream_drain,
};

static int
ep_stream_start(struct ep_stream *x, int in_fd, int out_fd, struct wsx_err *err)
{
	x->s = wsx_stream_new(x->loop, in_fd, out_fd, &x->opts.framing,
			      x->opts.max_message, x->opts.budget,
			      &ep_stream_ops, x, err);
	if (!x->s)
		return -1;
	if (x->fd < 0)
		wsx_stream_set_names(x->s, "stdin", "stdout");
	else
		wsx_stream_set_names(x->s, x->base.peer, x->base.peer);
	if (!x->pause_wanted)
		wsx_stream_resume(x->s);
	return 0;
}

/* --- connecting ----------------------------------------------------------- */

static void
ep_stream_connect_failed(struct ep_stream *x, const struct wsx_err *err)
{
	struct wsx_ep_end end;

	wsx_fdw_free(x->connecting);
	x->connecting = NULL;
	wsx_timer_cancel(x->timer);
	wsx_ep_end_set(&end, 1011, "upstream unreachable", err->code, "%s",
		       err->msg);
	wsx_ep_ended(&x->base, &end);
	wsx_ep_finished(&x->base);
}

static void
ep_stream_connected(struct wsx_fdw *w, int fd, void *arg)
{
	struct ep_stream *x = arg;
	struct wsx_err err;

	(void)w;
	(void)fd;
	if (wsx_net_connected(x->fd, x->base.peer, &err)) {
		ep_stream_connect_failed(x, &err);
		return;
	}
	wsx_fdw_free(x->connecting);
	x->connecting = NULL;
	if (ep_stream_start(x, x->fd, x->fd, &err)) {
		ep_stream_connect_failed(x, &err);
		return;
	}
	wsx_timer_cancel(x->timer);
	wsx_ep_opened(&x->base);
}

static const struct wsx_fdw_ops ep_connect_ops = {
	.on_writable = ep_stream_connected,
};

/* The connect timeout while connecting; the finish when closing. */
static void
ep_stream_timer(void *arg)
{
	struct ep_stream *x = arg;
	struct wsx_err err;

	if (x->failure) {
		ep_stream_connect_failed(x, x->failure);
	} else if (x->connecting) {
		wsx_err_set(&err, WSX_EXIT_CONNECT,
			    "could not connect to %s: timed out", x->base.peer);
		ep_stream_connect_failed(x, &err);
	} else if (x->finishing) {
		ep_stream_finish(x);
	} else if (x->shutting) {
		ep_stream_shut_now(x);
	}
}

/* --- the endpoint -----------------------------------------------------------
 */

static int
ep_stream_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	struct ep_stream *x = ep_stream(e);

	return x->s ? wsx_stream_write(x->s, m) : -1;
}

static void
ep_stream_show(struct wsx_ep *e, const char *kind, const void *data, size_t len)
{
	struct ep_stream *x = ep_stream(e);

	if (x->s)
		wsx_stream_write_control(x->s, kind, data, len);
}

static void
ep_stream_pause(struct wsx_ep *e, bool pause)
{
	struct ep_stream *x = ep_stream(e);

	x->pause_wanted = pause;
	if (!pause && x->s)
		wsx_stream_resume(x->s);
}

static void
ep_stream_stop_input(struct wsx_ep *e)
{
	if (ep_stream(e)->s)
		wsx_stream_stop_input(ep_stream(e)->s);
}

static void
ep_stream_close(struct wsx_ep *e, int code, const char *reason)
{
	struct ep_stream *x = ep_stream(e);

	(void)code;
	(void)reason;
	x->finishing = true;
	if (x->connecting) {
		wsx_fdw_free(x->connecting);
		x->connecting = NULL;
	}
	if (x->s)
		wsx_stream_stop_input(x->s);
	/* once what is queued is written (on_drain), or now, from the loop */
	if (!x->s || !wsx_stream_pending(x->s))
		wsx_timer_arm(x->timer, 0);
}

static void
ep_stream_shut(struct wsx_ep *e)
{
	struct ep_stream *x = ep_stream(e);

	x->shutting = true;
	if (!x->s || !wsx_stream_pending(x->s))
		wsx_timer_arm(x->timer, 0);
}

static void
ep_stream_free(struct wsx_ep *e)
{
	struct ep_stream *x = ep_stream(e);

	wsx_fdw_free(x->connecting);
	wsx_stream_free(x->s);
	wsx_timer_free(x->timer);
	if (x->fd >= 0)
		close(x->fd);
	free(x->failure);
	free(x);
}

static size_t
ep_stream_pending(const struct wsx_ep *e)
{
	const struct ep_stream *x = (const struct ep_stream *)e;

	return x->s ? wsx_stream_pending(x->s) : 0;
}

static const struct wsx_ep_impl ep_stream_impl = {
	.send = ep_stream_send,
	.show = ep_stream_show,
	.pause = ep_stream_pause,
	.stop_input = ep_stream_stop_input,
	.close = ep_stream_close,
	.shut = ep_stream_shut,
	.pending = ep_stream_pending,
	.free = ep_stream_free,
};

static struct ep_stream *
ep_stream_alloc(struct wsx_loop *loop, int fd, const char *peer,
		const struct wsx_ep_stream_opts *o)
{
	struct ep_stream *x = xcalloc(1, sizeof(*x));

	wsx_ep_init(&x->base, &ep_stream_impl, false);
	x->loop = loop;
	x->opts = *o;
	x->fd = fd;
	x->pause_wanted = true;
	x->timer = wsx_timer_new(loop, ep_stream_timer, x);
	snprintf(x->base.peer, sizeof(x->base.peer), "%s", peer);
	return x;
}

struct wsx_ep *
wsx_ep_stdio_new(struct wsx_loop *loop, const struct wsx_ep_stream_opts *o,
		 struct wsx_err *err)
{
	struct ep_stream *x = ep_stream_alloc(loop, -1, "stdio", o);

	if (ep_stream_start(x, STDIN_FILENO, STDOUT_FILENO, err)) {
		ep_stream_free(&x->base);
		return NULL;
	}
	x->base.open = true;
	return &x->base;
}

struct wsx_ep *
wsx_ep_stdout_new(struct wsx_loop *loop, const struct wsx_ep_stream_opts *o,
		  struct wsx_err *err)
{
	struct ep_stream *x = ep_stream_alloc(loop, -1, "stdout", o);

	if (ep_stream_start(x, -1, STDOUT_FILENO, err)) {
		ep_stream_free(&x->base);
		return NULL;
	}
	x->base.open = true;
	return &x->base;
}

struct wsx_ep *
wsx_ep_socket_new(struct wsx_loop *loop, int fd, bool connecting,
		  const char *peer, const struct wsx_ep_stream_opts *o,
		  struct wsx_err *err)
{
	struct ep_stream *x = ep_stream_alloc(loop, fd, peer, o);

	if (!connecting) {
		if (ep_stream_start(x, fd, fd, err)) {
			ep_stream_free(&x->base);
			return NULL;
		}
		x->base.open = true;
		return &x->base;
	}
	x->connecting = wsx_fdw_new(loop, fd, false, &ep_connect_ops, x, err);
	if (!x->connecting) {
		ep_stream_free(&x->base);
		return NULL;
	}
	wsx_fdw_want_write(x->connecting);
	if (o->connect_timeout_us)
		wsx_timer_arm(x->timer, o->connect_timeout_us);
	return &x->base;
}

struct wsx_ep *
wsx_ep_failed_new(struct wsx_loop *loop, const char *peer,
		  const struct wsx_err *err)
{
	struct wsx_ep_stream_opts o = { 0 };
	struct ep_stream *x = ep_stream_alloc(loop, -1, peer, &o);

	x->failure = xmalloc(sizeof(*x->failure));
	*x->failure = *err;
	wsx_timer_arm(x->timer, 0);
	return &x->base;
}
