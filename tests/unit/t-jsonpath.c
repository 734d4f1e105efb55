#include "config.h"
/* util/jsonpath: --expect-json's PATH OP VALUE, parsed and matched. */

#include <string.h>

#include "tap.h"
#include "util/jsonpath.h"

static const char doc[] =
	"{\"type\":\"ack\",\"n\":5,\"ok\":true,\"none\":null,"
	"\"items\":[{\"id\":3},{\"id\":7,\"tags\":[\"a\",\"b\"]}],"
	"\"a\":{\"b\":[10,20,30]},\"odd key\":\"x y\",\"msg\":\"hello world\"}";

static void
check(const char *expr, const char *json, bool want)
{
	struct wsx_err err = { 0, "" };
	struct wsx_jsonpath *jp = wsx_jsonpath_new(expr, &err);

	if (!ok(jp != NULL, "'%s' parses", expr)) {
		diag("error: %s", err.msg);
		return;
	}
	ok(wsx_jsonpath_match_text(jp, json, strlen(json)) == want,
	   "'%s' %s %.40s", expr, want ? "matches" : "does not match", json);
	wsx_jsonpath_free(jp);
}

static void
bad(const char *expr, const char *mention)
{
	struct wsx_err err = { 0, "" };
	struct wsx_jsonpath *jp = wsx_jsonpath_new(expr, &err);

	ok(jp == NULL, "'%s' is refused", expr);
	is_int(err.code, 2, "'%s': a usage error", expr);
	if (!ok(strstr(err.msg, mention) != NULL, "'%s': says '%s'", expr,
		mention))
		diag("message: %s", err.msg);
	wsx_jsonpath_free(jp);
}

int
main(void)
{
	/* == and != on every kind of value */
	check(".type == \"ack\"", doc, true);
	check(".type == \"nak\"", doc, false);
	check(".type != \"nak\"", doc, true);
	check(".type != \"ack\"", doc, false);
	check(".n == 5", doc, true);
	check(".n == 5.0", doc, true);
	check(".n == \"5\"", doc, false);
	check(".ok == true", doc, true);
	check(".ok == false", doc, false);
	check(".none == null", doc, true);
	check(".a.b == [10,20,30]", doc, true);
	check(". == {\"x\":1}", "{\"x\":1}", true);
	/* ordering: numbers with numbers, strings with strings */
	check(".n > 3", doc, true);
	check(".n > 5", doc, false);
	check(".n >= 5", doc, true);
	check(".n < 5", doc, false);
	check(".n <= 5", doc, true);
	check(".n < 6", doc, true);
	check(".type < \"b\"", doc, true);
	check(".type > \"b\"", doc, false);
	check(".type > 3", doc, false);
	/* nested paths, indexes from either end, quoted keys */
	check(".items[0].id == 3", doc, true);
	check(".items[1].id > 3", doc, true);
	check(".items[0].id > 3", doc, false);
	check(".items[-1].tags[1] == \"b\"", doc, true);
	check(".items[2].id exists", doc, false);
	check(".a.b[2] == 30", doc, true);
	check(".a[\"b\"][0] == 10", doc, true);
	check("[\"odd key\"] == \"x y\"", doc, true);
	check(".items.[1].id == 7", doc, true);
	check("[0] == 1", "[1,2]", true);
	/* ~ and exists */
	check(".msg ~ \"^hello w\"", doc, true);
	check(".msg ~ \"^world\"", doc, false);
	check(".n ~ \"5\"", doc, false);
	check(".none exists", doc, true);
	check(".missing exists", doc, false);
	check(". exists", doc, true);
	/* what leads nowhere or is not JSON matches nothing */
	check(".missing != 1", doc, false);
	check(".type.x == 1", doc, false);
	check(".type == \"ack\"", "not json", false);
	check(".type == \"ack\"", "{\"type\":\"ack\"", false);
	check(". == 3", "3", true);
	/* && joins tests on the same document */
	check(".type == \"ack\" && .items[1].id > 3", doc, true);
	check(".type == \"ack\" && .n > 5", doc, false);
	check(".ok exists && .none == null&&.n==5", doc, true);
	check(".missing exists && .n == 5", doc, false);
	/* refusals */
	bad("type == 1", "starts with '.'");
	bad(".type", "operator is missing");
	bad(".type = 1", "operator");
	bad(".type == ack", "not JSON");
	bad(".type ==", "value is missing");
	bad(".type exists 1", "takes no value");
	bad(".a[x] == 1", "'[' wants an index");
	bad(".a[0 == 1", "without ']'");
	bad(".n < true", "compare numbers or strings");
	bad(".msg ~ 3", "\"regex\" string");
	bad(".msg ~ \"(\"", ".msg");
	bad(". == 1 2", "not JSON");
	bad(".a == 1 &&", "starts with '.'");
	bad(".a == && .b == 1", "value is missing");
	return done_testing();
}
