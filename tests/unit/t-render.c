#include "config.h"
/* term/render: escaping, JSON re-indentation and hex dumps as shown. */

#include <string.h>

#include "tap.h"
#include "term/render.h"

static struct wsx_buf out;

static const char *
text(const char *in, size_t len, bool colour)
{
	wsx_buf_clear(&out);
	render_text(&out, (const unsigned char *)in, len, colour, "  ");
	wsx_buf_append(&out, "", 1);
	return (const char *)wsx_buf_data(&out);
}

static const char *
json_n(const char *in, size_t len, bool colour, int *ok_)
{
	wsx_buf_clear(&out);
	*ok_ = render_json(&out, in, len, colour, "> ");
	wsx_buf_append(&out, "", 1);
	return (const char *)wsx_buf_data(&out);
}

static const char *
json(const char *in, bool colour, int *ok_)
{
	return json_n(in, strlen(in), colour, ok_);
}

static const char *
hex(const char *in, size_t len)
{
	wsx_buf_clear(&out);
	render_hexdump(&out, (const unsigned char *)in, len, "  ");
	wsx_buf_append(&out, "", 1);
	return (const char *)wsx_buf_data(&out);
}

int
main(void)
{
	int isjson;

	wsx_buf_init(&out, 0, 1 << 20);
	is_str(text("hello", 5, false), "hello", "plain text as is");
	is_str(text("a\033[2Jb", 6, false), "a\\x1b[2Jb",
	       "an escape sequence is shown, not obeyed");
	is_str(text("a\0b", 3, false), "a\\x00b", "NUL shown as \\x00");
	is_str(text("a\x7f", 2, false), "a\\x7f", "DEL escaped");
	is_str(text("x\xc2\x9b"
		    "y",
		    4, false),
	       "x\\u009by", "C1 control (CSI) escaped");
	is_str(text("caf\xc3\xa9 \xe2\x9c\x93", 9, false),
	       "caf\xc3\xa9 \xe2\x9c\x93", "UTF-8 kept");
	is_str(text("one\ntwo", 7, false), "one\n  two",
	       "a newline continues indented");
	is_str(text("a\tb", 3, false), "a\tb", "tab kept");
	is_str(text("\xff", 1, false), "\\xff", "invalid UTF-8 escaped");
	is_str(text("\x01", 1, true), RENDER_C_ESCAPE "\\x01" RENDER_C_RESET,
	       "escapes dimmed with colour");

	is_str(json("{\"a\":[1,2,{\"b\":null}],\"c\":\"x\"}", false, &isjson),
	       "{\n>   \"a\": [\n>     1,\n>     2,\n>     {\n"
	       ">       \"b\": null\n>     }\n>   ],\n>   \"c\": \"x\"\n> }",
	       "object re-indented under the indent");
	ok(isjson, "an object is JSON");
	is_str(json("  [ ]  ", false, &isjson), "[]", "empty array compact");
	is_str(json("{\"n\":12345678901234567890123}", false, &isjson),
	       "{\n>   \"n\": 12345678901234567890123\n> }",
	       "big numbers copied exactly, not rounded");
	is_str(json("{\"k\":\"v\"}", true, &isjson),
	       "{\n>   " RENDER_C_KEY "\"k\"" RENDER_C_RESET
	       ": " RENDER_C_STRING "\"v\"" RENDER_C_RESET "\n> }",
	       "keys and strings coloured apart");
	is_str(json("{\"t\":true,\"n\":-1.5e3}", true, &isjson),
	       "{\n>   " RENDER_C_KEY "\"t\"" RENDER_C_RESET ": " RENDER_C_WORD
	       "true" RENDER_C_RESET ",\n>   " RENDER_C_KEY
	       "\"n\"" RENDER_C_RESET ": " RENDER_C_NUMBER
	       "-1.5e3" RENDER_C_RESET "\n> }",
	       "words and numbers coloured");
	json("{\"a\":1", false, &isjson);
	ok(!isjson, "truncated JSON is not JSON");
	json("{\"a\":1} trailing", false, &isjson);
	ok(!isjson, "text after the document is not JSON");
	json("42", false, &isjson);
	ok(!isjson, "a bare number is left as text");
	json("", false, &isjson);
	ok(!isjson, "empty is not JSON");
	/* cJSON takes NUL and other C0 bytes between tokens as whitespace */
	is_str(json_n("[1,\0\0\001null]", 12, false, &isjson),
	       "[\n>   1,\n>   null\n> ]",
	       "NUL and control bytes between tokens: dropped as layout");
	ok(isjson, "that is JSON to cJSON");

	is_str(hex("Hello", 5),
	       "00000000  48 65 6c 6c 6f                "
	       "                   |Hello|",
	       "short dump: padded hex, ASCII column");
	is_str(hex("0123456789abcdef\x01", 17),
	       "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66 "
	       "|0123456789abcdef|\n"
	       "  00000010  01                                               "
	       "|.|",
	       "two lines, the second indented, offset in hex");
	is_str(hex("", 0), "(empty)", "empty message");
	wsx_buf_release(&out);
	return done_testing();
}
