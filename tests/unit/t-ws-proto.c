#include "config.h"
/* ws/proto: RFC 6455's rules as a table of bytes in -> events and bytes
 * out, for both roles, each row also fed byte by byte and split at every
 * position; then the calls that send, pings matched to pongs, the close
 * handshake's states, and large messages. */

#include <stdlib.h>

#include "ws-test.h"

#define S WS_ROLE_SERVER
#define C WS_ROLE_CLIENT
#define M "00000000" /* a zero masking key: the payload reads as sent */

enum {
	F_CLOSE_FIRST = 1, /* we send Close 1000 before the input */
	F_SMALL = 2,	   /* max_message 16 */
	F_STREAM = 4,	   /* deliver pieces; only fed whole */
};

struct row {
	const char *name;
	enum ws_role role;
	unsigned flags;
	const char *in, *events, *out, *end;
};

static const struct row rows[] = {
	/* data frames (5.6) */
	{ "a masked text frame is a message", S, 0, "81 85" M "'Hello'",
	  "text:Hello", "", "open" },
	{ "an unmasked text frame from a server is a message", C, 0,
	  "81 05 'Hello'", "text:Hello", "", "open" },
	{ "a binary frame", S, 0, "82 83" M "01 02 03", "binary:010203", "",
	  "open" },
	{ "an empty text message", S, 0, "81 80" M, "text:", "", "open" },
	{ "the RFC's masked Hello (5.7)", S, 0,
	  "81 85 37 fa 21 3d 7f 9f 4d 51 58", "text:Hello", "", "open" },
	{ "a fragmented unmasked Hello (5.7)", C, 0, "01 03 'Hel' 80 02 'lo'",
	  "text:Hello", "", "open" },
	{ "empty fragments add nothing", S, 0,
	  "01 80" M "00 83" M "'Hel' 00 80" M "80 82" M "'lo'", "text:Hello",
	  "", "open" },
	{ "a 16-bit length", C, 0,
	  "82 7e 00 7e '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345'",
	  "binary:<126 bytes>", "", "open" },
	{ "two messages in one read", S, 0, "81 81" M "'a' 82 81" M "62",
	  "text:a; binary:62", "", "open" },
	/* control frames among fragments (5.4, 5.5) */
	{ "a ping between fragments is answered at once", S, 0,
	  "01 83" M "'Hel' 89 82" M "'hi' 80 82" M "'lo'",
	  "ping:6869; text:Hello", "PONG:6869", "open" },
	{ "a pong between fragments", S, 0,
	  "01 83" M "'Hel' 8a 80" M "80 82" M "'lo'", "pong:; text:Hello", "",
	  "open" },
	{ "a close between fragments ends the message", S, 0,
	  "01 83" M "'Hel' 88 82" M "03 e8", "close 1000", "CLOSE 1000",
	  "closed drop" },
	{ "every one of several pings is answered, in order", S, 0,
	  "89 81" M "31 89 81" M "32 89 81" M "33 89 81" M "34 89 81" M "35",
	  "ping:31; ping:32; ping:33; ping:34; ping:35",
	  "PONG:31; PONG:32; PONG:33; PONG:34; PONG:35", "open" },
	{ "a server's ping gets a masked pong", C, 0, "89 02 'hi'", "ping:6869",
	  "PONG:6869", "open" },
	{ "an empty ping gets an empty pong", S, 0, "89 80" M,
	  "ping:", "PONG:", "open" },
	{ "a ping of 125 bytes is answered", S, 0,
	  "89 fd" M
	  "'01234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234'",
	  "ping:<125 bytes>", "PONG:<125 bytes>", "open" },
	{ "an unsolicited pong is an event, not an error", S, 0, "8a 81" M "78",
	  "pong:78", "", "open" },
	/* fragmentation rules (5.4) */
	{ "a continuation with nothing to continue fails 1002", S, 0,
	  "80 81" M "'x'", "fail 1002", "CLOSE 1002", "closed drop" },
	{ "a new message inside a fragmented one fails 1002", S, 0,
	  "01 81" M "'a' 81 81" M "'b'", "fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "a fragmented ping fails 1002", S, 0, "09 81" M "'a'", "fail 1002",
	  "CLOSE 1002", "closed drop" },
	{ "a fragmented close fails 1002", C, 0, "08 02 03 e8", "fail 1002",
	  "CLOSE 1002", "closed drop" },
	{ "a ping of 126 bytes fails 1002", S, 0, "89 fe 00 7e" M, "fail 1002",
	  "CLOSE 1002", "closed drop" },
	{ "a close of 126 bytes fails 1002", C, 0, "88 7e 00 7e", "fail 1002",
	  "CLOSE 1002", "closed drop" },
	/* RSV bits, masking, lengths (5.2, 5.3) */
	{ "RSV1 without an extension fails 1002", S, 0, "c1 81" M "'a'",
	  "fail 1002", "CLOSE 1002", "closed drop" },
	{ "RSV2 fails 1002", S, 0, "a1 81" M "'a'", "fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "RSV3 fails 1002", C, 0, "91 01 'a'", "fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "RSV1 on a ping fails 1002", S, 0, "c9 80" M, "fail 1002",
	  "CLOSE 1002", "closed drop" },
	{ "an unmasked frame from a client fails 1002", S, 0, "81 01 'a'",
	  "fail 1002", "CLOSE 1002", "closed drop" },
	{ "a masked frame from a server fails 1002", C, 0, "81 81" M "'a'",
	  "fail 1002", "CLOSE 1002", "closed drop" },
	{ "a 16-bit length under 126 fails 1002", S, 0, "82 fe 00 7d" M,
	  "fail 1002", "CLOSE 1002", "closed drop" },
	{ "a 64-bit length under 65536 fails 1002", S, 0,
	  "82 ff 00 00 00 00 00 00 ff ff" M, "fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "a 64-bit length with the top bit set fails 1002", C, 0,
	  "82 7f 80 00 00 00 00 00 00 00", "fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "a message over max_message fails 1009 before its payload", S,
	  F_SMALL, "82 91" M, "fail 1009", "CLOSE 1009", "closed drop" },
	{ "a 2^63-1 byte frame fails 1009, not a crash", C, 0,
	  "82 7f 7f ff ff ff ff ff ff ff", "fail 1009", "CLOSE 1009",
	  "closed drop" },
	{ "a message of exactly max_message", S, F_SMALL,
	  "82 90" M "'0123456789abcdef'",
	  "binary:30313233343536373839616263646566", "", "open" },
	{ "fragments adding up to over max_message fail 1009", S, F_SMALL,
	  "02 8a" M "'0123456789' 80 87" M "'abcdefg'", "fail 1009",
	  "CLOSE 1009", "closed drop" },
	{ "a valid message before a bad frame is still delivered", S, 0,
	  "81 82" M "'ok' 83 80" M, "text:ok; fail 1002", "CLOSE 1002",
	  "closed drop" },
	{ "nothing is read after a failure", S, 0, "83 80" M "81 81" M "'a'",
	  "fail 1002", "CLOSE 1002", "closed drop" },
	/* the close handshake (5.5.1, 7) */
	{ "a close is echoed and the server drops TCP", S, 0, "88 82" M "03 e8",
	  "close 1000", "CLOSE 1000", "closed drop" },
	{ "a client echoes a close and waits for the server to drop TCP", C, 0,
	  "88 02 03 e8", "close 1000", "CLOSE 1000", "closed await" },
	{ "a close with a reason", S, 0, "88 86" M "03 e8 'bye!'",
	  "close 1000 bye!", "CLOSE 1000", "closed drop" },
	{ "a close of 125 bytes", C, 0,
	  "88 7d 0f a0 '012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012'",
	  "close 4000 <123 bytes>", "CLOSE 4000", "closed await" },
	{ "an empty close means 1005 and is echoed empty", S, 0, "88 80" M,
	  "close 1005", "CLOSE", "closed drop" },
	{ "a one-byte close fails 1002", S, 0, "88 81" M "03", "fail 1002",
	  "CLOSE 1002", "closed drop" },
	{ "a close reason that is not UTF-8 fails 1007", S, 0,
	  "88 84" M "03 e8 ff fe", "fail 1007", "CLOSE 1007", "closed drop" },
	{ "frames after the peer's close are ignored", S, 0,
	  "88 82" M "03 e8 81 81" M "'a' 89 80" M, "close 1000", "CLOSE 1000",
	  "closed drop" },
	{ "after our close, data still arrives and the peer's close ends it", S,
	  F_CLOSE_FIRST, "81 81" M "'a' 88 82" M "03 e8", "text:a; close 1000",
	  "CLOSE 1000", "closed drop" },
	{ "after our close, a ping is not answered", S, F_CLOSE_FIRST,
	  "89 81" M "'p'", "ping:70", "CLOSE 1000", "closing" },
	{ "after our close, a failure sends nothing more", C, F_CLOSE_FIRST,
	  "83 00", "fail 1002", "CLOSE 1000", "closed drop" },
	{ "after a clean close handshake the client waits for TCP to drop", C,
	  F_CLOSE_FIRST, "88 02 03 e8", "close 1000", "CLOSE 1000",
	  "closed await" },
	/* UTF-8 (5.6, 8.1) */
	{ "text that is not UTF-8 fails 1007", S, 0, "81 81" M "ff",
	  "fail 1007", "CLOSE 1007", "closed drop" },
	{ "a surrogate fails 1007", S, 0, "81 83" M "ed a0 80", "fail 1007",
	  "CLOSE 1007", "closed drop" },
	{ "an overlong encoding fails 1007", S, 0, "81 82" M "c0 80",
	  "fail 1007", "CLOSE 1007", "closed drop" },
	{ "a code point past U+10FFFF fails 1007", C, 0, "81 04 f4 90 80 80",
	  "fail 1007", "CLOSE 1007", "closed drop" },
	{ "text ending inside a character fails 1007", S, 0, "81 82" M "e2 82",
	  "fail 1007", "CLOSE 1007", "closed drop" },
	{ "bad UTF-8 in a first fragment fails before the rest arrives", S, 0,
	  "01 84" M "'a' ff 'bc'", "fail 1007", "CLOSE 1007", "closed drop" },
	{ "a character split across fragments", S, 0,
	  "01 82" M "e2 82 80 81" M "ac", "text:\\xe2\\x82\\xac", "", "open" },
	{ "binary is not checked for UTF-8", S, 0, "82 81" M "ff", "binary:ff",
	  "", "open" },
	/* stream mode: pieces as they arrive */
	{ "stream: fragments come as they arrive", S, F_STREAM,
	  "01 83" M "'Hel' 00 81" M "'l' 80 81" M "'o'",
	  "text(:Hel; text-:l; text):o", "", "open" },
	{ "stream: a whole message is one piece", C, F_STREAM, "82 02 01 02",
	  "binary:0102", "", "open" },
	{ "stream: bad UTF-8 still fails at once", S, F_STREAM,
	  "01 82" M "'a' ff", "fail 1007", "CLOSE 1007", "closed drop" },
};

static const char *
end_of(const struct ws_proto *p)
{
	switch (ws_proto_state(p)) {
	case WS_STATE_CONNECTING:
		return "connecting";
	case WS_STATE_OPEN:
		return "open";
	case WS_STATE_CLOSING:
		return "closing";
	default:
		break;
	}
	return ws_proto_tcp(p) == WS_TCP_AWAIT ? "closed await" : "closed drop";
}

static struct ws_agreed plain;

/* Run input split at the given cut points (sorted, ncut of them). */
static void
run(const struct row *r, const unsigned char *in, size_t len,
    const size_t *cuts, size_t ncut, struct wt_log *ev, struct wt_log *out,
    const char **end)
{
	struct ws_proto p;
	struct ws_proto_opts o = { .role = r->role,
				   .open = &plain,
				   .on_event = wt_on_event,
				   .arg = ev };
	unsigned char *copy = malloc(len + 1);
	size_t at = 0, olen;
	const unsigned char *od;

	if (r->flags & F_SMALL)
		o.max_message = 16;
	o.stream = r->flags & F_STREAM;
	memset(ev, 0, sizeof(*ev));
	memset(out, 0, sizeof(*out));
	ws_proto_init(&p, &o, NULL);
	if (r->flags & F_CLOSE_FIRST)
		ws_proto_close(&p, 1000, NULL, 0, NULL);
	memcpy(copy, in, len);
	for (size_t i = 0; i <= ncut; i++) {
		size_t to = i < ncut ? cuts[i] : len;

		/* a fresh heap block per piece, so ASan sees overreads */
		unsigned char *piece = malloc(to - at + 1);

		memcpy(piece, copy + at, to - at);
		ws_proto_receive(&p, piece, to - at);
		free(piece);
		at = to;
	}
	od = ws_proto_output(&p, &olen);
	wt_frames(out, od, olen, r->role);
	*end = end_of(&p);
	ws_proto_release(&p);
	free(copy);
}

static void
table(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		unsigned char in[1024];
		size_t len = wt_bytes(in, sizeof(in), r->in), cut[2];
		struct wt_log ev, out, ev2, out2;
		const char *end, *end2;
		const char *role = r->role == S ? "server" : "client";
		int same = 1;

		run(r, in, len, NULL, 0, &ev, &out, &end);
		is_str(ev.s, r->events, "%s: %s: events", role, r->name);
		is_str(out.s, r->out, "%s: %s: bytes out", role, r->name);
		is_str(end, r->end, "%s: %s: state after", role, r->name);
		if (r->flags & F_STREAM)
			continue;
		/* split once at every point, and twice at every other */
		for (size_t a = 1; a < len && same; a++) {
			for (size_t b = a; b < len && same; b += (a & 1) + 1) {
				cut[0] = a;
				cut[1] = b;
				run(r, in, len, cut, 1 + (b > a), &ev2, &out2,
				    &end2);
				same = !strcmp(ev.s, ev2.s) &&
				       !strcmp(out.s, out2.s) &&
				       !strcmp(end, end2);
				if (!same)
					diag("split at %zu and %zu: %s | %s", a,
					     b, ev2.s, out2.s);
			}
		}
		ok(same, "%s: %s: the same however the input is split", role,
		   r->name);
	}
}

/* Reserved opcodes and close codes, every one (5.2, 7.4). */
static void
generated(void)
{
	static const int bad_codes[] = { 0,    1,    999,  1004, 1005,
					 1006, 1015, 1016, 1100, 2000,
					 2999, 5000, 65535 };
	static const int good_codes[] = { 1000, 1001, 1002, 1003, 1007,
					  1008, 1009, 1010, 1011, 1012,
					  1013, 1014, 3000, 4999 };
	static const int reserved[] = {
		3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf
	};
	struct row r = { .role = S, .out = "CLOSE 1002", .end = "closed drop" };
	char in[128], evs[64], outs[64], name[64];
	unsigned char bytes[64];
	struct wt_log ev, out;
	const char *end;
	size_t len;

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		snprintf(in, sizeof(in), "%02x 80 00000000",
			 0x80 | reserved[i]);
		len = wt_bytes(bytes, sizeof(bytes), in);
		run(&r, bytes, len, NULL, 0, &ev, &out, &end);
		ok(!strcmp(ev.s, "fail 1002") && !strcmp(out.s, "CLOSE 1002"),
		   "server: reserved opcode %d fails 1002 (%s)", reserved[i],
		   ev.s);
	}
	for (size_t i = 0; i < sizeof(bad_codes) / sizeof(bad_codes[0]); i++) {
		snprintf(in, sizeof(in), "88 82 00000000 %02x %02x",
			 bad_codes[i] >> 8, bad_codes[i] & 0xff);
		len = wt_bytes(bytes, sizeof(bytes), in);
		run(&r, bytes, len, NULL, 0, &ev, &out, &end);
		ok(!strcmp(ev.s, "fail 1002") && !strcmp(out.s, "CLOSE 1002"),
		   "server: close code %d fails 1002 (%s)", bad_codes[i], ev.s);
	}
	for (size_t i = 0; i < sizeof(good_codes) / sizeof(good_codes[0]);
	     i++) {
		snprintf(in, sizeof(in), "88 82 00000000 %02x %02x",
			 good_codes[i] >> 8, good_codes[i] & 0xff);
		snprintf(evs, sizeof(evs), "close %d", good_codes[i]);
		snprintf(outs, sizeof(outs), "CLOSE %d", good_codes[i]);
		len = wt_bytes(bytes, sizeof(bytes), in);
		run(&r, bytes, len, NULL, 0, &ev, &out, &end);
		snprintf(name, sizeof(name), "close code %d", good_codes[i]);
		ok(!strcmp(ev.s, evs) && !strcmp(out.s, outs),
		   "server: close code %d is accepted and echoed (%s | %s)",
		   good_codes[i], ev.s, out.s);
	}
}

/* Every UTF-8 character kind split at every byte into two fragments;
 * and a bad sequence fails as soon as its bad byte has arrived. */
static void
utf8_splits(void)
{
	static const char *const good[] = {
		"\xc2\xa9",	     "\xe2\x82\xac",	 "\xf0\x9f\x98\x80",
		"a\xed\x9f\xbf\x62", "\xf4\x8f\xbf\xbf",
	};
	static const struct {
		const char *s;
		size_t bad; /* index of the first byte that cannot be valid */
	} bad[] = {
		{ "ab\xc0\x80", 2 },	    { "\xed\xa0\x80", 1 },
		{ "\xf4\x90\x80\x80", 1 },  { "\xe2\x28\xa1", 1 },
		{ "x\xf0\x9f\x98\x79", 4 }, { "\xff", 0 },
	};
	struct ws_proto_opts o = { .role = WS_ROLE_CLIENT,
				   .open = &plain,
				   .on_event = wt_on_event };
	int all = 1;

	for (size_t g = 0; g < sizeof(good) / sizeof(good[0]); g++) {
		size_t n = strlen(good[g]);

		for (size_t cut = 0; cut <= n; cut++) {
			struct ws_proto p;
			struct wt_log ev = { .n = 0 };
			unsigned char f[64];
			size_t fl = 0;

			o.arg = &ev;
			ws_proto_init(&p, &o, NULL);
			f[fl++] = 0x01;
			f[fl++] = (unsigned char)cut;
			memcpy(f + fl, good[g], cut);
			fl += cut;
			f[fl++] = 0x80;
			f[fl++] = (unsigned char)(n - cut);
			memcpy(f + fl, good[g] + cut, n - cut);
			fl += n - cut;
			ws_proto_receive(&p, f, fl);
			if (ev.n < 5 || strncmp(ev.s, "text:", 5)) {
				diag("good %zu cut %zu: %s", g, cut, ev.s);
				all = 0;
			}
			ws_proto_release(&p);
		}
	}
	ok(all,
	   "valid UTF-8 split between fragments at every byte arrives whole");
	all = 1;
	for (size_t b = 0; b < sizeof(bad) / sizeof(bad[0]); b++) {
		size_t n = strlen(bad[b].s);

		for (size_t cut = 0; cut <= n; cut++) {
			struct ws_proto p;
			struct wt_log ev = { .n = 0 };
			unsigned char f[64];
			size_t fl = 0;
			bool early = cut > bad[b].bad;

			o.arg = &ev;
			ws_proto_init(&p, &o, NULL);
			f[fl++] = 0x01;
			f[fl++] = (unsigned char)cut;
			memcpy(f + fl, bad[b].s, cut);
			fl += cut;
			/* the first fragment alone: fails iff the bad byte
			 * is in it */
			ws_proto_receive(&p, f, fl);
			if (early != !strcmp(ev.s, "fail 1007")) {
				diag("bad %zu cut %zu, first part: %s", b, cut,
				     ev.s);
				all = 0;
			}
			fl = 0;
			f[fl++] = 0x80;
			f[fl++] = (unsigned char)(n - cut);
			memcpy(f + fl, bad[b].s + cut, n - cut);
			fl += n - cut;
			ws_proto_receive(&p, f, fl);
			if (strcmp(ev.s, "fail 1007")) {
				diag("bad %zu cut %zu: %s", b, cut, ev.s);
				all = 0;
			}
			ws_proto_release(&p);
		}
	}
	ok(all,
	   "invalid UTF-8 fails 1007 at its first bad byte, whatever the split");
}

int
main(void)
{
	table();
	generated();
	utf8_splits();
	return done_testing();
}
