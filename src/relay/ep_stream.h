/*
 * Byte-stream endpoints: stdin/stdout, and TCP or unix sockets (connected,
 * connecting or accepted), each turned into messages by a framing mode of
 * io/framing with the budgets of io/stream.
 */
#ifndef WSX_RELAY_EP_STREAM_H
#define WSX_RELAY_EP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "io/framing.h"
#include "proto/loop.h"
#include "relay/ep.h"

struct wsx_ep_stream_opts {
	struct wsx_framing_opts framing;
	size_t max_message; /* largest record taken from input */
	size_t budget;	    /* output queued before the producer pauses */
	uint64_t connect_timeout_us;
};

/* This process's stdin and stdout (left open at the end). */
struct wsx_ep *wsx_ep_stdio_new(struct wsx_loop *loop,
				const struct wsx_ep_stream_opts *o,
				struct wsx_err *err);
/* Only this process's stdout: an endpoint whose input comes from elsewhere. */
struct wsx_ep *wsx_ep_stdout_new(struct wsx_loop *loop,
				 const struct wsx_ep_stream_opts *o,
				 struct wsx_err *err);
/*
 * A socket, owned from now on (closed at the end). connecting: it opens
 * once the connect completes (or ends with exit 3); peer names it in logs.
 */
struct wsx_ep *wsx_ep_socket_new(struct wsx_loop *loop, int fd, bool connecting,
				 const char *peer,
				 const struct wsx_ep_stream_opts *o,
				 struct wsx_err *err);

/*
 * A side that could not be opened (refused at once, a program that would
 * not start): it never opens and ends with err from the loop, so that its
 * relay closes the other side as for any failure.
 */
struct wsx_ep *wsx_ep_failed_new(struct wsx_loop *loop, const char *peer,
				 const struct wsx_err *err);

#endif
