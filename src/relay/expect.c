/* Expectations and scripts; see expect.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/expect.h"
#include "ws/proto.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/utf8.h"
#include "util/xalloc.h"

void
wsx_script_init(struct wsx_script *s)
{
	memset(s, 0, sizeof(*s));
}

void
wsx_script_release(struct wsx_script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct wsx_step *st = &s->steps[i];

		free(st->text);
		free(st->data);
		if (st->has_re)
			regfree(&st->re);
		wsx_jsonpath_free(st->jp);
	}
	free(s->steps);
	free(s->file);
	wsx_script_init(s);
}

static struct wsx_step *
script_push(struct wsx_script *s, enum wsx_step_kind kind, unsigned line)
{
	struct wsx_step *st;

	s->steps = xrealloc(s->steps, (s->n + 1) * sizeof(*s->steps));
	st = &s->steps[s->n++];
	memset(st, 0, sizeof(*st));
	st->kind = kind;
	st->line = line;
	return st;
}

/* The step just pushed failed to parse: take it back. */
static void
script_pop(struct wsx_script *s)
{
	struct wsx_step *st = &s->steps[--s->n];

	free(st->text);
	free(st->data);
}

static int
step_regex(struct wsx_step *st, const char *regex, const char *what,
	   struct wsx_err *err)
{
	int rc = regcomp(&st->re, regex, REG_EXTENDED | REG_NOSUB);
	char msg[128];

	if (rc) {
		regerror(rc, &st->re, msg, sizeof(msg));
		return wsx_err_set(err, WSX_EXIT_USAGE, "%s'%.80s': %s", what,
				   regex, msg);
	}
	st->has_re = true;
	st->text = xstrdup(regex);
	return 0;
}

int
wsx_script_add_expect(struct wsx_script *s, const char *regex,
		      struct wsx_err *err)
{
	struct wsx_step *st = script_push(s, WSX_STEP_EXPECT, 0);

	if (step_regex(st, regex, "--expect: ", err)) {
		script_pop(s);
		return -1;
	}
	return 0;
}

int
wsx_script_add_expect_json(struct wsx_script *s, const char *test,
			   struct wsx_err *err)
{
	struct wsx_step *st = script_push(s, WSX_STEP_EXPECT_JSON, 0);

	st->jp = wsx_jsonpath_new(test, err);
	if (!st->jp) {
		script_pop(s);
		return -1;
	}
	st->text = xstrdup(test);
	return 0;
}

#define SCRIPT_COMMANDS                                                        \
	"send, send-binary, expect, expect-json, sleep, ping, close"

/* One line without its newline: a step, or nothing for a blank or a
 * comment. The error, if any, is the line's message without FILE:LINE. */
static int
script_line(struct wsx_script *s, char *p, unsigned line, struct wsx_err *err)
{
	struct wsx_step *st;
	char *word = p, *arg;
	size_t wlen;

	while (*word == ' ' || *word == '\t')
		word++;
	if (!*word || *word == '#')
		return 0;
	wlen = strcspn(word, " \t");
	arg = word + wlen;
	if (*arg)
		*arg++ = '\0'; /* the rest: after one blank, as written */
#define IS(w) (!strcmp(word, w))
	if (IS("send")) {
		if (!wsx_utf8_valid(arg, strlen(arg)))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "send: the text is not valid UTF-8");
		st = script_push(s, WSX_STEP_SEND, line);
		st->len = strlen(arg);
		st->data = (unsigned char *)xstrdup(arg);
		return 0;
	}
	if (IS("send-binary")) {
		unsigned char *d = xmalloc(strlen(arg) / 2 + 1);
		size_t n = 0;
		int hi, lo;

		for (char *q = arg; *q;) {
			if (isspace((unsigned char)*q)) {
				q++;
				continue;
			}
			hi = wsx_hex_digit((unsigned char)q[0]);
			lo = q[1] ? wsx_hex_digit((unsigned char)q[1]) : -1;
			if (hi < 0 || lo < 0) {
				free(d);
				return wsx_err_set(err, WSX_EXIT_USAGE,
						   "send-binary: '%.40s' is "
						   "not hex bytes",
						   arg);
			}
			d[n++] = (unsigned char)(hi << 4 | lo);
			q += 2;
		}
		st = script_push(s, WSX_STEP_SEND_BINARY, line);
		st->data = d;
		st->len = n;
		return 0;
	}
	if (IS("expect")) {
		if (!*arg)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "expect: a regular expression is "
					   "missing");
		st = script_push(s, WSX_STEP_EXPECT, line);
		if (step_regex(st, arg, "expect: ", err)) {
			script_pop(s);
			return -1;
		}
		return 0;
	}
	if (IS("expect-json")) {
		st = script_push(s, WSX_STEP_EXPECT_JSON, line);
		st->jp = wsx_jsonpath_new(arg, err);
		if (!st->jp) {
			script_pop(s);
			return -1;
		}
		st->text = xstrdup(arg);
		return 0;
	}
	if (IS("sleep")) {
		uint64_t us;

		if (wsx_parse_secs("sleep", arg, &us, err))
			return -1;
		st = script_push(s, WSX_STEP_SLEEP, line);
		st->usec = us;
		return 0;
	}
	if (IS("ping")) {
		if (*arg)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "ping takes nothing after it");
		script_push(s, WSX_STEP_PING, line);
		return 0;
	}
	if (IS("close")) {
		char *end;
		long code = 1000;

		if (*arg) {
			errno = 0;
			code = strtol(arg, &end, 10);
			if (end == arg || errno || (*end && *end != ' ') ||
			    (code < 0 || code > 65535 ||
			     !ws_close_code_valid((int)code)))
				return wsx_err_set(
					err, WSX_EXIT_USAGE,
					"close: '%.20s' is not a close code "
					"(1000-1003, 1007-1014, 3000-4999)",
					arg);
			arg = *end ? end + 1 : end;
			if (strlen(arg) > 123)
				return wsx_err_set(err, WSX_EXIT_USAGE,
						   "close: the reason is "
						   "longer than 123 bytes");
		}
		st = script_push(s, WSX_STEP_CLOSE, line);
		st->code = (int)code;
		st->text = xstrdup(arg);
		return 0;
	}
#undef IS
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "'%.40s' is not a command (" SCRIPT_COMMANDS ")",
			   word);
}

int
wsx_script_load(struct wsx_script *s, const char *path, struct wsx_err *err)
{
	bool is_stdin = !strcmp(path, "-");
	FILE *f = is_stdin ? stdin : fopen(path, "r");
	struct wsx_err lerr;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned line = 0;
	int rc = 0;

	if (!f)
		return wsx_err_set(err, WSX_EXIT_USAGE, "--script: '%s': %s",
				   path, strerror(errno));
	free(s->file);
	s->file = xstrdup(is_stdin ? "stdin" : path);
	while ((n = getline(&buf, &cap, f)) >= 0) {
		line++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (strlen(buf) != (size_t)n) {
			rc = wsx_err_set(err, WSX_EXIT_USAGE,
					 "%s:%u: a NUL byte in the line",
					 s->file, line);
			break;
		}
		if (script_line(s, buf, line, &lerr)) {
			rc = wsx_err_set(err, WSX_EXIT_USAGE, "%s:%u: %s",
					 s->file, line, lerr.msg);
			break;
		}
	}
	if (!rc && ferror(f))
		rc = wsx_err_set(err, WSX_EXIT_USAGE, "--script: '%s': %s",
				 path, strerror(errno));
	free(buf);
	if (!is_stdin)
		fclose(f);
	return rc;
}

size_t
wsx_script_expectations(const struct wsx_script *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += s->steps[i].kind == WSX_STEP_EXPECT ||
		     s->steps[i].kind == WSX_STEP_EXPECT_JSON;
	return n;
}

bool
wsx_step_matches(const struct wsx_step *st, const struct wsx_msg *m)
{
	char *copy;
	bool ok;

	if (st->kind == WSX_STEP_EXPECT_JSON)
		return wsx_jsonpath_match_text(st->jp, (const char *)m->data,
					       m->len);
	if (st->kind != WSX_STEP_EXPECT)
		return false;
	/* regexec wants a C string: a NUL byte in the message reads as a
	 * newline (which "." matches: no REG_NEWLINE) */
	copy = xmalloc(m->len + 1);
	for (size_t i = 0; i < m->len; i++)
		copy[i] = m->data[i] ? (char)m->data[i] : '\n';
	copy[m->len] = '\0';
	ok = !regexec(&st->re, copy, 0, NULL, 0);
	free(copy);
	return ok;
}

void
wsx_step_describe(const struct wsx_step *st, const struct wsx_script *s,
		  char *out, size_t outsz)
{
	char text[256];

	wsx_printable(text, sizeof(text), st->text, strlen(st->text));
	if (st->line)
		snprintf(out, outsz, "%s:%u: %s '%s'", s->file, st->line,
			 st->kind == WSX_STEP_EXPECT ? "expect" : "expect-json",
			 text);
	else
		snprintf(out, outsz, "--%s '%s'",
			 st->kind == WSX_STEP_EXPECT ? "expect" : "expect-json",
			 text);
}

void
wsx_recent_add(struct wsx_recent *r, const struct wsx_msg *m)
{
	char text[WSX_RECENT_MAX * 4 + 1];
	size_t n = m->len < WSX_RECENT_MAX ? m->len : WSX_RECENT_MAX;

	wsx_printable(text, sizeof(text), m->data, n);
	snprintf(r->line[r->next], sizeof(r->line[0]), "  %s (%zu bytes): %s%s",
		 m->type == WSX_MSG_TEXT ? "text" : "binary", m->len, text,
		 n < m->len ? "..." : "");
	r->next = (r->next + 1) % WSX_RECENT_N;
	if (r->count < WSX_RECENT_N)
		r->count++;
}

void
wsx_recent_format(const struct wsx_recent *r, char *out, size_t outsz)
{
	size_t o = 0,
	       first = (r->next + WSX_RECENT_N - r->count) % WSX_RECENT_N;

	out[0] = '\0';
	if (!r->count) {
		snprintf(out, outsz, "  (none)\n");
		return;
	}
	for (size_t i = 0; i < r->count && o < outsz; i++) {
		int w = snprintf(out + o, outsz - o, "%s\n",
				 r->line[(first + i) % WSX_RECENT_N]);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}
