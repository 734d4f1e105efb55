#include "config.h"
/* check/report: which cases --case and --skip select, JUnit escaping, and
 * every case in the table well formed. */

#include <string.h>

#include "check/conn.h"
#include "check/report.h"
#include "tap.h"

static const struct chk_case k62 = { "6.2.11", "utf8", "8.1", false, "d",
				     NULL,     NULL,   0,     0 };
static const struct chk_case k1 = { "1.1.3", "framing", "5.2", true, "d",
				    NULL,    NULL,	0,     0 };

int
main(void)
{
	const char *c6[] = { "6" }, *c62[] = { "6.2" }, *g[] = { "utf8" };
	const char *glob[] = { "6.2.1*" }, *two[] = { "1.1.3", "6.2.11" };
	char out[64];

	ok(chk_match("6.2.11", "6.2.11", "utf8"), "an id matches itself");
	ok(chk_match("6", "6.2.11", "utf8"), "a group number is an id prefix");
	ok(chk_match("6.2", "6.2.11", "utf8"), "a dotted prefix too");
	ok(!chk_match("6.2.1", "6.2.11", "utf8"),
	   "a prefix is whole parts: 6.2.1 is not 6.2.11");
	ok(chk_match("6.2.1*", "6.2.11", "utf8"), "a glob matches");
	ok(chk_match("utf8", "6.2.11", "utf8"), "a group name matches");
	ok(!chk_match("utf", "6.2.11", "utf8"),
	   "part of a group name does not");

	ok(chk_selected(&k62, NULL, 0, NULL, 0), "no --case: every case");
	ok(chk_selected(&k62, c6, 1, NULL, 0), "--case 6 selects 6.2.11");
	ok(!chk_selected(&k1, c6, 1, NULL, 0), "--case 6 leaves out 1.1.3");
	ok(!chk_selected(&k62, g, 1, c62, 1), "--skip wins over --case");
	ok(!chk_selected(&k62, NULL, 0, glob, 1), "--skip alone leaves out");
	ok(chk_selected(&k1, two, 2, NULL, 0) &&
		   chk_selected(&k62, two, 2, NULL, 0),
	   "any of several --case selects");

	chk_xml_escape(out, sizeof(out), "a<b>&\"c'\x01");
	is_str(out, "a&lt;b&gt;&amp;&quot;c&apos;?",
	       "XML escapes and no controls");
	chk_xml_escape(out, 8, "&&&");
	is_str(out, "&amp;", "escaping stops before an entity would be cut");

	{
		const char *head = "HTTP/1.1 426 Upgrade Required\r\n"
				   "sec-websocket-version:  13\r\n"
				   "Upgrade: websocket\r\n\r\n";
		char v[8];

		ok(chk_http_header(head, "Sec-WebSocket-Version", v,
				   sizeof(v)) &&
			   !strcmp(v, "13"),
		   "a header is found whatever its case, its value trimmed");
		ok(!chk_http_header(head, "HTTP/1.1 426 Upgrade Required", v,
				    sizeof(v)),
		   "the status line is not a header");
		ok(!chk_http_header(head, "Upgrade-Insecure", v, sizeof(v)),
		   "a longer name does not match a shorter header");
		ok(!chk_http_header(head, "Connection", v, sizeof(v)),
		   "an absent header is NULL");
	}

	for (size_t i = 0; i < chk_ncases; i++) {
		const struct chk_case *k = &chk_cases[i];

		if (!k->id || !k->group || !k->section || !k->desc || !k->run)
			ok(0, "case %zu is complete", i);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(chk_cases[j].id, k->id))
				ok(0, "case id %s is unique", k->id);
	}
	ok(chk_ncases > 100, "the table has its %zu cases", chk_ncases);
	return done_testing();
}
