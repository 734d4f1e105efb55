/*
 * stdout and stderr as one ordered queue; see output.h. The bytes of every
 * segment sit in one buffer, in order; a short list of segments says which
 * fd each run of them is for (a new segment only when the fd changes, so
 * the list stays as long as stdout and stderr alternate, not as long as
 * the messages are many).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "io/output.h"
#include "proto/fdwatch.h"
#include "util/buf.h"
#include "util/xalloc.h"

struct output_seg {
	enum wsx_output_fd fd;
	size_t len;
};

struct wsx_output {
	const struct wsx_output_ops *ops;
	void *arg;
	struct wsx_fdw *w[2]; /* stdout, stderr; NULL where it is closed */
	struct wsx_buf q;
	struct output_seg *segs;
	size_t n_segs, cap_segs;
	size_t budget;
	bool drain_wanted;
	bool failed;
	bool flushing; /* guards against a write from inside on_empty */
};

static void output_writable(struct wsx_fdw *w, int fd, void *arg);

static const struct wsx_fdw_ops output_fd_ops = {
	.on_writable = output_writable,
};

static void
output_fail(struct wsx_output *o, int fd, int errnum)
{
	struct wsx_err err;

	o->failed = true;
	wsx_buf_clear(&o->q);
	o->n_segs = 0;
	wsx_err_set(&err, WSX_EXIT_FAIL, "cannot write to %s: %s",
		    fd == WSX_OUT_STDOUT ? "stdout" : "stderr",
		    strerror(errnum));
	if (o->ops->on_error)
		o->ops->on_error(o, &err, o->arg);
}

/* Write what the fds take; ask to hear when they take more. */
static void
output_flush(struct wsx_output *o)
{
	size_t written = 0;

	o->flushing = true;
	while (o->n_segs && !o->failed) {
		struct output_seg *s = &o->segs[0];
		struct wsx_fdw *w = o->w[s->fd];
		ssize_t n;

		if (!w) { /* a closed stderr: nothing to write to */
			n = (ssize_t)s->len;
		} else {
			n = wsx_fdw_write(w, wsx_buf_data(&o->q), s->len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				wsx_fdw_want_write(w);
				break;
			}
			if (n < 0) {
				o->flushing = false;
				output_fail(o, s->fd, errno);
				return;
			}
		}
		wsx_buf_consume(&o->q, (size_t)n);
		written += (size_t)n;
		s->len -= (size_t)n;
		if (!s->len)
			memmove(o->segs, o->segs + 1,
				--o->n_segs * sizeof(*o->segs));
	}
	o->flushing = false;
	if (!written)
		return;
	if (o->drain_wanted && o->q.len <= o->budget / 2) {
		o->drain_wanted = false;
		if (o->ops->on_drain)
			o->ops->on_drain(o, o->arg);
	}
	if (!o->q.len && !o->failed && o->ops->on_empty)
		o->ops->on_empty(o, o->arg);
}

static void
output_writable(struct wsx_fdw *w, int fd, void *arg)
{
	(void)w;
	(void)fd;
	output_flush(arg);
}

struct wsx_output *
wsx_output_new(struct wsx_loop *loop, size_t budget,
	       const struct wsx_output_ops *ops, void *arg, struct wsx_err *err)
{
	struct wsx_output *o = xcalloc(1, sizeof(*o));

	o->ops = ops;
	o->arg = arg;
	o->budget = budget;
	wsx_buf_init(&o->q, 0, SIZE_MAX / 2);
	o->w[WSX_OUT_STDOUT] =
		wsx_fdw_new(loop, STDOUT_FILENO, false, &output_fd_ops, o, err);
	if (!o->w[WSX_OUT_STDOUT]) {
		wsx_output_free(o);
		return NULL;
	}
	/* stderr may be closed (2>&-): its lines then go nowhere */
	if (fcntl(STDERR_FILENO, F_GETFL) >= 0)
		o->w[WSX_OUT_STDERR] = wsx_fdw_new(loop, STDERR_FILENO, false,
						   &output_fd_ops, o, err);
	return o;
}

void
wsx_output_free(struct wsx_output *o)
{
	if (!o)
		return;
	wsx_fdw_free(o->w[0]);
	wsx_fdw_free(o->w[1]);
	wsx_buf_release(&o->q);
	free(o->segs);
	free(o);
}

int
wsx_output_write(struct wsx_output *o, enum wsx_output_fd fd, const void *data,
		 size_t len)
{
	if (o->failed || !len)
		return 0;
	if (!o->n_segs || o->segs[o->n_segs - 1].fd != fd) {
		if (o->n_segs == o->cap_segs) {
			o->cap_segs = o->cap_segs ? 2 * o->cap_segs : 4;
			o->segs = xrealloc(o->segs,
					   o->cap_segs * sizeof(*o->segs));
		}
		o->segs[o->n_segs].fd = fd;
		o->segs[o->n_segs++].len = 0;
	}
	(void)wsx_buf_append(&o->q, data, len);
	o->segs[o->n_segs - 1].len += len;
	/* write now, unless the fd is known to be full or we are inside a
	 * flush already (on_empty printing more) */
	if (!o->flushing && o->n_segs == 1 && o->q.len == len)
		output_flush(o);
	else if (!o->flushing && o->w[o->segs[0].fd])
		wsx_fdw_want_write(o->w[o->segs[0].fd]);
	if (o->q.len >= o->budget && !o->failed) {
		o->drain_wanted = true;
		return 1;
	}
	return 0;
}

size_t
wsx_output_abandon(struct wsx_output *o, const char *text, int timeout_ms)
{
	size_t dropped = o->q.len, len = strlen(text);
	struct wsx_fdw *w = o->w[WSX_OUT_STDERR];

	wsx_buf_clear(&o->q);
	o->n_segs = 0;
	while (len && w) {
		struct pollfd p = { .fd = wsx_fdw_fd(w), .events = POLLOUT };
		ssize_t n = wsx_fdw_write(w, text, len);

		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno != EAGAIN) {
			break;
		} else if (poll(&p, 1, timeout_ms) <= 0) {
			break;
		}
	}
	return dropped;
}

size_t
wsx_output_pending(const struct wsx_output *o)
{
	return o->q.len;
}

bool
wsx_output_failed(const struct wsx_output *o)
{
	return o->failed;
}
