/*
 * Send queue; see sendq.h. Layout of one entry, 8-byte aligned:
 *   struct sq_hdr | headroom | payload | padding
 * Entries are appended at tail; when the space at the end runs out the live
 * entries are moved to the front (or the buffer grows if they don't fit).
 */
#include "config.h"

#include <string.h>

#include "proto/sendq.h"
#include "util/xalloc.h"

struct sq_hdr {
	size_t len; /* payload bytes */
	size_t off; /* bytes already written */
	enum wsx_msg_type type;
};

#define SQ_ALIGN(n) (((n) + 7u) & ~(size_t)7u)

#define SQ_FIRST_CAP ((size_t)4096)

/*
 * What an empty queue may keep of its buffer. A burst can grow it to the
 * budget and more, and keeping every connection's high-water mark made a
 * long-running server or relay only ever grow (relay soak: +55% RSS in
 * 3 minutes; broadcast: +7.5% in 5). Below this, a steady stream of
 * messages up to about 200 KiB reuses its buffer and allocates nothing.
 */
#define SQ_KEEP_EMPTY ((size_t)256 << 10)

static size_t
sq_entry_size(const struct wsx_sendq *q, size_t len)
{
	return SQ_ALIGN(sizeof(struct sq_hdr) + q->headroom + len);
}

void
wsx_sendq_init(struct wsx_sendq *q, size_t headroom, size_t budget)
{
	memset(q, 0, sizeof(*q));
	q->headroom = SQ_ALIGN(headroom);
	q->budget = budget;
}

/*
 * The last message left: start again at the front. Give the buffer back
 * when it is big, or when this busy spell used a quarter of it or less: a
 * burst grew it and ordinary traffic is back. A stream that fills it keeps
 * it.
 */
static void
sq_emptied(struct wsx_sendq *q)
{
	q->head = q->tail = 0;
	if (q->cap > SQ_KEEP_EMPTY ||
	    (q->cap > SQ_FIRST_CAP && q->peak <= q->cap / 4)) {
		free(q->mem);
		q->mem = NULL;
		q->cap = 0;
	}
	q->peak = 0;
}

void
wsx_sendq_release(struct wsx_sendq *q)
{
	free(q->mem);
	wsx_sendq_init(q, q->headroom, q->budget);
}

bool
wsx_sendq_full(const struct wsx_sendq *q)
{
	return q->bytes >= q->budget;
}

int
wsx_sendq_push(struct wsx_sendq *q, enum wsx_msg_type type, const void *data,
	       size_t len)
{
	size_t need = sq_entry_size(q, len);
	struct sq_hdr *h;

	if (wsx_sendq_full(q))
		return -1;
	if (q->tail + need > q->cap) {
		size_t live = q->tail - q->head;

		if (q->head)
			memmove(q->mem, q->mem + q->head, live);
		q->head = 0;
		q->tail = live;
		if (live + need > q->cap) {
			size_t cap = q->cap ? q->cap : SQ_FIRST_CAP;

			while (cap < live + need)
				cap *= 2;
			q->mem = xrealloc(q->mem, cap);
			q->cap = cap;
		}
	}
	h = (struct sq_hdr *)(q->mem + q->tail);
	h->len = len;
	h->off = 0;
	h->type = type;
	if (len)
		memcpy((unsigned char *)(h + 1) + q->headroom, data, len);
	q->tail += need;
	if (q->tail - q->head > q->peak)
		q->peak = q->tail - q->head;
	q->bytes += len;
	q->count++;
	return 0;
}

bool
wsx_sendq_peek(const struct wsx_sendq *q, struct wsx_sendq_item *it)
{
	const struct sq_hdr *h;

	if (!q->count)
		return false;
	h = (const struct sq_hdr *)(q->mem + q->head);
	it->type = h->type;
	it->len = h->len;
	it->off = h->off;
	it->data = q->mem + q->head + sizeof(*h) + q->headroom;
	return true;
}

bool
wsx_sendq_drop_oldest(struct wsx_sendq *q)
{
	size_t at = q->head, size;
	struct sq_hdr *h;

	if (!q->count)
		return false;
	h = (struct sq_hdr *)(q->mem + at);
	if (h->off) { /* partly written: it has to finish */
		if (q->count < 2)
			return false;
		at += sq_entry_size(q, h->len);
		h = (struct sq_hdr *)(q->mem + at);
	}
	size = sq_entry_size(q, h->len);
	q->bytes -= h->len;
	q->count--;
	if (at == q->head) {
		q->head += size;
	} else {
		memmove(q->mem + at, q->mem + at + size, q->tail - at - size);
		q->tail -= size;
	}
	if (!q->count)
		sq_emptied(q);
	return true;
}

void
wsx_sendq_advance(struct wsx_sendq *q, size_t n)
{
	struct sq_hdr *h;

	if (!q->count)
		return;
	h = (struct sq_hdr *)(q->mem + q->head);
	if (n > h->len - h->off)
		n = h->len - h->off;
	h->off += n;
	q->bytes -= n;
	if (h->off < h->len)
		return;
	q->head += sq_entry_size(q, h->len);
	if (!--q->count)
		sq_emptied(q);
}
