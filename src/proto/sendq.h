/*
 * The send queue: whole messages in FIFO order in one contiguous buffer,
 * each with optional writable headroom in front (for a frame header). The
 * buffer grows to what the traffic needs and is reused, so
 * a steady stream allocates nothing; what a burst grew is given back. The
 * budget is soft: a message is taken while the queue is under budget, so the
 * queue never holds more than budget + one message.
 */
#ifndef WSX_PROTO_SENDQ_H
#define WSX_PROTO_SENDQ_H

#include <stdbool.h>
#include <stddef.h>

#include "util/msg.h"

struct wsx_sendq {
	unsigned char *mem;
	size_t cap;	 /* bytes allocated */
	size_t head;	 /* offset of the first entry */
	size_t tail;	 /* offset past the last entry */
	size_t headroom; /* writable bytes before every payload */
	size_t bytes;	 /* payload bytes queued, not yet written */
	size_t count;	 /* messages queued */
	size_t budget;
	size_t peak; /* most buffer bytes in use since it was last empty */
};

struct wsx_sendq_item {
	enum wsx_msg_type type;
	unsigned char *data; /* headroom bytes before it are writable */
	size_t len;	     /* whole message */
	size_t off;	     /* bytes already written */
};

void wsx_sendq_init(struct wsx_sendq *q, size_t headroom, size_t budget);
void wsx_sendq_release(struct wsx_sendq *q);
/* -1 when the queue is already at or over its budget. */
int wsx_sendq_push(struct wsx_sendq *q, enum wsx_msg_type type,
		   const void *data, size_t len);
bool wsx_sendq_full(const struct wsx_sendq *q);
/* The oldest message, false when empty. */
bool wsx_sendq_peek(const struct wsx_sendq *q, struct wsx_sendq_item *it);
/* Drop the oldest message none of which was written yet; false if none. */
bool wsx_sendq_drop_oldest(struct wsx_sendq *q);
/* n more bytes of the oldest message were written; drops it when done. */
void wsx_sendq_advance(struct wsx_sendq *q, size_t n);

#endif
