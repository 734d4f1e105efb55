#include "config.h"
/* util/closecode: every close code has its RFC 6455 / IANA name, and a
 * close is told in one sentence. */

#include "tap.h"
#include "util/closecode.h"

int
main(void)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ 1000, "normal" },
		{ 1001, "going away" },
		{ 1002, "protocol error" },
		{ 1003, "unsupported data" },
		{ 1004, "reserved" },
		{ 1005, "no status" },
		{ 1006, "abnormal" },
		{ 1007, "invalid data" },
		{ 1008, "policy violation" },
		{ 1009, "message too big" },
		{ 1010, "extension required" },
		{ 1011, "internal error" },
		{ 1012, "service restart" },
		{ 1013, "try again later" },
		{ 1014, "bad gateway" },
		{ 1015, "TLS handshake failure" },
		{ 1016, "reserved" },
		{ 2999, "reserved" },
		{ 3000, "registered" },
		{ 3999, "registered" },
		{ 4000, "private use" },
		{ 4999, "private use" },
		{ 999, "invalid" },
		{ 5000, "invalid" },
		{ 0, "invalid" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		is_str(wsx_close_code_name(names[i].code), names[i].name,
		       "%d is \"%s\"", names[i].code, names[i].name);

	wsx_close_describe(buf, sizeof(buf), "the server", 1001, "bye");
	is_str(buf, "the server closed the connection: 1001 going away 'bye'",
	       "who, code, name and reason");
	wsx_close_describe(buf, sizeof(buf), "the client", 1000, "");
	is_str(buf, "the client closed the connection: 1000 normal",
	       "no reason: no quotes");
	wsx_close_describe(buf, sizeof(buf), "wsx", 4001, NULL);
	is_str(buf, "wsx closed the connection: 4001 private use",
	       "a NULL reason is no reason");
	wsx_close_describe(buf, sizeof(buf), "the server", 1006, "x");
	is_str(buf, "the connection closed: 1006 abnormal, no close frame",
	       "1006: nobody closed it");
	wsx_close_describe(buf, 16, "the server", 1000, "");
	is_str(buf, "the server clos", "cut to the buffer, still a string");
	return done_testing();
}
