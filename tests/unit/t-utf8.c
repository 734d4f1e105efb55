#include "config.h"
/* util/utf8: one-shot and incremental validation, wsx_utf8_char_len. */

#include <string.h>

#include "tap.h"
#include "util/utf8.h"

struct sample {
	const char *name;
	const char *bytes;
	size_t len;
	bool valid;
};

/* clang-format off */
#define S(name, lit, valid) { name, lit, sizeof(lit) - 1, valid }
/* clang-format on */

static const struct sample samples[] = {
	S("empty", "", true),
	S("ascii", "hello, world", true),
	S("NUL byte", "a\0b", true),
	S("DEL and all of 7-bit", "\x01\x1f\x7f", true),
	S("2-byte U+00E9", "\xc3\xa9", true),
	S("2-byte lowest U+0080", "\xc2\x80", true),
	S("2-byte highest U+07FF", "\xdf\xbf", true),
	S("3-byte U+20AC", "\xe2\x82\xac", true),
	S("3-byte lowest U+0800", "\xe0\xa0\x80", true),
	S("3-byte U+D7FF below surrogates", "\xed\x9f\xbf", true),
	S("3-byte U+E000 above surrogates", "\xee\x80\x80", true),
	S("3-byte U+FFFF", "\xef\xbf\xbf", true),
	S("4-byte U+1F600", "\xf0\x9f\x98\x80", true),
	S("4-byte lowest U+10000", "\xf0\x90\x80\x80", true),
	S("4-byte highest U+10FFFF", "\xf4\x8f\xbf\xbf", true),
	S("mixed text", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!", true),
	S("overlong C0 80", "\xc0\x80", false),
	S("overlong C1 BF", "\xc1\xbf", false),
	S("overlong E0 80 80", "\xe0\x80\x80", false),
	S("overlong E0 9F BF", "\xe0\x9f\xbf", false),
	S("overlong F0 80 80 80", "\xf0\x80\x80\x80", false),
	S("overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", false),
	S("surrogate ED A0 80", "\xed\xa0\x80", false),
	S("surrogate ED BF BF", "\xed\xbf\xbf", false),
	S("past U+10FFFF F4 90 80 80", "\xf4\x90\x80\x80", false),
	S("lead F5", "\xf5\x80\x80\x80", false),
	S("lead F7", "\xf7\xbf\xbf\xbf", false),
	S("lead F8", "\xf8\x88\x80\x80\x80", false),
	S("lead FC", "\xfc\x84\x80\x80\x80\x80", false),
	S("byte FE", "\xfe", false),
	S("byte FF", "\xff", false),
	S("lone continuation 80", "\x80", false),
	S("lone continuation BF after ascii", "a\xbf", false),
	S("extra continuation after 2-byte", "\xc3\xa9\x80", false),
	S("truncated 2-byte", "\xc3", false),
	S("truncated 3-byte", "\xe2\x82", false),
	S("truncated 4-byte", "\xf0\x9f\x98", false),
	S("truncated 4-byte then ascii", "\xf0\x9f\x98z", false),
	S("lead then lead", "\xc3\xc3\xa9", false),
	S("invalid in the middle",
	  "abc\xff"
	  "def",
	  false),
};

static void
test_one_shot(void)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];

		is_int(wsx_utf8_valid(s->bytes, s->len), s->valid,
		       "valid: %s is %s", s->name,
		       s->valid ? "accepted" : "rejected");
	}
}

/* Feeding in two pieces split at every position gives the one-shot answer. */
static void
test_split_everywhere(void)
{
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		size_t bad_splits = 0;

		for (size_t cut = 0; cut <= s->len; cut++) {
			struct wsx_utf8 v;
			bool r;

			wsx_utf8_init(&v);
			r = wsx_utf8_feed(&v, s->bytes, cut);
			r = wsx_utf8_feed(&v, s->bytes + cut, s->len - cut) &&
			    r;
			if ((r && wsx_utf8_complete(&v)) != s->valid)
				bad_splits++;
		}
		is_size(bad_splits, 0, "split at every byte: %s", s->name);
	}
}

/* A byte at a time over a long multi-byte string. */
static void
test_byte_at_a_time(void)
{
	static const char text[] = "\xf0\x9f\x98\x80 caf\xc3\xa9 \xe2\x82\xac"
				   "\xf4\x8f\xbf\xbf\xc2\x80";
	size_t len = sizeof(text) - 1, mid = 0, ends = 0;
	struct wsx_utf8 v;
	bool all = true;

	wsx_utf8_init(&v);
	for (size_t i = 0; i < len; i++) {
		all = wsx_utf8_feed(&v, text + i, 1) && all;
		if (wsx_utf8_complete(&v))
			ends++;
		else
			mid++;
	}
	ok(all, "byte at a time: every feed of valid text returns true");
	ok(wsx_utf8_complete(&v), "byte at a time: complete at the end");
	/* 5 ASCII characters and 5 multi-byte ones */
	is_size(ends, 10, "byte at a time: complete after each character");
	is_size(mid, len - 10, "byte at a time: incomplete mid-character");
}

static void
test_incremental(void)
{
	struct wsx_utf8 v;

	wsx_utf8_init(&v);
	ok(wsx_utf8_complete(&v), "fresh validator is complete");
	ok(wsx_utf8_feed(&v, "\xe2", 1), "E2 alone may still be valid");
	ok(!wsx_utf8_complete(&v), "not complete after E2");
	ok(wsx_utf8_feed(&v, "\x82", 1), "E2 82 may still be valid");
	ok(!wsx_utf8_complete(&v), "not complete after E2 82");
	ok(wsx_utf8_feed(&v, "\xac", 1), "E2 82 AC is valid");
	ok(wsx_utf8_complete(&v), "complete after E2 82 AC");

	wsx_utf8_init(&v);
	ok(wsx_utf8_feed(&v, "\xed", 1), "ED alone may still be valid");
	ok(!wsx_utf8_feed(&v, "\xa0", 1), "ED then A0 fails at once");
	ok(!wsx_utf8_feed(&v, "a", 1), "invalid is sticky: ascii after");
	ok(!wsx_utf8_complete(&v), "invalid is never complete");

	wsx_utf8_init(&v);
	ok(wsx_utf8_feed(&v, "\xf4", 1), "F4 alone may still be valid");
	ok(!wsx_utf8_feed(&v, "\x90", 1), "F4 then 90 fails at once");

	wsx_utf8_init(&v);
	ok(wsx_utf8_feed(&v, "\xe0", 1), "E0 alone may still be valid");
	ok(!wsx_utf8_feed(&v, "\x9f", 1), "E0 then 9F fails at once");

	wsx_utf8_init(&v);
	ok(wsx_utf8_feed(&v, "\xf0\x9f", 2), "F0 9F may still be valid");
	ok(!wsx_utf8_complete(&v), "not complete after F0 9F");
	ok(!wsx_utf8_feed(&v, "A", 1), "ascii inside a sequence fails");

	wsx_utf8_init(&v);
	ok(!wsx_utf8_feed(&v, "\xc0", 1), "C0 fails as a lead byte at once");
	wsx_utf8_init(&v);
	ok(wsx_utf8_feed(&v, "", 0), "empty feed is fine");
	ok(wsx_utf8_complete(&v), "complete after an empty feed");
}

static void
test_char_len(void)
{
	static const struct {
		const char *s;
		size_t len, want;
	} cases[] = {
		{ "a", 1, 1 },
		{ "ab", 2, 1 },
		{ "", 1, 1 }, /* the NUL byte */
		{ "\xc3\xa9x", 3, 2 },
		{ "\xe2\x82\xac", 3, 3 },
		{ "\xf0\x9f\x98\x80zz", 6, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 },
		{ "\xc3", 1, 0 },
		{ "\xe2\x82", 2, 0 },
		{ "\xf0\x9f\x98", 3, 0 },
		{ "\x80", 1, 0 },
		{ "\xbf", 1, 0 },
		{ "\xc0\x80", 2, 0 },
		{ "\xe0\x80\x80", 3, 0 },
		{ "\xed\xa0\x80", 3, 0 },
		{ "\xf0\x80\x80\x80", 4, 0 },
		{ "\xf4\x90\x80\x80", 4, 0 },
		{ "\xf5\x80\x80\x80", 4, 0 },
		{ "\xff", 1, 0 },
		{ "\xc3"
		  "a",
		  2, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char hex[32] = "";

		for (size_t j = 0; j < cases[i].len && j < 6; j++)
			snprintf(hex + strlen(hex), sizeof(hex) - strlen(hex),
				 "%s%02X", j ? " " : "",
				 (unsigned char)cases[i].s[j]);
		is_size(wsx_utf8_char_len((const unsigned char *)cases[i].s,
					  cases[i].len),
			cases[i].want, "char_len(%s) is %zu", hex,
			cases[i].want);
	}
	is_size(wsx_utf8_char_len((const unsigned char *)"abc", 0), 0,
		"char_len of an empty range is 0");
	is_size(wsx_utf8_char_len((const unsigned char *)"\xe2\x82\xac", 2), 0,
		"char_len when len cuts the character is 0");
}

int
main(void)
{
	test_one_shot();
	test_split_everywhere();
	test_byte_at_a_time();
	test_incremental();
	test_char_len();
	return done_testing();
}
