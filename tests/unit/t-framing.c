#include "config.h"
/* io/framing: every mode's encoder against its decoder, fed in any pieces,
 * and the decoder's refusals of malformed input. */

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "io/framing.h"
#include "tap.h"
#include "util/utf8.h"

#define MAX_MESSAGE (1u << 20)

/* Messages the decoder produced, copied out. */
struct got {
	size_t n, cap;
	struct wsx_msg *m;
};

static void
got_add(struct got *g, const struct wsx_msg *m)
{
	unsigned char *copy = malloc(m->len + 1);

	if (!copy)
		abort();
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->m = realloc(g->m, g->cap * sizeof(*g->m));
		if (!g->m)
			abort();
	}
	if (m->len)
		memcpy(copy, m->data, m->len);
	g->m[g->n].type = m->type;
	g->m[g->n].data = copy;
	g->m[g->n].len = m->len;
	g->n++;
}

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free((void *)g->m[i].data);
	free(g->m);
	memset(g, 0, sizeof(*g));
}

/* Drain the decoder into g; the last wsx_decoder_next() result. */
static int
drain(struct wsx_decoder *d, struct got *g, struct wsx_err *err)
{
	struct wsx_msg m;
	int rc;

	while ((rc = wsx_decoder_next(d, &m, err)) == 1)
		got_add(g, &m);
	return rc;
}

/* Write n bytes into the decoder as one read (or several if it must). */
static int
put(struct wsx_decoder *d, const void *data, size_t n)
{
	const unsigned char *s = data;

	while (n) {
		size_t avail, k;
		unsigned char *p = wsx_decoder_space(d, &avail);

		if (!p || !avail)
			return -1;
		k = n < avail ? n : avail;
		memcpy(p, s, k);
		wsx_decoder_commit(d, k);
		s += k;
		n -= k;
	}
	return 0;
}

/*
 * Feed in reads of at most chunk bytes, draining after each, then eof.
 * 0 when everything decoded (and the decoder stays at 0), -1 on a decode
 * error, -2 when the decoder refused to take input.
 */
static int
feed(const struct wsx_framing_opts *o, size_t max, const void *data, size_t len,
     size_t chunk, struct got *g, struct wsx_err *err)
{
	const unsigned char *s = data;
	struct wsx_decoder d;
	struct wsx_msg m;
	int rc = 0;

	wsx_decoder_init(&d, o, max);
	for (size_t off = 0; off < len;) {
		size_t k = len - off < chunk ? len - off : chunk;

		if (put(&d, s + off, k)) {
			rc = -2;
			goto out;
		}
		off += k;
		if (drain(&d, g, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	wsx_decoder_eof(&d);
	rc = drain(&d, g, err);
	if (!rc && wsx_decoder_next(&d, &m, err) != 0)
		rc = -3; /* 0 must be final */
out:
	wsx_decoder_release(&d);
	return rc;
}

static int
msg_eq(const struct wsx_msg *a, const struct wsx_msg *b)
{
	return a->type == b->type && a->len == b->len &&
	       (!a->len || !memcmp(a->data, b->data, a->len));
}

/* One TAP line: g holds exactly want[0..n). */
static void
check_got(const struct got *g, const struct wsx_msg *want, size_t n,
	  const char *name)
{
	size_t i;

	for (i = 0; i < n && i < g->n; i++)
		if (!msg_eq(&g->m[i], &want[i]))
			break;
	if (ok(i == n && g->n == n, "%s", name))
		return;
	diag("got %zu messages, expected %zu", g->n, n);
	if (i < n && i < g->n) {
		diag("message %zu differs: got type %d, expected type %d", i,
		     g->m[i].type, want[i].type);
		tap_hex("     got", g->m[i].data, g->m[i].len, 0);
		tap_hex("expected", want[i].data, want[i].len, 0);
	}
}

/* clang-format off */
#define TEXT(s) { WSX_MSG_TEXT, (const unsigned char *)(s), sizeof(s) - 1 }
#define BIN(s)	{ WSX_MSG_BINARY, (const unsigned char *)(s), sizeof(s) - 1 }
/* clang-format on */
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const size_t chunks[] = { 1, 2, 3, 7, 64, 100000 };

static void
round_trip(enum wsx_framing mode, int type, const struct wsx_msg *msgs,
	   size_t n, const char *what)
{
	struct wsx_framing_opts o;
	struct wsx_buf out;

	wsx_framing_opts_init(&o, mode);
	o.type = type;
	wsx_buf_init(&out, 0, 64 << 20);
	for (size_t i = 0; i < n; i++)
		wsx_encode(mode, &msgs[i], &out);
	for (size_t c = 0; c < N(chunks); c++) {
		struct wsx_err err = { 0, "" };
		struct got g = { 0, 0, NULL };
		char name[200];
		int rc;

		rc = feed(&o, MAX_MESSAGE, wsx_buf_data(&out), out.len,
			  chunks[c], &g, &err);
		snprintf(name, sizeof(name), "%s %s: %zu-byte reads decode",
			 wsx_framing_name(mode), what, chunks[c]);
		if (!is_int(rc, 0, "%s without error", name))
			diag("error: %s", err.msg);
		snprintf(name, sizeof(name),
			 "%s %s: %zu-byte reads give back the same messages",
			 wsx_framing_name(mode), what, chunks[c]);
		check_got(&g, msgs, n, name);
		got_free(&g);
	}
	wsx_buf_release(&out);
}

static unsigned char big[100000];
static unsigned char allbytes[256];

static void
test_round_trips(void)
{
	static const struct wsx_msg lines[] = {
		TEXT("hello"),
		TEXT(""),
		TEXT("h\xc3\xa9llo \xe2\x82\xac"),
		TEXT("\xf0\x9f\x98\x80"),
		TEXT("tab\there"),
		TEXT("last"),
	};
	static const struct wsx_msg nul[] = {
		TEXT("a\nb"),
		TEXT(""),
		TEXT("\r\n\r\n"),
		TEXT("x"),
	};
	static const struct wsx_msg lines_bin[] = {
		BIN("\xff\xfe\x00\x01"),
		BIN(""),
		BIN("\x80"),
	};
	static const struct wsx_msg jsonl[] = {
		TEXT("plain"),
		TEXT(""),
		TEXT("quote \" backslash \\ slash /"),
		TEXT("ctl \x01\x02\x1f\t\r\n\b\f end"),
		TEXT("caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f"),
		BIN("\x00\x01\xff\n\"\\"),
		BIN(""),
		BIN("x"),
	};
	struct wsx_msg bin[] = {
		BIN("\x00\n\x00\r\n"),
		BIN(""),
		BIN("\n"),
		{ WSX_MSG_BINARY, allbytes, sizeof(allbytes) },
		{ WSX_MSG_BINARY, big, sizeof(big) },
		BIN("end"),
	};
	struct wsx_msg text32[] = {
		TEXT("one"),
		TEXT(""),
		TEXT("line\nbreak\0nul"),
		TEXT("\xe2\x82\xac"),
	};
	struct wsx_msg biglines[] = {
		{ WSX_MSG_TEXT, big, sizeof(big) },
		TEXT("after"),
	};

	for (size_t i = 0; i < sizeof(allbytes); i++)
		allbytes[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)('a' + i % 26);

	round_trip(WSX_FRAMING_LINES, -1, lines, N(lines), "text");
	round_trip(WSX_FRAMING_LINES, WSX_MSG_BINARY, lines_bin, N(lines_bin),
		   "-b binary");
	round_trip(WSX_FRAMING_LINES, -1, biglines, N(biglines),
		   "100000-byte line");
	round_trip(WSX_FRAMING_NULL, -1, nul, N(nul), "text");
	round_trip(WSX_FRAMING_LEN32, -1, bin, N(bin), "binary");
	round_trip(WSX_FRAMING_LEN32, WSX_MSG_TEXT, text32, N(text32),
		   "-t text");
	round_trip(WSX_FRAMING_BASE64, -1, bin, N(bin), "binary");
	round_trip(WSX_FRAMING_JSONL, -1, jsonl, N(jsonl), "text and binary");
	round_trip(WSX_FRAMING_JSONL, -1, biglines, N(biglines),
		   "100000-byte text");
}

/* Raw: each read is a message, so read boundaries are what counts. */
static void
test_raw(void)
{
	static const struct wsx_msg msgs[] = {
		BIN("\x00\x01\x02"),
		BIN("\n"),
		BIN("hello world"),
		BIN("\xff"),
	};
	struct wsx_framing_opts o;
	struct wsx_decoder d;
	struct wsx_err err = { 0, "" };
	struct got g = { 0, 0, NULL };
	struct wsx_buf out;
	size_t bad = 0;
	int rc = 0;

	wsx_framing_opts_init(&o, WSX_FRAMING_RAW);
	wsx_buf_init(&out, 0, 1 << 20);
	for (size_t i = 0; i < N(msgs); i++)
		wsx_encode(WSX_FRAMING_RAW, &msgs[i], &out);
	is_mem(wsx_buf_data(&out), out.len, "\x00\x01\x02\nhello world\xff", 16,
	       "raw encode writes the bytes as they are");
	wsx_buf_release(&out);

	wsx_decoder_init(&d, &o, MAX_MESSAGE);
	for (size_t i = 0; i < N(msgs) && rc >= 0; i++) {
		put(&d, msgs[i].data, msgs[i].len);
		rc = drain(&d, &g, &err);
	}
	wsx_decoder_eof(&d);
	if (rc >= 0)
		rc = drain(&d, &g, &err);
	is_int(rc, 0, "raw binary: one read per message decodes");
	check_got(&g, msgs, N(msgs), "raw binary: each read is one message");
	wsx_decoder_release(&d);
	got_free(&g);

	rc = feed(&o, MAX_MESSAGE, "abcdef", 6, 1, &g, &err);
	is_int(rc, 0, "raw binary: byte reads decode");
	is_size(g.n, 6, "raw binary: byte reads give 6 messages");
	for (size_t i = 0; i < g.n; i++)
		if (g.m[i].len != 1 || g.m[i].data[0] != "abcdef"[i] ||
		    g.m[i].type != WSX_MSG_BINARY)
			bad++;
	is_size(bad, 0, "raw binary: byte reads give each byte in order");
	got_free(&g);

	rc = feed(&o, 4, "0123456789", 10, 10, &g, &err);
	is_int(rc, 0, "raw: a read longer than max_message decodes");
	{
		static const struct wsx_msg want[] = {
			BIN("0123"),
			BIN("4567"),
			BIN("89"),
		};

		check_got(&g, want, N(want),
			  "raw: a long read is cut at max_message");
	}
	got_free(&g);
}

/* Raw text: a UTF-8 character split across reads is held back. */
static void
test_raw_text(void)
{
	struct wsx_framing_opts o;
	struct wsx_decoder d;
	struct wsx_err err = { 0, "" };
	struct got g = { 0, 0, NULL };
	int rc;

	wsx_framing_opts_init(&o, WSX_FRAMING_RAW);
	o.type = WSX_MSG_TEXT;
	wsx_decoder_init(&d, &o, MAX_MESSAGE);
	put(&d, "ab\xe2\x82", 4);
	rc = drain(&d, &g, &err);
	is_int(rc, 0, "raw text: a read ending mid-character is no error");
	{
		static const struct wsx_msg want[] = { TEXT("ab") };

		check_got(&g, want, N(want),
			  "raw text: the split character is held back");
	}
	put(&d,
	    "\xac"
	    "cd\xf0",
	    4);
	drain(&d, &g, &err);
	put(&d, "\x9f\x98", 2);
	drain(&d, &g, &err);
	put(&d, "\x80", 1);
	rc = drain(&d, &g, &err);
	wsx_decoder_eof(&d);
	if (!rc)
		rc = drain(&d, &g, &err);
	is_int(rc, 0, "raw text: the rest decodes");
	{
		static const struct wsx_msg want[] = {
			TEXT("ab"),
			TEXT("\xe2\x82\xac"
			     "cd"),
			TEXT("\xf0\x9f\x98\x80"),
		};

		check_got(&g, want, N(want),
			  "raw text: characters arrive whole");
	}
	wsx_decoder_release(&d);
	got_free(&g);

	/* every byte split of a multi-byte text joins up again */
	{
		static const char text[] =
			"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x";
		size_t bad = 0;

		for (size_t chunk = 1; chunk <= 4; chunk++) {
			struct wsx_buf all;

			rc = feed(&o, MAX_MESSAGE, text, sizeof(text) - 1,
				  chunk, &g, &err);
			wsx_buf_init(&all, 0, 1024);
			for (size_t i = 0; i < g.n; i++) {
				if (!wsx_utf8_valid(g.m[i].data, g.m[i].len))
					bad++;
				wsx_buf_append(&all, g.m[i].data, g.m[i].len);
			}
			if (rc || all.len != sizeof(text) - 1 ||
			    memcmp(wsx_buf_data(&all), text, all.len))
				bad++;
			wsx_buf_release(&all);
			got_free(&g);
		}
		is_size(bad, 0,
			"raw text: 1..4-byte reads give whole characters");
	}

	rc = feed(&o, MAX_MESSAGE, "ok\xe2\x82", 4, 4, &g, &err);
	is_int(rc, -1, "raw text: input ending mid-character is an error");
	got_free(&g);
	rc = feed(&o, MAX_MESSAGE, "ok\xff", 3, 3, &g, &err);
	is_int(rc, -1, "raw text: invalid UTF-8 is an error");
	got_free(&g);

	/* max_message must not cut a character in two either */
	rc = feed(&o, 4,
		  "ab\xe2\x82\xac"
		  "c",
		  6, 6, &g, &err);
	if (!is_int(rc, 0, "raw text: max_message inside a character"))
		diag("error: %s", err.msg);
	{
		static const struct wsx_msg want[] = {
			TEXT("ab"),
			TEXT("\xe2\x82\xac"
			     "c"),
		};

		check_got(&g, want, N(want),
			  "raw text: max_message cuts between characters");
	}
	got_free(&g);
}

/* Feed raw bytes; expect exactly the listed messages and rc. */
static void
expect(enum wsx_framing mode, int type, size_t max, const char *in, size_t len,
       int want_rc, const struct wsx_msg *want, size_t n, const char *name)
{
	struct wsx_framing_opts o;
	struct got g = { 0, 0, NULL };

	wsx_framing_opts_init(&o, mode);
	o.type = type;
	for (size_t c = 0; c < N(chunks); c++) {
		struct wsx_err err = { 0, "" };
		int rc = feed(&o, max, in, len, chunks[c], &g, &err);

		if (!is_int(rc, want_rc, "%s %s (%zu-byte reads): %s",
			    wsx_framing_name(mode),
			    want_rc ? "is refused" : "decodes", chunks[c],
			    name) &&
		    *err.msg)
			diag("error: %s", err.msg);
		if (want_rc < 0) {
			ok(err.code == 1 && *err.msg,
			   "%s (%zu-byte reads): %s: code 1, a message",
			   wsx_framing_name(mode), chunks[c], name);
		}
		if (want) {
			char label[200];

			snprintf(label, sizeof(label),
				 "%s (%zu-byte reads): %s: messages",
				 wsx_framing_name(mode), chunks[c], name);
			check_got(&g, want, n, label);
		}
		got_free(&g);
	}
}

#define EXPECT(mode, type, max, lit, rc, name)                                 \
	expect(mode, type, max, lit, sizeof(lit) - 1, rc, NULL, 0, name)
#define EXPECT_MSGS(mode, type, max, lit, rc, want, name)                      \
	expect(mode, type, max, lit, sizeof(lit) - 1, rc, want, N(want), name)

static void
test_lines(void)
{
	static const struct wsx_msg unterminated[] = { TEXT("a"), TEXT("b") };
	static const struct wsx_msg empties[] = {
		TEXT(""),
		TEXT(""),
		TEXT("x"),
		TEXT(""),
	};
	static const struct wsx_msg good_then[] = { TEXT("ok") };
	static const struct wsx_msg sixteen[] = {
		TEXT("0123456789abcdef"),
	};
	static const struct wsx_msg nul_last[] = { TEXT("a"), TEXT("b") };
	static const struct wsx_msg bin_lines[] = {
		BIN("\xff"),
		BIN("\xc0\x80"),
	};
	struct wsx_framing_opts o;
	struct wsx_decoder d;
	struct wsx_err err = { 0, "" };
	struct got g = { 0, 0, NULL };
	int rc;

	EXPECT_MSGS(WSX_FRAMING_LINES, -1, 64, "a\nb", 0, unterminated,
		    "a last line without newline is delivered at eof");
	EXPECT_MSGS(WSX_FRAMING_LINES, -1, 64, "\n\nx\n\n", 0, empties,
		    "empty lines are empty messages");
	expect(WSX_FRAMING_LINES, -1, 64, "", 0, 0, empties, 0,
	       "no input is no message");
	EXPECT_MSGS(WSX_FRAMING_LINES, -1, 64, "ok\n\xff\n", -1, good_then,
		    "invalid UTF-8 after a good line");
	EXPECT(WSX_FRAMING_LINES, -1, 64, "\xed\xa0\x80\n", -1, "a surrogate");
	EXPECT(WSX_FRAMING_LINES, -1, 64, "\xe2\x82", -1,
	       "a truncated character at eof");
	EXPECT_MSGS(WSX_FRAMING_LINES, WSX_MSG_BINARY, 64, "\xff\n\xc0\x80", 0,
		    bin_lines, "invalid UTF-8 with -b is binary");
	EXPECT_MSGS(WSX_FRAMING_LINES, -1, 16, "0123456789abcdef\n", 0, sixteen,
		    "a line of exactly max_message");
	EXPECT(WSX_FRAMING_LINES, -1, 16, "0123456789abcdefg\n", -1,
	       "a line one byte over max_message");
	EXPECT(WSX_FRAMING_LINES, -1, 16, "0123456789abcdefg", -1,
	       "an unterminated last line over max_message");
	EXPECT_MSGS(WSX_FRAMING_NULL, -1, 64, "a\0b", 0, nul_last,
		    "a last record without NUL is delivered at eof");
	EXPECT(WSX_FRAMING_NULL, -1, 64, "a\0\xff", -1, "invalid UTF-8");

	/* an endless line with no newline is refused, not buffered forever */
	wsx_framing_opts_init(&o, WSX_FRAMING_LINES);
	wsx_decoder_init(&d, &o, 16);
	rc = 0;
	for (int i = 0; i < 1000 && !rc; i++) {
		if (put(&d, "xxxxxxxxxx", 10)) {
			rc = -2;
			break;
		}
		rc = drain(&d, &g, &err);
	}
	is_int(rc, -1, "lines: an endless line is refused before eof");
	ok(d.in.len <= 16 * 2 + 64 + WSX_READ_CHUNK,
	   "lines: an endless line buffers a bounded amount");
	wsx_decoder_release(&d);
	got_free(&g);

	/* nothing is delivered before its delimiter */
	wsx_decoder_init(&d, &o, 64);
	put(&d, "abc", 3);
	is_int(drain(&d, &g, &err), 0, "lines: a partial line is held");
	is_size(g.n, 0, "lines: a partial line gives no message yet");
	put(&d, "def\ngh", 6);
	drain(&d, &g, &err);
	ok(g.n == 1 && g.m[0].len == 6 && !memcmp(g.m[0].data, "abcdef", 6),
	   "lines: the line is delivered once its newline arrives");
	wsx_decoder_eof(&d);
	drain(&d, &g, &err);
	ok(g.n == 2 && g.m[1].len == 2 && !memcmp(g.m[1].data, "gh", 2),
	   "lines: the unterminated rest is delivered at eof");
	wsx_decoder_release(&d);
	got_free(&g);
}

static void
test_len32(void)
{
	static const struct wsx_msg two[] = { BIN("abc"), BIN("") };
	static const struct wsx_msg max8[] = { BIN("12345678") };

	EXPECT_MSGS(WSX_FRAMING_LEN32, -1, 64,
		    "\x00\x00\x00\x03"
		    "abc"
		    "\x00\x00\x00\x00",
		    0, two, "big-endian lengths");
	EXPECT_MSGS(WSX_FRAMING_LEN32, -1, 8,
		    "\x00\x00\x00\x08"
		    "12345678",
		    0, max8, "a record of exactly max_message");
	EXPECT(WSX_FRAMING_LEN32, -1, 8,
	       "\x00\x00\x00\x09"
	       "123456789",
	       -1, "length one over max_message");
	EXPECT(WSX_FRAMING_LEN32, -1, 64, "\xff\xff\xff\xff", -1,
	       "length 4 GiB, no payload yet");
	EXPECT(WSX_FRAMING_LEN32, -1, 64, "\x00\x00", -1,
	       "input ending inside the length");
	EXPECT(WSX_FRAMING_LEN32, -1, 64,
	       "\x00\x00\x00\x05"
	       "abc",
	       -1, "input ending inside the payload");
	EXPECT(WSX_FRAMING_LEN32, -1, 64,
	       "\x00\x00\x00\x01"
	       "a"
	       "\x00",
	       -1, "a second record cut inside its length");
	EXPECT(WSX_FRAMING_LEN32, WSX_MSG_TEXT, 64, "\x00\x00\x00\x01\xff", -1,
	       "-t with invalid UTF-8");
}

static void
test_base64(void)
{
	static const struct wsx_msg foo[] = {
		BIN("foo"),
		BIN(""),
		BIN("f"),
		BIN("fo"),
	};
	static const struct wsx_msg ten[] = { BIN("0123456789") };
	static const struct wsx_msg eleven[] = { BIN("0123456789a") };
	static const struct wsx_msg twelve[] = { BIN("0123456789ab") };

	EXPECT_MSGS(WSX_FRAMING_BASE64, -1, 64, "Zm9v\n\nZg==\r\nZm8", 0, foo,
		    "padded, empty, CRLF and unpadded lines");
	EXPECT(WSX_FRAMING_BASE64, -1, 64, "Zm9v\n!!!!\n", -1,
	       "a bad character");
	EXPECT(WSX_FRAMING_BASE64, -1, 64, "Zg=\n", -1, "bad padding");
	EXPECT(WSX_FRAMING_BASE64, -1, 64, "Zm9vY\n", -1, "length % 4 == 1");
	EXPECT(WSX_FRAMING_BASE64, -1, 64, "Zh==\n", -1,
	       "non-canonical trailing bits");
	EXPECT(WSX_FRAMING_BASE64, -1, 64, "Zm 9v\n", -1, "a space");
	EXPECT(WSX_FRAMING_BASE64, WSX_MSG_TEXT, 64, "/w==\n", -1,
	       "-t with a decoded byte that is not UTF-8");
	/* the decoded size is what max_message limits, for every size mod 3 */
	EXPECT_MSGS(WSX_FRAMING_BASE64, -1, 10, "MDEyMzQ1Njc4OQ==\n", 0, ten,
		    "10 bytes with max_message 10");
	EXPECT_MSGS(WSX_FRAMING_BASE64, -1, 11, "MDEyMzQ1Njc4OWE=\n", 0, eleven,
		    "11 bytes with max_message 11");
	EXPECT_MSGS(WSX_FRAMING_BASE64, -1, 12, "MDEyMzQ1Njc4OWFi\n", 0, twelve,
		    "12 bytes with max_message 12");
	EXPECT(WSX_FRAMING_BASE64, -1, 9, "MDEyMzQ1Njc4OQ==\n", -1,
	       "10 bytes with max_message 9");
	EXPECT(WSX_FRAMING_BASE64, -1, 10, "MDEyMzQ1Njc4OWE=\n", -1,
	       "11 bytes with max_message 10");
	EXPECT(WSX_FRAMING_BASE64, -1, 11, "MDEyMzQ1Njc4OWFi\n", -1,
	       "12 bytes with max_message 11");
}

static void
test_jsonl_decode(void)
{
	static const struct wsx_msg bin[] = { BIN("foo\x00\xff") };
	static const struct wsx_msg text[] = {
		TEXT("hi"),
		TEXT("\xe2\x82\xac\n\"q\""),
		TEXT(""),
		TEXT("x"),
	};
	static const struct wsx_msg ten[] = { TEXT("0123456789") };
	static const struct wsx_msg tenbin[] = { BIN("0123456789") };

	EXPECT_MSGS(WSX_FRAMING_JSONL, -1, 64,
		    "{\"type\":\"binary\",\"data\":\"Zm9vAP8=\"}\n", 0, bin,
		    "type binary decodes base64 data");
	EXPECT_MSGS(WSX_FRAMING_JSONL, -1, 64,
		    "\n  \n{\"data\":\"hi\"}\n\t\r\n"
		    "{\"type\":\"text\",\"data\":\"\\u20ac\\n\\\"q\\\"\","
		    "\"time\":1.5,\"extra\":[1]}\n"
		    "\r\n{\"data\":\"\"}\n{\"data\":\"x\"}",
		    0, text, "blank lines are skipped, type defaults to text");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"data\":\"a\"\n", -1, "bad JSON");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "not json\n", -1, "not JSON");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "\"data\"\n", -1,
	       "a string, not an object");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "[1,2]\n", -1,
	       "an array, not an object");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"type\":\"text\"}\n", -1,
	       "missing data");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"data\":5}\n", -1,
	       "data not a string");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"data\":null}\n", -1, "data null");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"type\":\"ping\",\"data\":\"\"}\n",
	       -1, "an unknown type");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"type\":1,\"data\":\"\"}\n", -1,
	       "a type that is not a string");
	EXPECT(WSX_FRAMING_JSONL, -1, 64,
	       "{\"type\":\"binary\",\"data\":\"!!\"}\n", -1,
	       "binary data that is not base64");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"data\":\"a\\ud800b\"}\n", -1,
	       "a lone surrogate escape");
	EXPECT(WSX_FRAMING_JSONL, -1, 64, "{\"data\":\"\xff\"}\n", -1,
	       "text data that is not UTF-8");
	EXPECT_MSGS(WSX_FRAMING_JSONL, -1, 10, "{\"data\":\"0123456789\"}\n", 0,
		    ten, "text of exactly max_message");
	EXPECT(WSX_FRAMING_JSONL, -1, 10, "{\"data\":\"0123456789a\"}\n", -1,
	       "text one byte over max_message");
	EXPECT(WSX_FRAMING_JSONL, -1, 10, "{\"data\":\"0123456789abcd\"}\n", -1,
	       "text four bytes over max_message");
	EXPECT_MSGS(WSX_FRAMING_JSONL, -1, 10,
		    "{\"type\":\"binary\",\"data\":\"MDEyMzQ1Njc4OQ==\"}\n", 0,
		    tenbin, "binary of exactly max_message");
	EXPECT(WSX_FRAMING_JSONL, -1, 10,
	       "{\"type\":\"binary\",\"data\":\"MDEyMzQ1Njc4OWE=\"}\n", -1,
	       "binary one byte over max_message");
}

static void
test_jsonl_encode(void)
{
	static const char text[] = "q\" b\\ nl\n cr\r tab\t \x01\x1f \x7f "
				   "\xc3\xa9 /";
	struct wsx_msg m = { WSX_MSG_TEXT, (const unsigned char *)text,
			     sizeof(text) - 1 };
	struct wsx_buf out;
	const cJSON *type, *data, *time;
	cJSON *root;
	char *line;

	wsx_buf_init(&out, 0, 1 << 20);
	wsx_encode(WSX_FRAMING_JSONL, &m, &out);
	wsx_buf_append(&out, "", 1); /* terminate for inspection */
	line = (char *)wsx_buf_data(&out);
	ok(out.len >= 2 && line[out.len - 2] == '\n' &&
		   !memchr(line, '\n', out.len - 2),
	   "jsonl encode: one line ending in a newline");
	ok(!memchr(line, '\r', out.len) && !memchr(line, '\t', out.len) &&
		   !memchr(line, '\x01', out.len),
	   "jsonl encode: no raw control characters");
	root = cJSON_ParseWithLength(line, out.len - 1);
	ok(cJSON_IsObject(root), "jsonl encode: text gives a JSON object");
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	time = cJSON_GetObjectItemCaseSensitive(root, "time");
	is_str(cJSON_IsString(type) ? type->valuestring : NULL, "text",
	       "jsonl encode: type is \"text\"");
	ok(cJSON_IsString(data) && !strcmp(data->valuestring, text),
	   "jsonl encode: data parses back to the same text");
	ok(cJSON_IsNumber(time) && time->valuedouble > 1e9,
	   "jsonl encode: time is a number of seconds since the epoch");
	cJSON_Delete(root);

	/* cJSON strings end at NUL, so look at the escaped bytes themselves */
	wsx_buf_clear(&out);
	m.data = (const unsigned char *)"a\0b";
	m.len = 3;
	wsx_encode(WSX_FRAMING_JSONL, &m, &out);
	wsx_buf_append(&out, "", 1);
	line = (char *)wsx_buf_data(&out);
	ok(strlen(line) == out.len - 1, "jsonl encode: no raw NUL in output");
	ok(strstr(line, "\"data\":\"a\\u0000b\"") != NULL,
	   "jsonl encode: NUL is written as \\u0000");
	root = cJSON_ParseWithLength(line, out.len - 1);
	ok(cJSON_IsObject(root), "jsonl encode: text with NUL is valid JSON");
	cJSON_Delete(root);

	wsx_buf_clear(&out);
	m.type = WSX_MSG_BINARY;
	m.data = (const unsigned char *)"\x00\xff\n";
	m.len = 3;
	wsx_encode(WSX_FRAMING_JSONL, &m, &out);
	wsx_buf_append(&out, "", 1);
	line = (char *)wsx_buf_data(&out);
	root = cJSON_ParseWithLength(line, out.len - 1);
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	is_str(cJSON_IsString(type) ? type->valuestring : NULL, "binary",
	       "jsonl encode: binary has type \"binary\"");
	is_str(cJSON_IsString(data) ? data->valuestring : NULL, "AP8K",
	       "jsonl encode: binary data is base64");
	cJSON_Delete(root);
	wsx_buf_release(&out);
}

static void
test_encode_bytes(void)
{
	struct wsx_msg m = { WSX_MSG_BINARY, (const unsigned char *)"ab\0", 3 };
	struct wsx_buf out;

	wsx_buf_init(&out, 0, 1 << 20);
	wsx_encode(WSX_FRAMING_LINES, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "ab\0\n", 4,
	       "lines encode: data then a newline");
	wsx_buf_clear(&out);
	wsx_encode(WSX_FRAMING_NULL, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "ab\0\0", 4,
	       "null encode: data then a NUL");
	wsx_buf_clear(&out);
	wsx_encode(WSX_FRAMING_LEN32, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "\0\0\0\3ab\0", 7,
	       "len32 encode: big-endian length then data");
	wsx_buf_clear(&out);
	wsx_encode(WSX_FRAMING_BASE64, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "YWIA\n", 5,
	       "base64 encode: a base64 line");
	wsx_buf_clear(&out);
	m.len = 0;
	wsx_encode(WSX_FRAMING_BASE64, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "\n", 1,
	       "base64 encode: an empty message is an empty line");
	wsx_buf_clear(&out);
	wsx_encode(WSX_FRAMING_LEN32, &m, &out);
	is_mem(wsx_buf_data(&out), out.len, "\0\0\0\0", 4,
	       "len32 encode: an empty message is a zero length");
	wsx_buf_clear(&out);
	m.data = big;
	m.len = 0x010203;
	wsx_encode(WSX_FRAMING_LEN32, &m, &out);
	is_mem(wsx_buf_data(&out), 4, "\x00\x01\x02\x03", 4,
	       "len32 encode: a 66051-byte length is 00 01 02 03");
	is_size(out.len, 4 + 0x010203, "len32 encode: then all of the data");
	wsx_buf_release(&out);
}

static void
test_types(void)
{
	static const struct {
		enum wsx_framing mode;
		const char *name;
		enum wsx_msg_type type;
	} modes[] = {
		{ WSX_FRAMING_LINES, "lines", WSX_MSG_TEXT },
		{ WSX_FRAMING_NULL, "null", WSX_MSG_TEXT },
		{ WSX_FRAMING_RAW, "raw", WSX_MSG_BINARY },
		{ WSX_FRAMING_LEN32, "len32", WSX_MSG_BINARY },
		{ WSX_FRAMING_BASE64, "base64", WSX_MSG_BINARY },
		{ WSX_FRAMING_JSONL, "jsonl", WSX_MSG_TEXT },
	};

	for (size_t i = 0; i < N(modes); i++) {
		struct wsx_framing_opts o;

		wsx_framing_opts_init(&o, modes[i].mode);
		is_str(wsx_framing_name(modes[i].mode), modes[i].name,
		       "mode %zu is named %s", i, modes[i].name);
		is_int(wsx_framing_type(&o), modes[i].type,
		       "%s sends %s by default", modes[i].name,
		       modes[i].type == WSX_MSG_TEXT ? "text" : "binary");
		o.type = WSX_MSG_TEXT;
		is_int(wsx_framing_type(&o), WSX_MSG_TEXT,
		       "%s with -t sends text", modes[i].name);
		o.type = WSX_MSG_BINARY;
		is_int(wsx_framing_type(&o), WSX_MSG_BINARY,
		       "%s with -b sends binary", modes[i].name);
	}
}

int
main(void)
{
	test_types();
	test_round_trips();
	test_raw();
	test_raw_text();
	test_lines();
	test_len32();
	test_base64();
	test_jsonl_decode();
	test_jsonl_encode();
	test_encode_bytes();
	return done_testing();
}
