/* Byte-stream message endpoints; see stream.h. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/stream.h"
#include "proto/fdwatch.h"
#include "util/xalloc.h"

struct wsx_stream {
	struct wsx_loop *loop;
	const struct wsx_stream_ops *ops;
	void *arg;
	enum wsx_framing mode;

	struct wsx_fdw *in;
	struct wsx_decoder dec;
	bool paused;
	bool input_done; /* eof delivered, error, or stopped */
	bool delivering; /* guards against resume from inside on_message */

	struct wsx_fdw *out;
	struct wsx_buf obuf;
	size_t budget;
	bool drain_wanted;
	bool failed;
	char in_name[96], out_name[96]; /* for error messages */
};

static void
stream_fail(struct wsx_stream *s, const struct wsx_err *err)
{
	if (s->failed)
		return;
	s->failed = true;
	wsx_stream_stop_input(s);
	s->ops->on_error(s, err, s->arg);
}

/* Hand decoded messages over until the consumer pauses us or none is left. */
static void
stream_deliver(struct wsx_stream *s)
{
	struct wsx_err err;
	struct wsx_msg m;
	int rc;

	s->delivering = true;
	while (!s->paused && !s->input_done) {
		rc = wsx_decoder_next(&s->dec, &m, &err);
		if (rc < 0) {
			s->delivering = false;
			stream_fail(s, &err);
			return;
		}
		if (!rc)
			break;
		if (s->ops->on_message(s, &m, s->arg) == 1)
			s->paused = true;
	}
	s->delivering = false;
	if (s->input_done)
		return;
	if (s->paused) {
		wsx_fdw_pause(s->in, true);
		return;
	}
	if (s->dec.eof) {
		s->input_done = true;
		wsx_fdw_free(s->in);
		s->in = NULL;
		s->ops->on_eof(s, s->arg);
		return;
	}
	wsx_fdw_pause(s->in, false);
}

static void
stream_readable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_stream *s = arg;
	unsigned char *space;
	size_t avail;
	ssize_t n;
	struct wsx_err err;

	(void)fd;
	if (s->paused || s->input_done)
		return;
	space = wsx_decoder_space(&s->dec, &avail);
	if (!space) {
		stream_deliver(s); /* the decoder reports the oversize record */
		return;
	}
	n = wsx_fdw_read(w, space, avail);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		wsx_err_set(&err, WSX_EXIT_FAIL, "cannot read %s: %s",
			    s->in_name, strerror(errno));
		stream_fail(s, &err);
		return;
	}
	if (n == 0)
		wsx_decoder_eof(&s->dec);
	else
		wsx_decoder_commit(&s->dec, (size_t)n);
	stream_deliver(s);
}

static void
stream_writable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_stream *s = arg;
	struct wsx_err err;

	(void)fd;
	while (s->obuf.len) {
		ssize_t n =
			wsx_fdw_write(w, wsx_buf_data(&s->obuf), s->obuf.len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			wsx_err_set(&err, WSX_EXIT_FAIL,
				    "cannot write to %s: %s", s->out_name,
				    strerror(errno));
			stream_fail(s, &err);
			return;
		}
		wsx_buf_consume(&s->obuf, (size_t)n);
	}
	if (s->obuf.len)
		wsx_fdw_want_write(w);
	if ((s->drain_wanted && s->obuf.len <= s->budget / 2) || !s->obuf.len) {
		s->drain_wanted = false;
		if (s->ops->on_drain)
			s->ops->on_drain(s, s->arg);
	}
}

static const struct wsx_fdw_ops stream_in_ops = {
	.on_readable = stream_readable,
};

static const struct wsx_fdw_ops stream_out_ops = {
	.on_writable = stream_writable,
};

struct wsx_stream *
wsx_stream_new(struct wsx_loop *loop, int in_fd, int out_fd,
	       const struct wsx_framing_opts *framing, size_t max_message,
	       size_t budget, const struct wsx_stream_ops *ops, void *arg,
	       struct wsx_err *err)
{
	struct wsx_stream *s = xcalloc(1, sizeof(*s));

	s->loop = loop;
	s->ops = ops;
	s->arg = arg;
	s->mode = framing->mode;
	s->budget = budget;
	s->paused = true;
	wsx_stream_set_names(s, "input", "output");
	wsx_decoder_init(&s->dec, framing, max_message);
	wsx_buf_init(&s->obuf, 0, SIZE_MAX / 2);
	s->input_done = in_fd < 0;
	if (in_fd >= 0) {
		s->in = wsx_fdw_new(loop, in_fd, true, &stream_in_ops, s, err);
		if (!s->in)
			goto fail;
		wsx_fdw_pause(s->in, true);
	}
	if (out_fd >= 0) {
		s->out = wsx_fdw_new(loop, out_fd, false, &stream_out_ops, s,
				     err);
		if (!s->out)
			goto fail;
	}
	return s;
fail:
	wsx_stream_free(s);
	return NULL;
}

void
wsx_stream_free(struct wsx_stream *s)
{
	if (!s)
		return;
	wsx_fdw_free(s->in);
	wsx_fdw_free(s->out);
	wsx_decoder_release(&s->dec);
	wsx_buf_release(&s->obuf);
	free(s);
}

void
wsx_stream_set_names(struct wsx_stream *s, const char *in, const char *out)
{
	snprintf(s->in_name, sizeof(s->in_name), "%s", in);
	snprintf(s->out_name, sizeof(s->out_name), "%s", out);
}

void
wsx_stream_resume(struct wsx_stream *s)
{
	if (!s->paused || s->input_done)
		return;
	s->paused = false;
	if (!s->delivering)
		stream_deliver(s);
}

void
wsx_stream_pause(struct wsx_stream *s)
{
	if (s->paused || s->input_done)
		return;
	s->paused = true;
	if (!s->delivering && s->in)
		wsx_fdw_pause(s->in, true);
}

void
wsx_stream_stop_input(struct wsx_stream *s)
{
	s->input_done = true;
	wsx_fdw_free(s->in);
	s->in = NULL;
}

void
wsx_stream_stop_output(struct wsx_stream *s)
{
	wsx_fdw_free(s->out);
	s->out = NULL;
}

int
wsx_stream_write(struct wsx_stream *s, const struct wsx_msg *m)
{
	if (!s->out || s->failed)
		return 0;
	wsx_encode(s->mode, m, &s->obuf);
	wsx_fdw_want_write(s->out);
	if (s->obuf.len >= s->budget) {
		s->drain_wanted = true;
		return 1;
	}
	return 0;
}

void
wsx_stream_write_control(struct wsx_stream *s, const char *kind,
			 const void *data, size_t len)
{
	size_t before = s->obuf.len;

	if (!s->out || s->failed)
		return;
	wsx_encode_control(s->mode, kind, data, len, &s->obuf);
	if (s->obuf.len != before)
		wsx_fdw_want_write(s->out);
}

size_t
wsx_stream_pending(const struct wsx_stream *s)
{
	return s->failed ? 0 : s->obuf.len;
}
