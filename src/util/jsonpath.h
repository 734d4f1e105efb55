/*
 * JSON assertions for pipe's --expect-json: "PATH OP VALUE" parsed once,
 * then checked against documents parsed with cJSON. Several tests joined
 * with "&&" must all hold for the same document.
 *
 * PATH is "." (the whole document) or a chain of ".name", "[N]" (an array
 * index, negative from the end) and "[\"any key\"]": ".items[0].id".
 * A name is letters, digits, "_" and "-"; other keys go in brackets.
 * OP is ==, !=, <, <=, >, >=, ~ (the string matches the POSIX extended
 * regular expression VALUE) or "exists" (no VALUE). VALUE is JSON: a
 * string in double quotes, a number, true, false, null (== and != also
 * take arrays and objects). A path that leads nowhere matches nothing but
 * "exists" is false for it; < <= > >= compare numbers with numbers and
 * strings with strings (bytewise), other pairs do not match.
 */
#ifndef WSX_UTIL_JSONPATH_H
#define WSX_UTIL_JSONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct cJSON;
struct wsx_jsonpath;

/* Parse "PATH OP VALUE"; NULL with err (exit 2) naming what is wrong. */
struct wsx_jsonpath *wsx_jsonpath_new(const char *expr, struct wsx_err *err);
void wsx_jsonpath_free(struct wsx_jsonpath *jp);
/* Whether doc (a parsed document; NULL: not JSON) satisfies it. */
bool wsx_jsonpath_match(const struct wsx_jsonpath *jp, const struct cJSON *doc);
/* The same for a message's bytes: false when they are not JSON. */
bool wsx_jsonpath_match_text(const struct wsx_jsonpath *jp, const char *text,
			     size_t len);

#endif
