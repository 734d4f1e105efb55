/* JSON assertions; see jsonpath.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/jsonpath.h"
#include "util/xalloc.h"

enum jp_op {
	JP_EQ,
	JP_NE,
	JP_LT,
	JP_LE,
	JP_GT,
	JP_GE,
	JP_MATCH,
	JP_EXISTS,
};

struct jp_step {
	char *key; /* member name, or NULL for an index */
	long index;
};

struct jp_term {
	struct jp_step *steps;
	size_t n;
	enum jp_op op;
	cJSON *value;
	regex_t re;
	bool has_re;
};

struct wsx_jsonpath {
	struct jp_term *terms; /* all must hold */
	size_t n;
};

static const struct {
	const char *s;
	enum jp_op op;
} jp_ops[] = {
	/* longest first */
	{ "exists", JP_EXISTS }, { "==", JP_EQ },   { "!=", JP_NE },
	{ "<=", JP_LE },	 { ">=", JP_GE },   { "<", JP_LT },
	{ ">", JP_GT },		 { "~", JP_MATCH },
};

static void
jp_add(struct jp_term *jp, char *key, long index)
{
	jp->steps = xrealloc(jp->steps, (jp->n + 1) * sizeof(*jp->steps));
	jp->steps[jp->n].key = key;
	jp->steps[jp->n].index = index;
	jp->n++;
}

static int
jp_bad(struct wsx_err *err, const char *expr, const char *what)
{
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "--expect-json: '%.80s': %s (want PATH OP VALUE, "
			   "e.g. '.type == \"ack\"')",
			   expr, what);
}

static bool
jp_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* A "quoted" key inside brackets, JSON string rules; *p is at the quote. */
static char *
jp_quoted(const char **p)
{
	const char *s = *p + 1;
	char *buf, *json;
	cJSON *str;

	while (*s && *s != '"')
		s += *s == '\\' && s[1] ? 2 : 1;
	if (*s != '"')
		return NULL;
	json = xstrndup(*p, (size_t)(s - *p + 1));
	str = cJSON_Parse(json);
	free(json);
	if (!cJSON_IsString(str)) {
		cJSON_Delete(str);
		return NULL;
	}
	buf = xstrdup(str->valuestring);
	cJSON_Delete(str);
	*p = s + 1;
	return buf;
}

/* The path at *p, up to what is not a path (a blank, the operator). */
static int
jp_parse_path(struct jp_term *jp, const char **p, const char *expr,
	      struct wsx_err *err)
{
	const char *s = *p;

	if (*s != '.' && *s != '[')
		return jp_bad(err, expr, "the path starts with '.'");
	if (*s == '.' && s[1] != '[' && !jp_name_char(s[1])) {
		*p = s + 1;
		return 0; /* "." : the whole document */
	}
	while (*s && !isspace((unsigned char)*s)) {
		if (*s == '.') {
			const char *b = ++s;

			while (jp_name_char(*s))
				s++;
			if (s == b) {
				if (*s == '[')
					continue; /* ".[0]" reads as "[0]" */
				return jp_bad(err, expr,
					      "a '.' wants a name after it");
			}
			jp_add(jp, xstrndup(b, (size_t)(s - b)), 0);
		} else if (*s == '[') {
			s++;
			if (*s == '"') {
				char *key = jp_quoted(&s);

				if (!key)
					return jp_bad(err, expr,
						      "a bad quoted key");
				jp_add(jp, key, 0);
			} else {
				char *end;
				long i;

				errno = 0;
				i = strtol(s, &end, 10);
				if (end == s || errno ||
				    (!isdigit((unsigned char)*s) && *s != '-'))
					return jp_bad(err, expr,
						      "'[' wants an index or "
						      "a quoted key");
				jp_add(jp, NULL, i);
				s = end;
			}
			if (*s++ != ']')
				return jp_bad(err, expr, "a '[' without ']'");
		} else {
			break; /* the operator, written without a blank */
		}
	}
	*p = s;
	return 0;
}

/* One JSON value and nothing after it but blanks (cJSON takes trailing
 * bytes, and wants a NUL at the end when told not to). */
static cJSON *
jp_parse(const char *text, size_t len)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, false);

	if (!v)
		return NULL;
	for (; end && end < text + len; end++) {
		if (!isspace((unsigned char)*end)) {
			cJSON_Delete(v);
			return NULL;
		}
	}
	return v;
}

/* The JSON value at *p, up to "&&" or the end. */
static cJSON *
jp_parse_value(const char **p)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(*p, &end, false);

	if (!v || !end)
		return v;
	while (isspace((unsigned char)*end))
		end++;
	if (*end && strncmp(end, "&&", 2)) {
		cJSON_Delete(v);
		return NULL;
	}
	*p = end;
	return v;
}

static void
jp_term_release(struct jp_term *jp)
{
	for (size_t i = 0; i < jp->n; i++)
		free(jp->steps[i].key);
	free(jp->steps);
	cJSON_Delete(jp->value);
	if (jp->has_re)
		regfree(&jp->re);
}

/* One PATH OP VALUE at *p, up to "&&" or the end. */
static int
jp_term_parse(struct jp_term *jp, const char **pp, const char *expr,
	      struct wsx_err *err)
{
	const char *p = *pp;
	size_t i, len = 0;
	int rc;

	while (isspace((unsigned char)*p))
		p++;
	if (jp_parse_path(jp, &p, expr, err))
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	for (i = 0; i < sizeof(jp_ops) / sizeof(jp_ops[0]); i++) {
		len = strlen(jp_ops[i].s);
		if (!strncmp(p, jp_ops[i].s, len))
			break;
	}
	if (i == sizeof(jp_ops) / sizeof(jp_ops[0]))
		return jp_bad(err, expr,
			      *p ? "the operator is one of == != < <= > >= ~ "
				   "exists"
				 : "an operator is missing");
	jp->op = jp_ops[i].op;
	p += len;
	while (isspace((unsigned char)*p))
		p++;
	if (jp->op == JP_EXISTS) {
		if (*p && strncmp(p, "&&", 2))
			return jp_bad(err, expr, "'exists' takes no value");
		*pp = p;
		return 0;
	}
	if (!*p || !strncmp(p, "&&", 2))
		return jp_bad(err, expr, "a value is missing");
	jp->value = jp_parse_value(&p);
	if (!jp->value)
		return jp_bad(err, expr,
			      "the value is not JSON (a string needs double "
			      "quotes; tests join with &&)");
	switch (jp->op) {
	case JP_MATCH:
		if (!cJSON_IsString(jp->value))
			return jp_bad(err, expr,
				      "'~' wants a \"regex\" string");
		rc = regcomp(&jp->re, jp->value->valuestring,
			     REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];

			regerror(rc, &jp->re, msg, sizeof(msg));
			return jp_bad(err, expr, msg);
		}
		jp->has_re = true;
		break;
	case JP_LT:
	case JP_LE:
	case JP_GT:
	case JP_GE:
		if (!cJSON_IsNumber(jp->value) && !cJSON_IsString(jp->value))
			return jp_bad(err, expr,
				      "< <= > >= compare numbers or strings");
		break;
	default:
		break;
	}
	*pp = p;
	return 0;
}

struct wsx_jsonpath *
wsx_jsonpath_new(const char *expr, struct wsx_err *err)
{
	struct wsx_jsonpath *jp = xcalloc(1, sizeof(*jp));
	const char *p = expr;

	for (;;) {
		jp->terms =
			xrealloc(jp->terms, (jp->n + 1) * sizeof(*jp->terms));
		memset(&jp->terms[jp->n], 0, sizeof(*jp->terms));
		jp->n++;
		if (jp_term_parse(&jp->terms[jp->n - 1], &p, expr, err)) {
			wsx_jsonpath_free(jp);
			return NULL;
		}
		if (!*p)
			return jp;
		p += 2; /* "&&" */
	}
}

void
wsx_jsonpath_free(struct wsx_jsonpath *jp)
{
	if (!jp)
		return;
	for (size_t i = 0; i < jp->n; i++)
		jp_term_release(&jp->terms[i]);
	free(jp->terms);
	free(jp);
}

static const cJSON *
jp_find(const struct jp_term *jp, const cJSON *node)
{
	for (size_t i = 0; node && i < jp->n; i++) {
		const struct jp_step *st = &jp->steps[i];

		if (st->key) {
			node = cJSON_IsObject(node)
				       ? cJSON_GetObjectItemCaseSensitive(
						 node, st->key)
				       : NULL;
		} else if (cJSON_IsArray(node)) {
			long n = cJSON_GetArraySize(node);
			long idx = st->index < 0 ? n + st->index : st->index;

			node = idx >= 0 && idx < n
				       ? cJSON_GetArrayItem(node, (int)idx)
				       : NULL;
		} else {
			node = NULL;
		}
	}
	return node;
}

/* -2: not comparable; else <0, 0, >0 */
static int
jp_compare(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return (a->valuedouble > b->valuedouble) -
		       (a->valuedouble < b->valuedouble);
	if (cJSON_IsString(a) && cJSON_IsString(b)) {
		int c = strcmp(a->valuestring, b->valuestring);

		return (c > 0) - (c < 0);
	}
	return -2;
}

static bool
jp_term_match(const struct jp_term *jp, const cJSON *doc)
{
	const cJSON *node = jp_find(jp, doc);
	int c;

	if (!node)
		return false;
	switch (jp->op) {
	case JP_EXISTS:
		return true;
	case JP_EQ:
		return cJSON_Compare(node, jp->value, true);
	case JP_NE:
		return !cJSON_Compare(node, jp->value, true);
	case JP_MATCH:
		return cJSON_IsString(node) &&
		       !regexec(&jp->re, node->valuestring, 0, NULL, 0);
	default:
		break;
	}
	c = jp_compare(node, jp->value);
	if (c == -2)
		return false;
	switch (jp->op) {
	case JP_LT:
		return c < 0;
	case JP_LE:
		return c <= 0;
	case JP_GT:
		return c > 0;
	case JP_GE:
		return c >= 0;
	default:
		return false;
	}
}

bool
wsx_jsonpath_match(const struct wsx_jsonpath *jp, const cJSON *doc)
{
	if (!doc)
		return false;
	for (size_t i = 0; i < jp->n; i++)
		if (!jp_term_match(&jp->terms[i], doc))
			return false;
	return true;
}

bool
wsx_jsonpath_match_text(const struct wsx_jsonpath *jp, const char *text,
			size_t len)
{
	cJSON *doc = jp_parse(text, len);
	bool m = wsx_jsonpath_match(jp, doc);

	cJSON_Delete(doc);
	return m;
}
