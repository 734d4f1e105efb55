/*
 * A message endpoint over a pair of byte-stream fds (stdin/stdout, a socket,
 * a child's pipes): input is decoded into messages with a framing mode,
 * messages are encoded to the output. Both directions are bounded: input is
 * read only while the consumer takes messages, and the output buffer has a
 * budget whose overrun tells the producer to pause.
 */
#ifndef WSX_IO_STREAM_H
#define WSX_IO_STREAM_H

#include <stddef.h>

#include "io/framing.h"
#include "proto/loop.h"
#include "util/err.h"
#include "util/msg.h"

struct wsx_stream;

struct wsx_stream_ops {
	/* A message from input: return 1 to pause input until resume. */
	int (*on_message)(struct wsx_stream *s, const struct wsx_msg *m,
			  void *arg);
	/* Input ended and every message in it was delivered. */
	void (*on_eof)(struct wsx_stream *s, void *arg);
	/* Malformed input, or a read/write error; the stream stops. */
	void (*on_error)(struct wsx_stream *s, const struct wsx_err *err,
			 void *arg);
	/* Output fell to half its budget after a write returned 1, or emptied.
	 */
	void (*on_drain)(struct wsx_stream *s, void *arg);
};

/*
 * in_fd/out_fd may be -1 for a one-way stream. Input starts paused: call
 * wsx_stream_resume() when the consumer is ready.
 */
struct wsx_stream *wsx_stream_new(struct wsx_loop *loop, int in_fd, int out_fd,
				  const struct wsx_framing_opts *framing,
				  size_t max_message, size_t budget,
				  const struct wsx_stream_ops *ops, void *arg,
				  struct wsx_err *err);
void wsx_stream_free(struct wsx_stream *s);
/* What errors call the input and the output ("stdin", "stdout"); by
 * default "input" and "output". */
void wsx_stream_set_names(struct wsx_stream *s, const char *in,
			  const char *out);
void wsx_stream_resume(struct wsx_stream *s);
/* Read no input until wsx_stream_resume(). */
void wsx_stream_pause(struct wsx_stream *s);
/* Read no more input (on_eof is not called). */
void wsx_stream_stop_input(struct wsx_stream *s);
/* Write no more: drop the output watcher (the caller then closes or shuts
 * its fd, and the reader sees EOF). Call once nothing is pending. */
void wsx_stream_stop_output(struct wsx_stream *s);
/* 0: queued; 1: queued and the output is over budget: pause the producer. */
int wsx_stream_write(struct wsx_stream *s, const struct wsx_msg *m);
/* A ping or pong seen, shown in --jsonl (nothing in other framings). */
void wsx_stream_write_control(struct wsx_stream *s, const char *kind,
			      const void *data, size_t len);
/* Output bytes not yet written. */
size_t wsx_stream_pending(const struct wsx_stream *s);

#endif
