#include "config.h"
/* ws/proto's calls: what each sends and when it refuses (nothing after our
 * Close, control frames <= 125 bytes, close codes one may send, UTF-8),
 * pongs matched to pings for round trips, fragments and large messages,
 * messages handed over in place, TCP's end in every state. */

#include <stdlib.h>

#include "ws-test.h"

static struct ws_agreed plain;

static void
start(struct ws_proto *p, enum ws_role role, struct wt_log *ev, size_t frag,
      size_t max_output)
{
	struct ws_proto_opts o = { .role = role,
				   .open = &plain,
				   .on_event = wt_on_event,
				   .arg = ev,
				   .fragment_size = frag,
				   .max_output = max_output };

	memset(ev, 0, sizeof(*ev));
	ws_proto_init(p, &o, NULL);
}

static void
output(struct ws_proto *p, struct wt_log *out)
{
	size_t n;
	const unsigned char *d = ws_proto_output(p, &n);

	memset(out, 0, sizeof(*out));
	wt_frames(out, d, n, p->o.role);
	ws_proto_consume(p, n);
}

static void
feed(struct ws_proto *p, const char *hex)
{
	unsigned char b[512];
	size_t n = wt_bytes(b, sizeof(b), hex);

	ws_proto_receive(p, b, n);
}

static void
sends(void)
{
	struct ws_proto p;
	struct wt_log ev, out;
	struct wsx_err err = { 0, "" };

	for (int r = 0; r < 2; r++) {
		enum ws_role role = r ? WS_ROLE_CLIENT : WS_ROLE_SERVER;
		const char *who = r ? "client" : "server";

		start(&p, role, &ev, 0, 0);
		ws_proto_send_message(&p, WSX_MSG_TEXT, "Hello", 5, &err);
		ws_proto_send_message(&p, WSX_MSG_BINARY, "\x01\x02", 2, &err);
		ws_proto_ping(&p, "p", 1, 0, &err);
		ws_proto_pong(&p, "q", 1, &err);
		output(&p, &out);
		is_str(out.s, "TEXT:Hello; BINARY:0102; PING:70; PONG:71",
		       "%s: messages and control frames, %s", who,
		       r ? "masked" : "unmasked");
		is_int(ws_proto_send_message(&p, WSX_MSG_TEXT, "\xff", 1, &err),
		       -1, "%s: text that is not UTF-8 is refused", who);
		is_int(ws_proto_ping(&p, NULL, 126, 0, &err), -1,
		       "%s: a ping over 125 bytes is refused", who);
		is_int(ws_proto_close(&p, 1005, NULL, 0, &err), -1,
		       "%s: close code 1005 may not be sent", who);
		is_int(ws_proto_close(&p, 1006, NULL, 0, &err), -1,
		       "%s: close code 1006 may not be sent", who);
		is_int(ws_proto_close(&p, 1015, NULL, 0, &err), -1,
		       "%s: close code 1015 may not be sent", who);
		is_int(ws_proto_close(&p, 2000, NULL, 0, &err), -1,
		       "%s: close code 2000 may not be sent", who);
		is_int(ws_proto_close(&p, 1000, "\xc0\x80", 2, &err), -1,
		       "%s: a close reason must be UTF-8", who);
		is_int(ws_proto_close(
			       &p, 1000,
			       "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123",
			       124, &err),
		       -1, "%s: a close reason of 124 bytes is refused", who);
		is_int(ws_proto_close(&p, 4000, "done", 4, &err), 0,
		       "%s: close 4000 with a reason", who);
		is_int(ws_proto_send_message(&p, WSX_MSG_TEXT, "late", 4, &err),
		       -1, "%s: nothing is sent after our Close", who);
		is_int(ws_proto_ping(&p, NULL, 0, 0, &err), -1,
		       "%s: no ping after our Close", who);
		is_int(ws_proto_close(&p, 1000, NULL, 0, &err), -1,
		       "%s: no second Close", who);
		output(&p, &out);
		is_str(out.s, "CLOSE 4000", "%s: only the Close went out", who);
		is_int(ws_proto_state(&p), WS_STATE_CLOSING,
		       "%s: CLOSING, waiting for the peer's Close", who);
		ws_proto_release(&p);
	}
}

static void
fragments(void)
{
	struct ws_proto p;
	struct wt_log ev, out;
	struct wsx_err err = { 0, "" };

	start(&p, WS_ROLE_SERVER, &ev, 0, 0);
	ws_proto_send_fragment(&p, WSX_MSG_TEXT, "\xe2\x82", 2, false, &err);
	is_int(ws_proto_send_message(&p, WSX_MSG_TEXT, "x", 1, &err), -1,
	       "a message cannot start inside another");
	is_int(ws_proto_send_fragment(&p, WSX_MSG_BINARY, "x", 1, true, &err),
	       -1, "a message cannot change type midway");
	is_int(ws_proto_send_fragment(&p, WSX_MSG_TEXT, "\x82\xff", 2, false,
				      &err),
	       -1, "a fragment that breaks UTF-8 is refused");
	ws_proto_ping(&p, "i", 1, 0, &err);
	ws_proto_send_fragment(&p, WSX_MSG_TEXT, "\xac", 1, true, &err);
	output(&p, &out);
	is_str(out.s, "TEXT+:\\xe2\\x82; PING:69; CONT:ac",
	       "fragments: a ping may go between them; UTF-8 is checked across them");
	ws_proto_release(&p);

	start(&p, WS_ROLE_CLIENT, &ev, 4, 0);
	ws_proto_send_message(&p, WSX_MSG_TEXT, "0123456789", 10, &err);
	output(&p, &out);
	is_str(out.s, "TEXT+:0123; CONT+:34353637; CONT:3839",
	       "fragment_size splits a message into frames");
	ws_proto_release(&p);

	start(&p, WS_ROLE_SERVER, &ev, 0, 8);
	is_int(ws_proto_send_message(&p, WSX_MSG_BINARY, "0123456789", 10,
				     &err),
	       0,
	       "max_output: a message larger than it goes into an empty buffer");
	is_int(ws_proto_send_message(&p, WSX_MSG_BINARY, "0", 1, &err), -1,
	       "max_output: then sends are refused until it drains");
	feed(&p, "89 81 00000000 'p'");
	output(&p, &out);
	is_str(out.s, "BINARY:30313233343536373839; PONG:70",
	       "max_output: pongs owed still go out");
	is_int(ws_proto_send_message(&p, WSX_MSG_BINARY, "0", 1, &err), 0,
	       "max_output: sends go again once drained");
	ws_proto_release(&p);
}

static void
pings(void)
{
	struct ws_proto p;
	struct wt_log ev, out;
	struct wsx_err err = { 0, "" };

	start(&p, WS_ROLE_CLIENT, &ev, 0, 0);
	ws_proto_ping(&p, NULL, 0, 100, &err);
	ws_proto_ping(&p, NULL, 0, 200, &err);
	ws_proto_ping(&p, NULL, 0, 300, &err);
	output(&p, &out);
	is_str(out.s,
	       "PING:0000000000000001; PING:0000000000000002; PING:0000000000000003",
	       "pings without data carry a counter");
	feed(&p, "8a 08 0000000000000002");
	feed(&p, "8a 08 0000000000000001");
	feed(&p, "8a 08 0000000000000003");
	feed(&p, "8a 01 'x'");
	is_str(ev.s,
	       "pong:0000000000000002@200; pong:0000000000000001; pong:0000000000000003@300; pong:78",
	       "pongs are matched to their ping's time; earlier pings are let go");
	ws_proto_release(&p);

	start(&p, WS_ROLE_SERVER, &ev, 0, 0);
	for (int i = 0; i < 10; i++)
		ws_proto_ping(&p, NULL, 0, i, &err);
	output(&p, &out);
	feed(&p, "8a 88 00000000 0000000000000001");
	feed(&p, "8a 88 00000000 000000000000000a");
	is_str(ev.s, "pong:0000000000000001; pong:000000000000000a@9",
	       "only the last 8 pings are remembered");
	ws_proto_release(&p);
}

static void
closing(void)
{
	struct ws_proto p;
	struct wt_log ev, out;
	struct wsx_err err = { 0, "" };

	start(&p, WS_ROLE_CLIENT, &ev, 0, 0);
	ws_proto_eof(&p);
	is_str(ev.s, "close 1006", "TCP ends while OPEN: close 1006");
	is_int(ws_proto_tcp(&p), WS_TCP_DROP, "and TCP is dropped");
	ws_proto_release(&p);

	start(&p, WS_ROLE_CLIENT, &ev, 0, 0);
	ws_proto_close(&p, 1000, NULL, 0, &err);
	is_int(ws_proto_tcp(&p), WS_TCP_KEEP,
	       "client: after our Close, TCP stays for the peer's");
	ws_proto_eof(&p);
	is_str(ev.s, "close 1006",
	       "client: the wait for the peer's Close ends (timer or EOF): 1006");
	ws_proto_release(&p);

	start(&p, WS_ROLE_CLIENT, &ev, 0, 0);
	ws_proto_close(&p, 1000, NULL, 0, &err);
	feed(&p, "88 02 03 e8");
	is_int(ws_proto_tcp(&p), WS_TCP_AWAIT,
	       "client: after the close handshake, wait for the server to drop TCP");
	ws_proto_eof(&p);
	is_str(ev.s, "close 1000", "client: the server's drop is no event");
	ws_proto_release(&p);

	start(&p, WS_ROLE_SERVER, &ev, 0, 0);
	ws_proto_close(&p, 1001, NULL, 0, &err);
	feed(&p, "88 82 00000000 03 e9");
	output(&p, &out);
	is_str(out.s, "CLOSE 1001", "server: our Close, not echoed back again");
	is_int(ws_proto_tcp(&p), WS_TCP_DROP,
	       "server: after the close handshake, drop TCP");
	ws_proto_release(&p);

	start(&p, WS_ROLE_SERVER, &ev, 0, 0);
	ws_proto_close(&p, 0, NULL, 0, &err);
	output(&p, &out);
	is_str(out.s, "CLOSE", "a Close without a code has no payload");
	ws_proto_release(&p);
}

struct seen {
	const unsigned char *data; /* where it was handed over */
	unsigned char *copy;	   /* what it was: data is borrowed */
	size_t len, events;
};

static void
seen_event(void *arg, struct ws_event *ev)
{
	struct seen *s = arg;

	if (ev->type == WS_EV_MESSAGE) {
		s->data = ev->data;
		s->copy = realloc(s->copy, ev->len + 1);
		memcpy(s->copy, ev->data, ev->len);
		s->len = ev->len;
		s->events++;
	}
}

/* 64-bit lengths, pieces of every size, in place when possible */
static void
large(void)
{
	size_t n = 70000;
	unsigned char *frame = malloc(n + 14), *copy = malloc(n + 14);
	static const uint8_t key[4] = { 0xde, 0xad, 0xbe, 0xef };
	unsigned char *want = malloc(n);
	struct ws_proto_opts o = { .role = WS_ROLE_SERVER,
				   .open = &plain,
				   .on_event = seen_event };
	struct ws_proto p;
	struct seen s = { NULL, NULL, 0, 0 };
	size_t h;
	int all = 1;

	for (size_t i = 0; i < n; i++)
		want[i] = (unsigned char)(i * 31 + (i >> 8));
	h = ws_frame_build(frame, WS_OP_BINARY, true, 0, n, key);
	ws_frame_mask(frame + h, want, n, key, 0);
	o.arg = &s;

	ws_proto_init(&p, &o, NULL);
	memcpy(copy, frame, h + n);
	ws_proto_receive(&p, copy, h + n);
	ok(s.events == 1 && s.len == n && !memcmp(s.copy, want, n),
	   "a 70000-byte masked frame arrives unmasked");
	ok(s.data == copy + h,
	   "a message whole in one read is handed over in place");
	ws_proto_release(&p);

	for (size_t piece = 1; piece < n; piece = piece * 3 + 1) {
		s.events = 0;
		ws_proto_init(&p, &o, NULL);
		memcpy(copy, frame, h + n);
		for (size_t at = 0; at < h + n; at += piece)
			ws_proto_receive(&p, copy + at,
					 h + n - at < piece ? h + n - at
							    : piece);
		if (s.events != 1 || s.len != n || memcmp(s.copy, want, n)) {
			diag("pieces of %zu: %zu events", piece, s.events);
			all = 0;
		}
		ws_proto_release(&p);
	}
	ok(all,
	   "the same frame in pieces of 1, 4, 13, ... bytes arrives the same");
	free(frame);
	free(copy);
	free(want);
	free(s.copy);
}

int
main(void)
{
	sends();
	fragments();
	pings();
	closing();
	large();
	return done_testing();
}
