/*
 * The relay: joins two endpoints and pumps messages both ways. Side A is
 * the client side (what a listener accepted, or the first spec), side B the
 * upstream. Neither direction buffers past the sink's budget: when a send
 * says "full" the source is paused until the sink drains. When one side's
 * input ends, the other is closed with the matching code and reason; the
 * pair is done once both sides are gone.
 */
#ifndef WSX_RELAY_RELAY_H
#define WSX_RELAY_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/loop.h"
#include "relay/ep.h"
#include "relay/tap.h"

struct wsx_pair;

struct wsx_pair_opts {
	bool one_message; /* A's first message, B's first reply, then close */
	bool no_close;	  /* A's end leaves B open (B closes) */
	uint64_t wait_us; /* A's end closes B once B was quiet this long */
	struct wsx_tap *tap; /* --log, --record; NULL for none */
	/* Both sides are open and the relay starts (the done callback's arg) */
	void (*on_start)(struct wsx_pair *p, void *arg);
};

/* Every pair of a command, to count, close and free together. */
struct wsx_pairs {
	struct wsx_pair *head;
	size_t count;
	unsigned long last_id;
};

/*
 * status: the first failing side's exit status (0 if none failed), msg its
 * words ("" when none). The pair and its endpoints are freed after this.
 */
typedef void (*wsx_pair_done_cb)(struct wsx_pair *p, int status,
				 const char *msg, void *arg);

/* Join a and b (owned from now on); A's side starts once both are open. */
struct wsx_pair *wsx_pair_new(struct wsx_loop *loop, struct wsx_pairs *set,
			      struct wsx_ep *a, struct wsx_ep *b,
			      const struct wsx_pair_opts *o,
			      wsx_pair_done_cb done, void *arg);
unsigned long wsx_pair_id(const struct wsx_pair *p);
/* The arg given to wsx_pair_new(). */
void *wsx_pair_arg(const struct wsx_pair *p);
/* Close one side (0: A, 1: B) as if the other had ended with code. */
void wsx_pair_close_side(struct wsx_pair *p, int side, int code,
			 const char *reason);
/* Close both sides of every pair with code and reason. */
void wsx_pairs_close_all(struct wsx_pairs *set, int code, const char *reason);
/* Output bytes queued on one side (0: A, 1: B) and not yet written. */
size_t wsx_pair_pending(const struct wsx_pair *p, int side);
/* The same, summed over both sides of every pair. */
size_t wsx_pairs_pending(const struct wsx_pairs *set);
/* At exit: free whatever is left, without callbacks. */
void wsx_pairs_free_all(struct wsx_pairs *set);

#endif
