/*
 * Endpoints: anything that yields and accepts messages (a WebSocket, a byte
 * stream with a framing mode, a child process, a recording), behind one
 * interface so that a relay can join any two. An endpoint reports to its
 * owner through wsx_ep_events; the owner drives it with the wsx_ep_*()
 * calls below. Input starts paused: wsx_ep_pause(e, false) starts it.
 */
#ifndef WSX_RELAY_EP_H
#define WSX_RELAY_EP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/msg.h"

struct wsx_ep;

/* How an endpoint's input ended. */
struct wsx_ep_end {
	int code;	  /* WebSocket close code; a stream's end is 1000 */
	char reason[124]; /* printable */
	int status;	  /* exit status this ending means (enum wsx_exit) */
	char msg[512];	  /* what went wrong, for a "wsx: ..." line; or "" */
};

struct wsx_ep_events {
	/* Connected (a client side), or at once for what is there already. */
	void (*on_open)(struct wsx_ep *e, void *arg);
	void (*on_message)(struct wsx_ep *e, const struct wsx_msg *m,
			   void *arg);
	/* Output fell below half its budget after wsx_ep_send() said 1. */
	void (*on_drain)(struct wsx_ep *e, void *arg);
	/* WebSocket sides: a ping from the peer, not answered yet: the relay
	 * passes it on, or answers it with wsx_ep_pong(). */
	void (*on_ping)(struct wsx_ep *e, const void *data, size_t len,
			void *arg);
	/* WebSocket sides: a pong from the peer. */
	void (*on_pong)(struct wsx_ep *e, const void *data, size_t len,
			void *arg);
	/* No more input (closed, EOF, failed to connect, error). */
	void (*on_end)(struct wsx_ep *e, const struct wsx_ep_end *end,
		       void *arg);
	/*
	 * A failure after on_end: the input ended well (stdin's EOF) but the
	 * output failed while what was owed was written (stdout's reader
	 * went away). end->status is not 0.
	 */
	void (*on_late_failure)(struct wsx_ep *e, const struct wsx_ep_end *end,
				void *arg);
	/* Finished: output flushed, peer gone, child reaped. Last call. */
	void (*on_gone)(struct wsx_ep *e, void *arg);
};

struct wsx_ep_impl {
	int (*send)(struct wsx_ep *e, const struct wsx_msg *m);
	void (*pause)(struct wsx_ep *e, bool pause);
	int (*pong)(struct wsx_ep *e, const void *data, size_t len);
	int (*ping)(struct wsx_ep *e, const void *data, size_t len);
	/* Byte streams: show a ping or pong of the other side (--jsonl). */
	void (*show)(struct wsx_ep *e, const char *kind, const void *data,
		     size_t len);
	void (*stop_input)(struct wsx_ep *e);
	void (*close)(struct wsx_ep *e, int code, const char *reason);
	/* Byte streams: end the output once written, keep reading (NULL:
	 * close instead). */
	void (*shut)(struct wsx_ep *e);
	/* Output bytes queued and not yet written (NULL: none are kept). */
	size_t (*pending)(const struct wsx_ep *e);
	void (*free)(struct wsx_ep *e);
};

struct wsx_ep {
	const struct wsx_ep_impl *impl;
	const struct wsx_ep_events *ev;
	void *arg;
	bool messages;	/* carries typed messages (a WebSocket) */
	bool open;	/* on_open was called (or it was open from the start) */
	bool ended;	/* on_end was called */
	bool gone;	/* on_gone was called */
	bool closing;	/* wsx_ep_close() was called */
	char peer[272]; /* who is on the other end, for logs */
	char path[1024]; /* a WebSocket's request path, else "" */
};

void wsx_ep_init(struct wsx_ep *e, const struct wsx_ep_impl *impl,
		 bool messages);
void wsx_ep_set_events(struct wsx_ep *e, const struct wsx_ep_events *ev,
		       void *arg);
/* 0: taken; 1: taken, and over budget: pause the producer; -1: refused. */
int wsx_ep_send(struct wsx_ep *e, const struct wsx_msg *m);
void wsx_ep_pause(struct wsx_ep *e, bool pause);
/* Pass a pong on; -1 where the side has no pongs. */
int wsx_ep_pong(struct wsx_ep *e, const void *data, size_t len);
/* Pass a ping on; -1 where the side has no pings (or is not open). */
int wsx_ep_ping(struct wsx_ep *e, const void *data, size_t len);
/* Let a byte stream show a ping or pong it cannot carry (--jsonl). */
void wsx_ep_show(struct wsx_ep *e, const char *kind, const void *data,
		 size_t len);
/* Read no more; on_end is not called for it. */
void wsx_ep_stop_input(struct wsx_ep *e);
/*
 * Finish: a WebSocket closes with code and reason; a stream stops reading,
 * writes what is queued and shuts; a child's stdin closes. on_gone follows.
 */
void wsx_ep_close(struct wsx_ep *e, int code, const char *reason);
/* Half a close, where a byte stream has it: what is queued is written, then
 * its output ends (the peer sees EOF) and its input goes on. */
void wsx_ep_shut(struct wsx_ep *e);
/* Output bytes queued and not yet written: what an exit now would lose. */
size_t wsx_ep_pending(const struct wsx_ep *e);
void wsx_ep_free(struct wsx_ep *e);

/* For implementations: report to the owner (each at most once). */
void wsx_ep_opened(struct wsx_ep *e);
void wsx_ep_ended(struct wsx_ep *e, const struct wsx_ep_end *end);
void wsx_ep_finished(struct wsx_ep *e);
/* An ending with code, status and a message (printf-style). */
void wsx_ep_end_set(struct wsx_ep_end *end, int code, const char *reason,
		    int status, const char *fmt, ...) WSX_PRINTF(5, 6);

#endif
