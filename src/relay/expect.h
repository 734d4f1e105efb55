/*
 * What pipe expects and does, step by step: the --expect and --expect-json
 * options in order, or the lines of a --script file (send, expect,
 * expect-json, sleep, ping, close). Parsing and matching only; the
 * expect endpoint (ep_expect.h) runs them.
 */
#ifndef WSX_RELAY_EXPECT_H
#define WSX_RELAY_EXPECT_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/jsonpath.h"
#include "util/msg.h"

enum wsx_step_kind {
	WSX_STEP_SEND,
	WSX_STEP_SEND_BINARY,
	WSX_STEP_EXPECT,
	WSX_STEP_EXPECT_JSON,
	WSX_STEP_SLEEP,
	WSX_STEP_PING,
	WSX_STEP_CLOSE,
};

struct wsx_step {
	enum wsx_step_kind kind;
	char *text; /* as given: the regex, the JSON test, the close reason */
	unsigned char *data; /* send: the message */
	size_t len;
	regex_t re; /* expect */
	bool has_re;
	struct wsx_jsonpath *jp; /* expect-json */
	uint64_t usec;		 /* sleep */
	int code;		 /* close: 0 for 1000 */
	unsigned line;		 /* in the script; 0 for an option */
};

struct wsx_script {
	struct wsx_step *steps;
	size_t n;
	char *file; /* the --script FILE, else NULL */
};

void wsx_script_init(struct wsx_script *s);
void wsx_script_release(struct wsx_script *s);
/* --expect REGEX, --expect-json 'PATH OP VALUE': -1 with err (exit 2). */
int wsx_script_add_expect(struct wsx_script *s, const char *regex,
			  struct wsx_err *err);
int wsx_script_add_expect_json(struct wsx_script *s, const char *test,
			       struct wsx_err *err);
/* Read a script ("-" is stdin); a bad line is -1 with err (exit 2)
 * naming FILE:LINE. */
int wsx_script_load(struct wsx_script *s, const char *path,
		    struct wsx_err *err);
/* Expectations among the steps. */
size_t wsx_script_expectations(const struct wsx_script *s);
/* Whether m meets an expect or expect-json step. */
bool wsx_step_matches(const struct wsx_step *st, const struct wsx_msg *m);
/* "--expect 'ack'" or "t.script:3: expect 'ack'", for messages. */
void wsx_step_describe(const struct wsx_step *st, const struct wsx_script *s,
		       char *out, size_t outsz);

/* The last messages received, printable and cut short, for a report. */
#define WSX_RECENT_N   5
#define WSX_RECENT_MAX 200

struct wsx_recent {
	char line[WSX_RECENT_N][WSX_RECENT_MAX * 4 + 64];
	size_t next, count;
};

void wsx_recent_add(struct wsx_recent *r, const struct wsx_msg *m);
/* "  text 'ack 1'\n" lines, oldest first, or "  (none)\n". */
void wsx_recent_format(const struct wsx_recent *r, char *out, size_t outsz);

#endif
