/* Message rendering for the terminal; see render.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "term/render.h"
#include "util/utf8.h"

static void
put(struct wsx_buf *out, const char *s)
{
	(void)wsx_buf_append(out, s, strlen(s));
}

static void
put_n(struct wsx_buf *out, const void *s, size_t n)
{
	(void)wsx_buf_append(out, s, n);
}

static void
put_colour(struct wsx_buf *out, bool colour, const char *sgr)
{
	if (colour)
		put(out, sgr);
}

static void
put_escaped_byte(struct wsx_buf *out, unsigned char c, bool colour)
{
	char esc[8];

	snprintf(esc, sizeof(esc), "\\x%02x", c);
	put_colour(out, colour, RENDER_C_ESCAPE);
	put(out, esc);
	put_colour(out, colour, RENDER_C_RESET);
}

/*
 * Length of the character at s when it may go to a terminal as is, else 0:
 * C0 controls, DEL, C1 controls (U+0080..U+009F) and invalid UTF-8 are not.
 */
static size_t
render_safe_char(const unsigned char *s, size_t len)
{
	size_t n = wsx_utf8_char_len(s, len);

	if (n == 1 && (s[0] < 0x20 || s[0] == 0x7f))
		return 0;
	if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0;
	return n;
}

void
render_text(struct wsx_buf *out, const unsigned char *s, size_t len,
	    bool colour, const char *indent)
{
	size_t i = 0;

	while (i < len) {
		size_t n = render_safe_char(s + i, len - i);

		if (n) {
			put_n(out, s + i, n);
			i += n;
		} else if (s[i] == '\n') {
			put(out, "\n");
			put(out, indent);
			i++;
		} else if (s[i] == '\t') {
			put(out, "\t");
			i++;
		} else if (s[i] == 0xc2 && i + 1 < len && s[i + 1] < 0xa0 &&
			   s[i + 1] >= 0x80) {
			char esc[12];

			snprintf(esc, sizeof(esc), "\\u%04x", s[i + 1]);
			put_colour(out, colour, RENDER_C_ESCAPE);
			put(out, esc);
			put_colour(out, colour, RENDER_C_RESET);
			i += 2;
		} else {
			put_escaped_byte(out, s[i], colour);
			i++;
		}
	}
}

/* JSON re-indentation: walk the (already validated) text token by token. */
struct json_out {
	struct wsx_buf *out;
	bool colour;
	const char *indent;
	int depth;
};

static void
json_newline(struct json_out *j)
{
	put(j->out, "\n");
	put(j->out, j->indent);
	for (int i = 0; i < j->depth; i++)
		put(j->out, "  ");
}

/*
 * Whitespace as cJSON sees it: every byte up to and including space, NUL
 * too. Skipping less here than cJSON accepted would leave the walk facing a
 * byte it cannot place (and dropping it is right: it is layout, not data).
 */
static const char *
json_skip_ws(const char *p, const char *end)
{
	while (p < end && (unsigned char)*p <= ' ')
		p++;
	return p;
}

/* A string token from its opening quote; returns the byte after it. */
static const char *
json_string(struct json_out *j, const char *p, const char *end)
{
	const char *q = p + 1;
	const char *after;
	bool key;

	while (q < end && *q != '"')
		q += *q == '\\' ? 2 : 1;
	q++;
	after = json_skip_ws(q, end);
	key = after < end && *after == ':';
	put_colour(j->out, j->colour, key ? RENDER_C_KEY : RENDER_C_STRING);
	/* valid JSON strings hold no C0 controls; C1 ones are escaped */
	render_text(j->out, (const unsigned char *)p, (size_t)(q - p), false,
		    "");
	put_colour(j->out, j->colour, RENDER_C_RESET);
	return q;
}

static const char *
json_scalar(struct json_out *j, const char *p, const char *end)
{
	const char *q = p + 1; /* always past one byte: the walk must move */
	bool word = *p == 't' || *p == 'f' || *p == 'n';

	while (q < end && (unsigned char)*q > ' ' && !strchr(",]}:", *q))
		q++;
	put_colour(j->out, j->colour, word ? RENDER_C_WORD : RENDER_C_NUMBER);
	put_n(j->out, p, (size_t)(q - p));
	put_colour(j->out, j->colour, RENDER_C_RESET);
	return q;
}

static void
json_walk(struct json_out *j, const char *p, const char *end)
{
	while ((p = json_skip_ws(p, end)) < end) {
		switch (*p) {
		case '{':
		case '[': {
			const char *next = json_skip_ws(p + 1, end);

			put_n(j->out, p, 1);
			if (next < end && (*next == '}' || *next == ']')) {
				put_n(j->out, next, 1); /* {} and [] */
				p = next + 1;
				break;
			}
			j->depth++;
			json_newline(j);
			p++;
			break;
		}
		case '}':
		case ']':
			j->depth--;
			json_newline(j);
			put_n(j->out, p++, 1);
			break;
		case ',':
			put(j->out, ",");
			json_newline(j);
			p++;
			break;
		case ':':
			put(j->out, ": ");
			p++;
			break;
		case '"':
			p = json_string(j, p, end);
			break;
		default:
			p = json_scalar(j, p, end);
			break;
		}
	}
}

bool
render_json(struct wsx_buf *out, const char *s, size_t len, bool colour,
	    const char *indent)
{
	const char *start = json_skip_ws(s, s + len);
	struct json_out j = { out, colour, indent, 0 };
	const char *parsed_end = NULL;
	cJSON *doc;

	if (start == s + len || (*start != '{' && *start != '['))
		return false;
	doc = cJSON_ParseWithLengthOpts(s, len, &parsed_end, false);
	if (!doc)
		return false;
	cJSON_Delete(doc);
	if (json_skip_ws(parsed_end, s + len) != s + len)
		return false; /* something after the document */
	json_walk(&j, start, s + len);
	return true;
}

void
render_hexdump(struct wsx_buf *out, const unsigned char *d, size_t len,
	       const char *indent)
{
	char line[96];

	if (!len) {
		put(out, "(empty)");
		return;
	}
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		int o;

		if (off)
			put(out, "\n"), put(out, indent);
		o = snprintf(line, sizeof(line), "%08zx  ", off);
		for (size_t i = 0; i < 16; i++) {
			if (i < n)
				o += snprintf(line + o,
					      sizeof(line) - (size_t)o, "%02x ",
					      d[off + i]);
			else
				o += snprintf(line + o,
					      sizeof(line) - (size_t)o, "   ");
			if (i == 7)
				line[o++] = ' ';
		}
		line[o++] = '|';
		for (size_t i = 0; i < n; i++) {
			unsigned char c = d[off + i];

			line[o++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
		}
		line[o++] = '|';
		put_n(out, line, (size_t)o);
	}
}
