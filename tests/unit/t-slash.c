#include "config.h"
/* term/slash: what each typed line asks for, and the refusals. */

#include <string.h>

#include "tap.h"
#include "term/slash.h"

static void
bad(const char *line, const char *mention)
{
	struct slash_cmd c;

	is_int(slash_parse(line, &c), SLASH_ERROR, "'%s' is refused", line);
	if (!ok(strstr(c.msg, mention) != NULL, "'%s': message says '%s'", line,
		mention))
		diag("message: %s", c.msg);
	ok(!strchr(c.msg, '\n'), "'%s': one line", line);
	slash_cmd_release(&c);
}

int
main(void)
{
	struct slash_cmd c;

	is_int(slash_parse("hello", &c), SLASH_SEND, "a line is sent");
	is_str(c.text, "hello", "as typed");
	is_int(slash_parse("//etc/passwd", &c), SLASH_SEND, "// sends /");
	is_str(c.text, "/etc/passwd", "with one slash dropped");
	is_int(slash_parse("", &c), SLASH_SEND, "an empty line is sent");
	is_int(slash_parse("/ping", &c), SLASH_PING, "/ping");
	is_size(c.len, 0, "without data");
	is_int(slash_parse("/ping hello there", &c), SLASH_PING, "/ping DATA");
	is_str(c.text, "hello there", "data is the rest of the line");
	is_int(slash_parse("/pong x", &c), SLASH_PONG, "/pong DATA");
	is_int(slash_parse("/close", &c), SLASH_CLOSE, "/close");
	is_int(c.code, 1000, "defaults to 1000");
	is_int(slash_parse("/close 4000 bye now", &c), SLASH_CLOSE,
	       "/close CODE REASON");
	is_int(c.code, 4000, "code");
	is_str(c.text, "bye now", "reason");
	is_int(slash_parse("/binary 48 65:6C 0x6c6f", &c), SLASH_BINARY,
	       "/binary HEX");
	is_mem(c.bytes, c.n_bytes, "Hello", 5, "hex with separators decoded");
	slash_cmd_release(&c);
	is_int(slash_parse("/file ~/x.bin", &c), SLASH_FILE, "/file PATH");
	is_str(c.text, "~/x.bin", "path as typed");
	slash_cmd_release(&c);
	is_int(slash_parse("/file f.txt \t ", &c), SLASH_FILE, "/file PATH ");
	is_str(c.text, "f.txt", "trailing blanks (a completion's space) dropped");
	slash_cmd_release(&c);
	is_int(slash_parse("/json", &c), SLASH_JSON, "/json");
	is_int(c.toggle, -1, "flips");
	is_int(slash_parse("/hex off", &c), SLASH_HEX, "/hex off");
	is_int(c.toggle, 0, "off");
	is_int(slash_parse("/quiet on", &c), SLASH_QUIET, "/quiet on");
	is_int(c.toggle, 1, "on");
	is_int(slash_parse("/timestamps", &c), SLASH_TIMESTAMPS, "/timestamps");
	is_int(slash_parse("/help", &c), SLASH_HELP, "/help");

	bad("/bogus", "unknown command '/bogus'");
	bad("/", "unknown command");
	bad("/pin", "unknown command '/pin'");
	bad("/binary zz", "bad hex");
	bad("/binary 4", "bad hex at the end");
	bad("/binary", "give the bytes in hex");
	bad("/close 1005", "1005 is not a code to send");
	bad("/close 1006", "1006 is not a code to send");
	bad("/close 999", "999 is not a code to send");
	bad("/close 5000", "5000 is not a code to send");
	/* the edges of the ranges wsx-connect(1) lists */
	bad("/close 1004", "1004 is not a code to send");
	bad("/close 1015", "1015 is not a code to send");
	bad("/close 2999", "2999 is not a code to send");
	is_int(slash_parse("/close 1003", &c), SLASH_CLOSE, "/close 1003");
	is_int(slash_parse("/close 1007", &c), SLASH_CLOSE, "/close 1007");
	is_int(slash_parse("/close 1014", &c), SLASH_CLOSE, "/close 1014");
	is_int(slash_parse("/close 3000", &c), SLASH_CLOSE, "/close 3000");
	is_int(slash_parse("/close 4999", &c), SLASH_CLOSE, "/close 4999");
	bad("/close abc", "'abc' is not a close code");
	bad("/close 1000 "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	    "longer than 123 bytes");
	bad("/file", "which file");
	bad("/json maybe", "takes 'on', 'off'");
	bad("/help me", "no arguments");

	ok(slash_close_code_ok(1000) && slash_close_code_ok(4999) &&
		   slash_close_code_ok(1011) && !slash_close_code_ok(1004) &&
		   !slash_close_code_ok(1015) && !slash_close_code_ok(2999),
	   "close codes a client may send");
	return done_testing();
}
