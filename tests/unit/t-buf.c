#include "config.h"
/* util/buf: append, consume, reserve/commit, headroom, the max cap, reuse. */

#include <string.h>

#include "tap.h"
#include "util/buf.h"

#define HEADROOM 16

static void
test_basic(void)
{
	struct wsx_buf b;

	wsx_buf_init(&b, HEADROOM, 1024);
	is_size(b.len, 0, "new buffer is empty");
	ok(wsx_buf_data(&b) == NULL, "new buffer has no data pointer");
	is_int(wsx_buf_append(&b, "", 0), 0, "appending nothing succeeds");
	is_size(b.len, 0, "appending nothing leaves it empty");

	is_int(wsx_buf_append(&b, "hello", 5), 0, "append 'hello'");
	is_int(wsx_buf_append(&b, ", world", 7), 0, "append ', world'");
	is_mem(wsx_buf_data(&b), b.len, "hello, world", 12,
	       "appends are concatenated");
	ok(wsx_buf_data(&b) == b.mem + HEADROOM,
	   "data starts right after the headroom");
	ok(wsx_buf_tail(&b) == wsx_buf_data(&b) + b.len,
	   "tail is just past the data");

	wsx_buf_consume(&b, 7);
	is_mem(wsx_buf_data(&b), b.len, "world", 5,
	       "consume drops bytes from the front");
	wsx_buf_consume(&b, 0);
	is_mem(wsx_buf_data(&b), b.len, "world", 5, "consume 0 drops nothing");
	is_int(wsx_buf_append(&b, "!", 1), 0, "append after consume");
	is_mem(wsx_buf_data(&b), b.len, "world!", 6,
	       "append after consume goes at the end");
	wsx_buf_consume(&b, 100);
	is_size(b.len, 0, "consume more than len empties the buffer");
	is_int(wsx_buf_append(&b, "again", 5), 0, "append after emptying");
	is_mem(wsx_buf_data(&b), b.len, "again", 5,
	       "contents after emptying and appending");
	ok(wsx_buf_data(&b) == b.mem + HEADROOM,
	   "an emptied buffer starts again right after the headroom");

	wsx_buf_clear(&b);
	is_size(b.len, 0, "clear empties the buffer");
	ok(b.mem != NULL, "clear keeps the memory");
	is_int(wsx_buf_append(&b, "x", 1), 0, "append after clear");
	is_mem(wsx_buf_data(&b), b.len, "x", 1, "contents after clear");

	wsx_buf_release(&b);
	ok(b.mem == NULL && b.len == 0 && b.cap == 0,
	   "release frees and empties");
	is_size(b.headroom, HEADROOM, "release keeps the headroom setting");
	is_size(b.max, 1024, "release keeps the max setting");
	is_int(wsx_buf_append(&b, "reuse", 5), 0, "append after release");
	is_mem(wsx_buf_data(&b), b.len, "reuse", 5, "contents after release");
	wsx_buf_release(&b);
}

static void
test_reserve_commit(void)
{
	struct wsx_buf b;
	unsigned char *t;
	size_t total = 0, bad = 0;

	wsx_buf_init(&b, HEADROOM, 1 << 20);
	wsx_buf_append(&b, "ab", 2);
	is_int(wsx_buf_reserve(&b, 10), 0, "reserve 10");
	ok(b.cap - b.start - b.len >= 10, "reserve leaves room for 10 bytes");
	is_size(b.len, 2, "reserve does not change the length");
	t = wsx_buf_tail(&b);
	memcpy(t, "0123456789", 10);
	wsx_buf_commit(&b, 4);
	is_mem(wsx_buf_data(&b), b.len, "ab0123", 6,
	       "commit adds only what was committed");

	/* write through the tail in growing steps, like read() would */
	wsx_buf_clear(&b);
	for (size_t step = 1; step <= 5000; step += 397) {
		if (wsx_buf_reserve(&b, step)) {
			bad++;
			break;
		}
		t = wsx_buf_tail(&b);
		for (size_t i = 0; i < step; i++)
			t[i] = (unsigned char)(total + i);
		wsx_buf_commit(&b, step);
		total += step;
	}
	is_size(bad, 0, "reserve of growing steps succeeds");
	is_size(b.len, total, "committed length adds up");
	t = wsx_buf_data(&b);
	for (size_t i = 0; i < total; i++)
		if (t[i] != (unsigned char)i) {
			bad++;
			break;
		}
	is_size(bad, 0, "data written through the tail survives growth");
	wsx_buf_release(&b);
}

static void
test_headroom(void)
{
	struct wsx_buf b;
	unsigned char big[3000];
	unsigned char *d;

	memset(big, 'z', sizeof(big));
	wsx_buf_init(&b, HEADROOM, 1 << 20);
	wsx_buf_append(&b, "payload", 7);
	d = wsx_buf_data(&b);
	/* ASan catches this if the headroom is not really there */
	memset(d - HEADROOM, 0xee, HEADROOM);
	is_mem(wsx_buf_data(&b), b.len, "payload", 7,
	       "writing the headroom leaves the data intact");

	wsx_buf_append(&b, big, sizeof(big)); /* forces a realloc */
	d = wsx_buf_data(&b);
	ok(d - b.mem == HEADROOM, "headroom still in front after growth");
	memset(d - HEADROOM, 0xee, HEADROOM);
	ok(!memcmp(d, "payload", 7) && d[7] == 'z' && d[b.len - 1] == 'z',
	   "data intact after growth and a headroom write");

	wsx_buf_consume(&b, 5);
	d = wsx_buf_data(&b);
	ok(d - b.mem >= HEADROOM, "headroom in front after a consume");
	memset(d - HEADROOM, 0xee, HEADROOM);
	ok(!memcmp(d, "ad", 2) && d[2] == 'z',
	   "data intact after a consume and a headroom write");
	wsx_buf_release(&b);

	wsx_buf_init(&b, 0, 64);
	wsx_buf_append(&b, "abc", 3);
	ok(wsx_buf_data(&b) == b.mem, "no headroom: data at the start");
	wsx_buf_release(&b);
}

static void
test_max(void)
{
	struct wsx_buf b;
	char fill[100];

	memset(fill, 'm', sizeof(fill));
	wsx_buf_init(&b, HEADROOM, 100);
	is_int(wsx_buf_append(&b, fill, 60), 0, "append 60 of max 100");
	is_int(wsx_buf_append(&b, "0123456789abcdefghijklmnopqrstuvwxyz0123",
			      41),
	       -1, "append past max returns -1");
	is_size(b.len, 60, "a refused append adds nothing");
	ok(!memcmp(wsx_buf_data(&b), fill, 60),
	   "a refused append leaves the contents");
	is_int(wsx_buf_reserve(&b, 41), -1, "reserve past max returns -1");
	is_int(wsx_buf_reserve(&b, 40), 0, "reserve up to max succeeds");
	is_int(wsx_buf_append(&b, fill, 40), 0, "append up to exactly max");
	is_size(b.len, 100, "buffer holds exactly max bytes");
	is_int(wsx_buf_append(&b, "x", 1), -1, "one byte past max is refused");
	is_int(wsx_buf_reserve(&b, 1), -1, "reserve 1 when full is refused");
	is_int(wsx_buf_append(&b, "", 0), 0, "appending nothing when full");
	ok(b.cap >= 100, "capacity covers max");

	wsx_buf_consume(&b, 30);
	is_int(wsx_buf_append(&b, fill, 30), 0,
	       "after consuming 30, 30 more fit");
	is_int(wsx_buf_append(&b, "x", 1), -1, "but not 31");
	is_size(b.len, 100, "max counts unconsumed bytes");
	wsx_buf_release(&b);

	wsx_buf_init(&b, 0, 0);
	is_int(wsx_buf_append(&b, "x", 1), -1, "max 0 refuses everything");
	wsx_buf_release(&b);

	wsx_buf_init(&b, 0, (size_t)1 << 20);
	is_int(wsx_buf_reserve(&b, ((size_t)1 << 20) + 1), -1,
	       "reserve of more than max at once is refused");
	is_int(wsx_buf_reserve(&b, (size_t)-1), -1,
	       "reserve of SIZE_MAX is refused, not wrapped");
	ok(b.mem == NULL, "a refused reserve allocates nothing");
	wsx_buf_release(&b);
}

/* Consuming frees room at the front that later appends reuse. */
static void
test_reuse(void)
{
	struct wsx_buf b;
	unsigned char chunk[100], expect[100];
	unsigned char *mem;
	size_t cap, moved = 0, bad = 0;

	wsx_buf_init(&b, HEADROOM, 4096);
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (unsigned char)i;
	while (b.len + sizeof(chunk) <= 1000)
		wsx_buf_append(&b, chunk, sizeof(chunk));
	mem = b.mem;
	cap = b.cap;
	/* a steady stream: consume one chunk, append one chunk */
	for (int round = 0; round < 1000; round++) {
		wsx_buf_consume(&b, sizeof(chunk));
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (unsigned char)(round + i);
		if (wsx_buf_append(&b, chunk, sizeof(chunk)))
			bad++;
		if (b.mem != mem || b.cap != cap)
			moved++;
	}
	is_size(bad, 0, "steady consume/append never fails");
	is_size(moved, 0, "steady consume/append reuses the same memory");
	ok(wsx_buf_data(&b) - b.mem >= HEADROOM,
	   "headroom intact after compaction");
	for (size_t i = 0; i < sizeof(expect); i++)
		expect[i] = (unsigned char)(999 + i);
	is_mem(wsx_buf_data(&b) + b.len - sizeof(chunk), sizeof(chunk), expect,
	       sizeof(expect), "newest chunk is last");
	for (size_t i = 0; i < sizeof(expect); i++)
		expect[i] = (unsigned char)(999 - 9 + i);
	is_mem(wsx_buf_data(&b), sizeof(chunk), expect, sizeof(expect),
	       "oldest chunk is first (FIFO through compaction)");
	wsx_buf_release(&b);
}

int
main(void)
{
	test_basic();
	test_reserve_commit();
	test_headroom();
	test_max();
	test_reuse();
	return done_testing();
}
