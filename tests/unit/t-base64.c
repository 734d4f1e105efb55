#include "config.h"
/* util/base64: RFC 4648 vectors, round trips and strict decoding. */

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/base64.h"

static const struct {
	const char *plain, *coded;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Decode a string; the output area is poisoned to catch overruns. */
static long
decode(unsigned char *out, size_t room, const char *in)
{
	memset(out, 0xa5, room);
	return wsx_base64_decode(out, in, strlen(in));
}

static void
test_vectors(void)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		const char *p = rfc4648[i].plain, *c = rfc4648[i].coded;
		char enc[16];
		unsigned char dec[16];
		size_t n;
		long m;

		is_size(wsx_base64_encoded_len(strlen(p)), strlen(c),
			"encoded_len('%s') is %zu", p, strlen(c));
		memset(enc, 0, sizeof(enc));
		n = wsx_base64_encode(enc, p, strlen(p));
		is_mem(enc, n, c, strlen(c), "encode('%s') is '%s'", p, c);
		m = decode(dec, sizeof(dec), c);
		ok(m >= 0 && !memcmp(dec, p, (size_t)m) &&
			   (size_t)m == strlen(p),
		   "decode('%s') is '%s'", c, p);
	}
}

static void
test_padding_optional(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "Zg", "f" },
		{ "Zm8", "fo" },
		{ "Zm9vYg", "foob" },
		{ "Zm9vYmE", "fooba" },
		{ "Zm9vYmFy", "foobar" },
	};
	unsigned char out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long n = decode(out, sizeof(out), cases[i].in);

		ok(n >= 0 && (size_t)n == strlen(cases[i].want) &&
			   !memcmp(out, cases[i].want, (size_t)n),
		   "unpadded '%s' decodes to '%s'", cases[i].in, cases[i].want);
	}
}

static void
test_rejects(void)
{
	static const struct {
		const char *in, *why;
	} cases[] = {
		{ "Zm9v!", "bad character '!'" },
		{ "Zm 9v", "space" },
		{ "Zm9v\n", "newline" },
		{ "Zm-_", "url-safe alphabet" },
		{ "Zm9\xc3\xa9", "non-ASCII byte" },
		{ "Z", "length % 4 == 1 (1)" },
		{ "Zm9vY", "length % 4 == 1 (5)" },
		{ "A", "length % 4 == 1, zero bits (1)" },
		{ "AAAAA", "length % 4 == 1, zero bits (5)" },
		{ "Zm9vY===", "three padding characters" },
		{ "Zg=", "one '=' where two are needed" },
		{ "Zm9v=", "padding after a full group" },
		{ "Zm9v==", "two '=' after a full group" },
		{ "Zm8==", "padding past a multiple of 4" },
		{ "=", "only padding" },
		{ "==", "only two padding" },
		{ "====", "a group of padding" },
		{ "Zg==Zg==", "padding in the middle" },
		{ "Z=g=", "'=' between data characters" },
		{ "Zh==", "non-canonical trailing bits (1 byte)" },
		{ "Zm9=", "non-canonical trailing bits (2 bytes)" },
		{ "Zh", "non-canonical trailing bits, unpadded" },
		{ "Zm9", "non-canonical trailing bits, unpadded 2 bytes" },
	};
	unsigned char out[16];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(decode(out, sizeof(out), cases[i].in), -1,
		       "decode rejects %s", cases[i].why);
	is_int(wsx_base64_decode(out, "Zm9v\0Zm9v", 9), -1,
	       "decode rejects a NUL inside the input");
	is_int(wsx_base64_decode(out, "Zm9vXXXX", 4), 3,
	       "decode reads only n characters");
}

static void
test_all_bytes(void)
{
	unsigned char all[256], dec[256 + 3];
	char enc[344 + 1];
	size_t n;
	long m;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)i;
	n = wsx_base64_encode(enc, all, sizeof(all));
	is_size(n, 344, "256 bytes encode to 344 characters");
	enc[n] = '\0';
	ok(strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789+/=") == n,
	   "encoding uses only the standard alphabet");
	is_str(enc + 340, "/w==", "last group of 00..FF is '/w=='");
	ok(!strncmp(enc, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g", 44),
	   "first groups of 00..FF match the known encoding");
	m = wsx_base64_decode(dec, enc, n);
	is_mem(dec, m < 0 ? 0 : (size_t)m, all, sizeof(all),
	       "all 256 byte values round trip");
}

static void
test_random(void)
{
	unsigned char in[300], dec[300 + 3];
	char enc[400 + 1];
	size_t bad_len = 0, bad_trip = 0, bad_unpadded = 0;

	srand(4648);
	for (size_t len = 0; len <= 300; len++) {
		size_t n, stripped;
		long m;

		for (size_t i = 0; i < len; i++)
			in[i] = (unsigned char)rand();
		memset(enc, '@', sizeof(enc));
		n = wsx_base64_encode(enc, in, len);
		if (n != wsx_base64_encoded_len(len) || n % 4 || enc[n] != '@')
			bad_len++;
		m = wsx_base64_decode(dec, enc, n);
		if (m < 0 || (size_t)m != len || memcmp(dec, in, len))
			bad_trip++;
		for (stripped = n; stripped && enc[stripped - 1] == '=';)
			stripped--;
		m = wsx_base64_decode(dec, enc, stripped);
		if (m < 0 || (size_t)m != len || memcmp(dec, in, len))
			bad_unpadded++;
	}
	is_size(bad_len, 0, "random 0..300 bytes: encoded length as promised");
	is_size(bad_trip, 0, "random 0..300 bytes: round trip");
	is_size(bad_unpadded, 0,
		"random 0..300 bytes: round trip without padding");
}

int
main(void)
{
	test_vectors();
	test_padding_optional();
	test_rejects();
	test_all_bytes();
	test_random();
	return done_testing();
}
