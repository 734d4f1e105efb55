#include "config.h"
/* proto/sendq: FIFO order, writable headroom, partial writes, the budget
 * and reuse of one buffer (no allocation per message). */

#include <string.h>

#include "proto/sendq.h"
#include "tap.h"

#define HEADROOM 16 /* what LWS_PRE is on 64-bit builds */

static void
test_fifo(void)
{
	static const struct {
		enum wsx_msg_type type;
		const char *data;
	} msgs[] = {
		{ WSX_MSG_TEXT, "first" },
		{ WSX_MSG_BINARY, "second\0with nul" },
		{ WSX_MSG_TEXT, "" },
		{ WSX_MSG_BINARY, "4" },
		{ WSX_MSG_TEXT, "fifth message" },
	};
	static const size_t lens[] = { 5, 15, 0, 1, 13 };
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	size_t total = 0, i;

	wsx_sendq_init(&q, HEADROOM, 1 << 20);
	ok(!wsx_sendq_peek(&q, &it), "peek on a new queue is false");
	ok(!wsx_sendq_full(&q), "a new queue is not full");
	wsx_sendq_advance(&q, 10); /* harmless on an empty queue */
	is_size(q.count, 0, "advance on an empty queue does nothing");

	for (i = 0; i < 5; i++) {
		is_int(wsx_sendq_push(&q, msgs[i].type, msgs[i].data, lens[i]),
		       0, "push message %zu", i + 1);
		total += lens[i];
	}
	is_size(q.count, 5, "5 messages queued");
	is_size(q.bytes, total, "bytes counts the payloads");

	for (i = 0; i < 5; i++) {
		if (!ok(wsx_sendq_peek(&q, &it), "peek message %zu", i + 1))
			break;
		is_int(it.type, msgs[i].type, "message %zu has its type",
		       i + 1);
		is_mem(it.data, it.len, msgs[i].data, lens[i],
		       "message %zu has its bytes", i + 1);
		is_size(it.off, 0, "message %zu: nothing written yet", i + 1);
		ok(wsx_sendq_peek(&q, &it) && it.len == lens[i],
		   "peek again gives message %zu again", i + 1);
		wsx_sendq_advance(&q, it.len);
		total -= lens[i];
		is_size(q.bytes, total, "bytes after dropping message %zu",
			i + 1);
	}
	ok(!wsx_sendq_peek(&q, &it), "peek on a drained queue is false");
	is_size(q.count, 0, "drained queue counts no messages");
	wsx_sendq_release(&q);
	ok(q.mem == NULL && q.cap == 0, "release frees the buffer");
}

static void
test_headroom(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	unsigned char payload[100];
	size_t bad = 0;

	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (unsigned char)(i * 7);
	wsx_sendq_init(&q, HEADROOM, 1 << 20);
	for (size_t len = 0; len < 40; len++)
		wsx_sendq_push(&q, (enum wsx_msg_type)(len & 1), payload, len);
	for (size_t len = 0; len < 40; len++) {
		if (!wsx_sendq_peek(&q, &it)) {
			bad++;
			break;
		}
		/* like libwebsockets writing its frame header */
		memset(it.data - HEADROOM, 0xee, HEADROOM);
		if (it.len != len || memcmp(it.data, payload, len) ||
		    it.type != (enum wsx_msg_type)(len & 1))
			bad++;
		wsx_sendq_advance(&q, it.len);
		/* the next message is still intact after that write */
		if (wsx_sendq_peek(&q, &it) && memcmp(it.data, payload, it.len))
			bad++;
	}
	is_size(bad, 0,
		"writing the headroom of each message keeps every "
		"payload intact");
	wsx_sendq_release(&q);

	/* headroom that is not a multiple of 8 is still all writable */
	wsx_sendq_init(&q, 13, 1 << 20);
	wsx_sendq_push(&q, WSX_MSG_BINARY, "abc", 3);
	wsx_sendq_push(&q, WSX_MSG_BINARY, "defg", 4);
	wsx_sendq_peek(&q, &it);
	memset(it.data - 13, 0xee, 13);
	ok(wsx_sendq_peek(&q, &it) && it.len == 3 && !memcmp(it.data, "abc", 3),
	   "headroom 13: payload intact after writing the headroom");
	wsx_sendq_advance(&q, 3);
	ok(wsx_sendq_peek(&q, &it) && it.len == 4 &&
		   !memcmp(it.data, "defg", 4),
	   "headroom 13: next payload intact");
	ok(((size_t)(it.data - q.mem) & 7) == 0, "payloads are 8-byte aligned");
	wsx_sendq_release(&q);
}

/* Scribble on each head's headroom, requeue it, and check all survive. */
static void
test_headroom_all(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	size_t bad = 0;

	wsx_sendq_init(&q, HEADROOM, 1 << 20);
	for (int i = 0; i < 50; i++) {
		char s[16];

		snprintf(s, sizeof(s), "msg %d", i);
		wsx_sendq_push(&q, WSX_MSG_TEXT, s, strlen(s));
	}
	/* peek, write the headroom, push a copy at the back, drop the head */
	for (int i = 0; i < 50; i++) {
		char s[16];

		wsx_sendq_peek(&q, &it);
		memset(it.data - HEADROOM, 0xee, HEADROOM);
		snprintf(s, sizeof(s), "msg %d", i);
		if (it.len != strlen(s) || memcmp(it.data, s, it.len))
			bad++;
		wsx_sendq_push(&q, it.type, s, strlen(s));
		wsx_sendq_advance(&q, it.len);
	}
	for (int i = 0; i < 50; i++) {
		char s[16];

		snprintf(s, sizeof(s), "msg %d", i);
		if (!wsx_sendq_peek(&q, &it) || it.len != strlen(s) ||
		    memcmp(it.data, s, it.len))
			bad++;
		wsx_sendq_advance(&q, it.len);
	}
	is_size(bad, 0, "all payloads intact, in order, after requeueing");
	is_size(q.count, 0, "queue empty at the end");
	wsx_sendq_release(&q);
}

static void
test_partial(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;

	wsx_sendq_init(&q, HEADROOM, 1 << 20);
	wsx_sendq_push(&q, WSX_MSG_BINARY, "0123456789", 10);
	wsx_sendq_push(&q, WSX_MSG_TEXT, "next", 4);
	wsx_sendq_advance(&q, 3);
	ok(wsx_sendq_peek(&q, &it), "after a partial write the queue peeks");
	is_size(it.len, 10, "partial write: still the first message");
	is_size(it.off, 3, "partial write: off counts what was written");
	is_mem(it.data + it.off, it.len - it.off, "3456789", 7,
	       "partial write: the rest is data + off");
	is_size(q.bytes, 11, "partial write: bytes drops by what was written");
	is_size(q.count, 2, "partial write: both messages still queued");
	wsx_sendq_advance(&q, 0);
	ok(wsx_sendq_peek(&q, &it) && it.off == 3 && it.len == 10,
	   "advance 0 changes nothing");
	wsx_sendq_advance(&q, 6);
	ok(wsx_sendq_peek(&q, &it) && it.off == 9 && it.len == 10,
	   "two partial writes add up");
	wsx_sendq_advance(&q, 1);
	ok(wsx_sendq_peek(&q, &it) && it.type == WSX_MSG_TEXT && it.len == 4 &&
		   it.off == 0 && !memcmp(it.data, "next", 4),
	   "the last byte written drops the message");
	is_size(q.bytes, 4, "bytes after the first message is done");
	wsx_sendq_advance(&q, 100);
	is_size(q.count, 0, "advance past the end drops just that message");
	is_size(q.bytes, 0, "no bytes left");
	wsx_sendq_release(&q);
}

static void
test_budget(void)
{
	unsigned char big[5000];
	struct wsx_sendq q;
	struct wsx_sendq_item it;

	memset(big, 'b', sizeof(big));
	wsx_sendq_init(&q, HEADROOM, 1000);
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 600), 0,
	       "push 600 of budget 1000");
	ok(!wsx_sendq_full(&q), "600 of 1000 is not full");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 399), 0,
	       "push 399 more");
	ok(!wsx_sendq_full(&q), "999 of 1000 is not full");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 300), 0,
	       "under budget, a message that crosses it is taken");
	ok(wsx_sendq_full(&q), "1299 of 1000 is full");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 1), -1,
	       "a full queue refuses a push");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 0), -1,
	       "a full queue refuses even an empty message");
	is_size(q.count, 3, "a refused push queues nothing");
	is_size(q.bytes, 1299, "a refused push adds no bytes");

	wsx_sendq_advance(&q, 299);
	ok(wsx_sendq_full(&q), "1000 of 1000 is still full");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, 1), -1,
	       "at exactly the budget a push is refused");
	wsx_sendq_advance(&q, 1);
	ok(!wsx_sendq_full(&q), "999 of 1000 after a partial write");
	is_int(wsx_sendq_push(&q, WSX_MSG_TEXT, "x", 1), 0,
	       "under budget again, a push is taken");
	wsx_sendq_release(&q);

	wsx_sendq_init(&q, HEADROOM, 1000);
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, sizeof(big)), 0,
	       "an empty queue takes a message 5x its budget");
	ok(wsx_sendq_peek(&q, &it) && it.len == sizeof(big) &&
		   !memcmp(it.data, big, sizeof(big)),
	   "the oversized message is intact");
	ok(wsx_sendq_full(&q), "and then the queue is full");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, "y", 1), -1,
	       "nothing more is taken behind it");
	wsx_sendq_advance(&q, sizeof(big));
	ok(!wsx_sendq_full(&q), "drained, the queue takes messages again");
	wsx_sendq_release(&q);

	wsx_sendq_init(&q, HEADROOM, 1000);
	wsx_sendq_push(&q, WSX_MSG_BINARY, big, 10);
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, big, sizeof(big)), 0,
	       "a queue under budget takes a message bigger than the budget");
	ok(wsx_sendq_full(&q), "which makes it full");
	wsx_sendq_release(&q);
}

static void
test_empty_messages(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;

	wsx_sendq_init(&q, HEADROOM, 100);
	is_int(wsx_sendq_push(&q, WSX_MSG_TEXT, NULL, 0), 0,
	       "push a zero-length text message");
	is_int(wsx_sendq_push(&q, WSX_MSG_BINARY, "", 0), 0,
	       "push a zero-length binary message");
	wsx_sendq_push(&q, WSX_MSG_TEXT, "z", 1);
	is_size(q.count, 3, "zero-length messages are counted");
	is_size(q.bytes, 1, "zero-length messages add no bytes");
	ok(wsx_sendq_peek(&q, &it) && it.len == 0 && it.type == WSX_MSG_TEXT,
	   "peek gives the zero-length text message");
	memset(it.data - HEADROOM, 0xee, HEADROOM);
	wsx_sendq_advance(&q, 0);
	ok(wsx_sendq_peek(&q, &it) && it.len == 0 && it.type == WSX_MSG_BINARY,
	   "advance 0 drops a zero-length message");
	wsx_sendq_advance(&q, 0);
	ok(wsx_sendq_peek(&q, &it) && it.len == 1 && it.data[0] == 'z',
	   "then the next message");
	wsx_sendq_advance(&q, 1);
	ok(!wsx_sendq_peek(&q, &it), "then empty");
	wsx_sendq_release(&q);
}

/* A steady stream allocates once: the buffer is reused, never regrown. */
static void
test_reuse(void)
{
	unsigned char msg[1500];
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	unsigned char *mem;
	size_t cap, moved = 0, bad = 0, outside = 0;

	memset(msg, 'r', sizeof(msg));
	wsx_sendq_init(&q, HEADROOM, 1 << 20);
	wsx_sendq_push(&q, WSX_MSG_BINARY, msg, sizeof(msg));
	wsx_sendq_peek(&q, &it);
	wsx_sendq_advance(&q, it.len);
	mem = q.mem;
	cap = q.cap;
	ok(mem != NULL && cap > 0, "the first push allocates");
	for (int i = 0; i < 10000; i++) {
		msg[0] = (unsigned char)i;
		if (wsx_sendq_push(&q, WSX_MSG_BINARY, msg, sizeof(msg)) ||
		    !wsx_sendq_peek(&q, &it) || it.data[0] != msg[0])
			bad++;
		wsx_sendq_advance(&q, it.len);
		if (q.mem != mem || q.cap != cap)
			moved++;
	}
	is_size(bad, 0, "10000 push/drain cycles deliver every message");
	is_size(moved, 0, "10000 push/drain cycles reuse the same memory");
	is_size(q.count, 0, "and end empty");

	/* a pipeline: 8 in flight, drained in halves, several cycles */
	for (int i = 0; i < 8; i++)
		wsx_sendq_push(&q, WSX_MSG_TEXT, msg, 100);
	mem = q.mem;
	cap = q.cap;
	moved = 0;
	bad = 0;
	for (int i = 0; i < 10000; i++) {
		msg[0] = (unsigned char)i;
		if (wsx_sendq_push(&q, WSX_MSG_TEXT, msg, 100))
			bad++;
		if (q.head > q.tail || q.tail > q.cap)
			outside++;
		if (!wsx_sendq_peek(&q, &it) || it.len != 100)
			bad++;
		wsx_sendq_advance(&q, 40);
		wsx_sendq_advance(&q, 60);
		if (q.mem != mem || q.cap != cap)
			moved++;
	}
	is_size(bad, 0, "8 in flight: every push and peek works");
	is_size(moved, 0, "8 in flight: 10000 cycles reuse the same memory");
	is_size(outside, 0, "8 in flight: entries stay inside the buffer");
	is_size(q.count, 8, "8 in flight: 8 still queued");
	for (int i = 0; i < 8; i++) {
		wsx_sendq_peek(&q, &it);
		if (it.data[0] != (unsigned char)(10000 - 8 + i))
			bad++;
		wsx_sendq_advance(&q, it.len);
	}
	is_size(bad, 0, "8 in flight: the last 8 come out in order");
	wsx_sendq_release(&q);
}

/* Growth keeps queued messages, including a partly written one. */
static void
test_growth(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	unsigned char buf[300];
	size_t bad = 0;

	wsx_sendq_init(&q, HEADROOM, (size_t)1 << 30);
	for (int i = 0; i < 200; i++) {
		memset(buf, i, sizeof(buf));
		wsx_sendq_push(&q, WSX_MSG_BINARY, buf, (size_t)i);
		if (i == 0) {
			/* a zero-length head, then partly write the next */
			wsx_sendq_push(&q, WSX_MSG_TEXT, "partial", 7);
			wsx_sendq_advance(&q, 0);
			wsx_sendq_advance(&q, 3);
		}
	}
	ok(q.cap >= 200 * 150, "the buffer grew to hold 200 messages");
	ok(wsx_sendq_peek(&q, &it) && it.len == 7 && it.off == 3 &&
		   !memcmp(it.data + it.off, "tial", 4),
	   "a partly written message survives growth");
	wsx_sendq_advance(&q, 4);
	for (int i = 1; i < 200; i++) {
		memset(buf, i, sizeof(buf));
		if (!wsx_sendq_peek(&q, &it) || it.len != (size_t)i ||
		    memcmp(it.data, buf, it.len))
			bad++;
		wsx_sendq_advance(&q, it.len);
	}
	is_size(bad, 0, "199 messages survive growth, in order");
	is_size(q.bytes, 0, "no bytes left");

	/* a burst past 256 KiB: emptied, the queue gives its buffer back */
	for (int i = 0; i < 1000; i++)
		wsx_sendq_push(&q, WSX_MSG_BINARY, buf, sizeof(buf));
	ok(q.cap > 256 << 10, "a burst of 1000 messages grew the buffer");
	wsx_sendq_drop_oldest(&q);
	while (wsx_sendq_peek(&q, &it))
		wsx_sendq_advance(&q, it.len);
	ok(q.mem == NULL && q.cap == 0,
	   "drained after a burst, the big buffer is freed");
	ok(wsx_sendq_push(&q, WSX_MSG_TEXT, "again", 5) == 0 &&
		   wsx_sendq_peek(&q, &it) && it.len == 5 &&
		   !memcmp(it.data, "again", 5),
	   "and the queue works on");
	wsx_sendq_release(&q);
}

/*
 * What a queue keeps once empty: a buffer its traffic fills, not one a past
 * burst grew (every connection's high-water mark would stay RSS for ever).
 */
static void
test_shrink(void)
{
	static unsigned char big[64 << 10];
	struct wsx_sendq q;
	struct wsx_sendq_item it;
	unsigned char *mem;
	size_t cap, moved = 0;

	wsx_sendq_init(&q, HEADROOM, (size_t)1 << 30);
	for (int i = 0; i < 100; i++)
		wsx_sendq_push(&q, WSX_MSG_BINARY, big, 300);
	cap = q.cap;
	ok(cap > 4096 && cap <= 64 << 10,
	   "a burst of 100 messages grew the buffer");
	while (wsx_sendq_peek(&q, &it))
		wsx_sendq_advance(&q, it.len);
	ok(q.mem != NULL && q.cap == cap,
	   "drained, a buffer the burst filled is kept for the next one");
	wsx_sendq_push(&q, WSX_MSG_TEXT, "small", 5);
	wsx_sendq_peek(&q, &it);
	wsx_sendq_advance(&q, it.len);
	ok(q.mem == NULL && q.cap == 0,
	   "a small message after the burst: the buffer is given back");

	/* 64 KiB messages one at a time fill their buffer: it is kept */
	wsx_sendq_push(&q, WSX_MSG_BINARY, big, sizeof(big));
	wsx_sendq_peek(&q, &it);
	wsx_sendq_advance(&q, it.len);
	mem = q.mem;
	cap = q.cap;
	ok(mem != NULL && cap > sizeof(big),
	   "a 64 KiB message grew the buffer");
	for (int i = 0; i < 1000; i++) {
		wsx_sendq_push(&q, WSX_MSG_BINARY, big, sizeof(big));
		wsx_sendq_peek(&q, &it);
		wsx_sendq_advance(&q, it.len);
		if (q.mem != mem || q.cap != cap)
			moved++;
	}
	is_size(moved, 0, "1000 messages of 64 KiB reuse the same memory");
	wsx_sendq_release(&q);
}

/* --slow=drop: the oldest message not yet begun goes, FIFO order stays. */
static void
test_drop_oldest(void)
{
	struct wsx_sendq q;
	struct wsx_sendq_item it;

	wsx_sendq_init(&q, 16, 1 << 20);
	ok(!wsx_sendq_drop_oldest(&q), "drop: nothing to drop when empty");
	wsx_sendq_push(&q, WSX_MSG_TEXT, "one", 3);
	wsx_sendq_push(&q, WSX_MSG_TEXT, "two", 3);
	wsx_sendq_push(&q, WSX_MSG_BINARY, "three", 5);
	ok(wsx_sendq_drop_oldest(&q), "drop: the head, not begun, goes");
	is_size(q.count, 2, "drop: two left");
	is_size(q.bytes, 8, "drop: their bytes");
	wsx_sendq_peek(&q, &it);
	is_mem(it.data, it.len, "two", 3, "drop: the next is now first");
	wsx_sendq_advance(&q, 1); /* "two" is begun: it must finish */
	ok(wsx_sendq_drop_oldest(&q), "drop: the one after a begun head goes");
	is_size(q.count, 1, "drop: one left");
	wsx_sendq_peek(&q, &it);
	is_mem(it.data + it.off, it.len - it.off, "wo", 2,
	       "drop: the begun head is intact");
	ok(!wsx_sendq_drop_oldest(&q), "drop: a lone begun message stays");
	wsx_sendq_push(&q, WSX_MSG_TEXT, "four", 4);
	wsx_sendq_advance(&q, 2);
	wsx_sendq_peek(&q, &it);
	is_mem(it.data, it.len, "four", 4, "drop: queue keeps working after");
	wsx_sendq_release(&q);
}

int
main(void)
{
	test_fifo();
	test_headroom();
	test_headroom_all();
	test_partial();
	test_budget();
	test_empty_messages();
	test_reuse();
	test_growth();
	test_shrink();
	test_drop_oldest();
	return done_testing();
}
