#include "config.h"
/* ws/deflate: negotiation tables for both roles, the RFC 7692 examples,
 * round trips between a client and a server engine with and without
 * context takeover and at every window size, and deflate bombs. */

#include <stdlib.h>

#include "ws-test.h"

static const struct {
	const char *offer;
	struct ws_deflate_params want;
	const char *answer; /* NULL: declined */
} offers[] = {
	{ "permessage-deflate", { 0 }, "permessage-deflate" },
	{ "permessage-deflate; client_max_window_bits",
	  { .client_max_window_bits = 10 },
	  "permessage-deflate; client_max_window_bits=10" },
	{ "permessage-deflate; client_max_window_bits",
	  { 0 },
	  "permessage-deflate" },
	{ "permessage-deflate; client_max_window_bits=12",
	  { 0 },
	  "permessage-deflate; client_max_window_bits=12" },
	{ "permessage-deflate; client_max_window_bits=\"11\"",
	  { 0 },
	  "permessage-deflate; client_max_window_bits=11" },
	{ "permessage-deflate",
	  { .client_max_window_bits = 10 },
	  "permessage-deflate" },
	{ "permessage-deflate; server_max_window_bits=10",
	  { 0 },
	  "permessage-deflate; server_max_window_bits=10" },
	{ "permessage-deflate; server_max_window_bits=12",
	  { .server_max_window_bits = 10 },
	  "permessage-deflate; server_max_window_bits=10" },
	{ "permessage-deflate",
	  { .server_max_window_bits = 11 },
	  "permessage-deflate; server_max_window_bits=11" },
	{ "permessage-deflate; server_max_window_bits=8",
	  { 0 },
	  "permessage-deflate; server_max_window_bits=8" },
	{ "permessage-deflate; server_no_context_takeover",
	  { 0 },
	  "permessage-deflate; server_no_context_takeover" },
	{ "permessage-deflate; client_no_context_takeover",
	  { 0 },
	  "permessage-deflate; client_no_context_takeover" },
	{ "permessage-deflate",
	  { .server_no_context_takeover = true,
	    .client_no_context_takeover = true },
	  "permessage-deflate; server_no_context_takeover; client_no_context_takeover" },
	{ "PerMessage-Deflate ;  Server_No_Context_Takeover",
	  { 0 },
	  "permessage-deflate; server_no_context_takeover" },
	{ "permessage-deflate; server_max_window_bits=7", { 0 }, NULL },
	{ "permessage-deflate; server_max_window_bits=16", { 0 }, NULL },
	{ "permessage-deflate; server_max_window_bits", { 0 }, NULL },
	{ "permessage-deflate; server_max_window_bits=010", { 0 }, NULL },
	{ "permessage-deflate; client_max_window_bits=", { 0 }, NULL },
	{ "permessage-deflate; server_no_context_takeover=1", { 0 }, NULL },
	{ "permessage-deflate; foo", { 0 }, NULL },
	{ "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
	  { 0 },
	  NULL },
	{ "permessage-deflate; x=1, permessage-deflate; client_no_context_takeover",
	  { 0 },
	  "permessage-deflate; client_no_context_takeover" },
	{ "x-webkit-deflate-frame, permessage-deflate",
	  { 0 },
	  "permessage-deflate" },
	{ "x-webkit-deflate-frame", { 0 }, NULL },
};

static void
negotiation(void)
{
	for (size_t i = 0; i < sizeof(offers) / sizeof(offers[0]); i++) {
		struct ws_deflate_params a;
		char ans[WS_DEFLATE_HEADER_MAX];
		int rc = ws_deflate_negotiate(offers[i].offer,
					      strlen(offers[i].offer),
					      &offers[i].want, &a);

		if (!offers[i].answer) {
			is_int(rc, 0, "server: '%s' is declined",
			       offers[i].offer);
			continue;
		}
		if (!is_int(rc, 1, "server: '%s' is accepted", offers[i].offer))
			continue;
		ws_deflate_answer(ans, &a);
		is_str(ans, offers[i].answer, "server: '%s' is answered",
		       offers[i].offer);
	}
	{
		struct ws_deflate_params a;

		is_int(ws_deflate_negotiate("bad header;", 11, &offers[0].want,
					    &a),
		       0, "server: an offer it cannot parse is declined");
		is_int(ws_deflate_negotiate("@@", 2, &offers[0].want, &a), -1,
		       "server: an extension list that is not tokens is an error");
	}
}

static const struct {
	struct ws_deflate_params offered;
	const char *answer; /* the parameters after the name */
	int ok;
} answers[] = {
	{ { 0 }, "", 1 },
	{ { 0 }, "; server_no_context_takeover", 1 },
	{ { 0 }, "; client_no_context_takeover", 1 },
	{ { 0 }, "; server_max_window_bits=10", 1 },
	{ { .server_max_window_bits = 10 }, "; server_max_window_bits=10", 1 },
	{ { .server_max_window_bits = 10 }, "; server_max_window_bits=11", 0 },
	{ { .server_max_window_bits = 10 }, "", 0 },
	{ { 0 }, "; client_max_window_bits=10", 0 },
	{ { .client_max_window_bits = WS_DEFLATE_BITS_ANY },
	  "; client_max_window_bits=10",
	  1 },
	{ { .client_max_window_bits = WS_DEFLATE_BITS_ANY },
	  "; client_max_window_bits",
	  0 },
	{ { .client_max_window_bits = 10 }, "; client_max_window_bits=11", 0 },
	{ { .client_max_window_bits = 8 }, "; client_max_window_bits=9", 1 },
	{ { 0 }, "; foo=bar", 0 },
	{ { 0 }, "; server_max_window_bits=20", 0 },
};

static void
answer_checks(void)
{
	for (size_t i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct ws_deflate_params a;
		const char *why = NULL;
		int rc = ws_deflate_check_answer(answers[i].answer,
						 strlen(answers[i].answer),
						 &answers[i].offered, &a, &why);

		is_int(rc == 0, answers[i].ok, "client: answer '%s' is %s",
		       answers[i].answer, answers[i].ok ? "taken" : "refused");
	}
	{
		char off[WS_DEFLATE_HEADER_MAX];
		struct ws_deflate_params w = {
			.client_no_context_takeover = true,
			.server_max_window_bits = 10,
			.client_max_window_bits = WS_DEFLATE_BITS_ANY,
		};

		ws_deflate_offer(off, &w);
		is_str(off,
		       "permessage-deflate; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits",
		       "client: the offer names every parameter asked");
		w.client_max_window_bits = 8;
		ws_deflate_offer(off, &w);
		ok(strstr(off, "client_max_window_bits=9") != NULL,
		   "client: a window of 8 is offered as 9 (zlib cannot compress in 256 bytes)");
	}
}

/* the engine of the test: a role with deflate agreed as given */
struct side {
	struct ws_proto p;
	struct wt_log ev;
	unsigned char *got; /* the last message's bytes */
	size_t got_len;
};

static void
side_event(void *arg, struct ws_event *ev)
{
	struct side *s = arg;

	wt_event(&s->ev, ev);
	if (ev->type != WS_EV_MESSAGE)
		return;
	if (ev->first)
		s->got_len = 0;
	s->got = realloc(s->got, s->got_len + ev->len + 1);
	memcpy(s->got + s->got_len, ev->data, ev->len);
	s->got_len += ev->len;
}

static void
side_init(struct side *s, enum ws_role role, const struct ws_agreed *a,
	  size_t max, bool stream, size_t frag)
{
	struct ws_proto_opts o = { .role = role,
				   .open = a,
				   .on_event = side_event,
				   .arg = s,
				   .max_message = max,
				   .stream = stream,
				   .fragment_size = frag };

	memset(s, 0, sizeof(*s));
	ws_proto_init(&s->p, &o, NULL);
}

static void
side_release(struct side *s)
{
	ws_proto_release(&s->p);
	free(s->got);
}

/* move what from has written to to; render it first into frames */
static void
side_pass(struct side *from, struct side *to, struct wt_log *frames)
{
	size_t n;
	const unsigned char *d = ws_proto_output(&from->p, &n);
	unsigned char *copy = malloc(n + 1);

	if (frames)
		wt_frames(frames, d, n, from->p.o.role);
	memcpy(copy, d, n);
	ws_proto_consume(&from->p, n);
	ws_proto_receive(&to->p, copy, n);
	free(copy);
}

static void
rfc_examples(void)
{
	static const struct {
		const char *name, *in, *events;
	} ex[] = {
		{ "a compressed Hello (RFC 7692 7.2.3.1)",
		  "c1 07 f2 48 cd c9 c9 07 00", "text:Hello" },
		{ "a compressed Hello in two frames (7.2.3.1)",
		  "41 03 f2 48 cd 80 04 c9 c9 07 00", "text:Hello" },
		{ "a second Hello using the context (7.2.3.2)",
		  "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00",
		  "text:Hello; text:Hello" },
		{ "Hello in a stored block (7.2.3.3)",
		  "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00", "text:Hello" },
		{ "Hello with BFINAL set (7.2.3.4)",
		  "c1 08 f3 48 cd c9 c9 07 00 00", "text:Hello" },
		{ "an uncompressed message among compressed ones",
		  "81 05 'Hello' c1 07 f2 48 cd c9 c9 07 00",
		  "text:Hello; text:Hello" },
		{ "an empty compressed message", "c2 01 00", "binary:" },
		{ "RSV1 on a continuation frame fails 1002",
		  "41 03 f2 48 cd c0 04 c9 c9 07 00", "fail 1002" },
		{ "data that is not deflate fails 1007", "c1 03 ff ff ff",
		  "fail 1007" },
		{ "a final block, then the context starts afresh",
		  "c1 08 f3 48 cd c9 c9 07 00 00 c1 07 f2 48 cd c9 c9 07 00",
		  "text:Hello; text:Hello" },
		{ "compressed text that inflates to bad UTF-8 fails 1007",
		  "c1 03 fb 0f 00", "fail 1007" },
	};
	struct ws_agreed a = { .deflate = true };

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		struct side c;
		unsigned char in[256];
		size_t n = wt_bytes(in, sizeof(in), ex[i].in);

		side_init(&c, WS_ROLE_CLIENT, &a, 0, false, 0);
		ws_proto_receive(&c.p, in, n);
		is_str(c.ev.s, ex[i].events, "client: %s", ex[i].name);
		side_release(&c);
	}
}

static void
round_trips(void)
{
	static const struct {
		const char *name;
		struct ws_deflate_params params;
		size_t frag;
	} cases[] = {
		{ "default parameters", { 0 }, 0 },
		{ "no context takeover either way",
		  { .server_no_context_takeover = true,
		    .client_no_context_takeover = true },
		  0 },
		{ "9-bit windows",
		  { .server_max_window_bits = 9, .client_max_window_bits = 9 },
		  0 },
		{ "12-bit client window, server without takeover",
		  { .server_no_context_takeover = true,
		    .client_max_window_bits = 12 },
		  0 },
		{ "an 8-bit server window: the server sends uncompressed",
		  { .server_max_window_bits = 8 },
		  0 },
		{ "frames of 1000 bytes", { 0 }, 1000 },
	};
	size_t big = 200000;
	unsigned char *data = malloc(big);
	uint64_t x = 88172645463325252ull;

	for (size_t i = 0; i < big; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* half repetitive text, half noise */
		data[i] = i < big / 2 ? (unsigned char)"abcabcabd\n"[i % 10]
				      : (unsigned char)x;
	}
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		static const size_t sizes[] = { 0,   1,	  5,	 5,
						125, 126, 65536, 200000 };
		struct ws_agreed a = { .deflate = true,
				       .params = cases[k].params };
		struct side c, s;
		int all = 1;
		bool compressed[2] = { false, false };

		side_init(&c, WS_ROLE_CLIENT, &a, 0, false, cases[k].frag);
		side_init(&s, WS_ROLE_SERVER, &a, 0, false, cases[k].frag);
		for (size_t j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++)
			for (int dir = 0; dir < 2; dir++) {
				struct side *from = dir ? &s : &c,
					    *to = dir ? &c : &s;
				struct wt_log frames = { .n = 0 };
				char want[64];

				memset(&to->ev, 0, sizeof(to->ev));
				ws_proto_send_message(&from->p, WSX_MSG_BINARY,
						      data, sizes[j], NULL);
				side_pass(from, to, &frames);
				if (strchr(frames.s, '*'))
					compressed[dir] = true;
				snprintf(want, sizeof(want), "binary:%s",
					 sizes[j] ? "" : "");
				if (strncmp(to->ev.s, want, 7) ||
				    strchr(to->ev.s, ';') ||
				    to->got_len != sizes[j] ||
				    (sizes[j] &&
				     memcmp(to->got, data, sizes[j]))) {
					diag("%zu bytes %s: %s", sizes[j],
					     dir ? "to the client"
						 : "to the server",
					     to->ev.s);
					all = 0;
				}
			}
		ok(all, "both: %s: every size arrives the same, both ways",
		   cases[k].name);
		ok(compressed[0] && compressed[1] == !(k == 4),
		   "both: %s: RSV1 on the client's%s", cases[k].name,
		   k == 4 ? ", not on the server's" : " and the server's");
		side_release(&c);
		side_release(&s);
	}
	free(data);
}

/* the size of the frames a message became */
static size_t
sent_size(struct side *from, struct side *to, const void *d, size_t n)
{
	size_t len;

	ws_proto_send_message(&from->p, WSX_MSG_TEXT, d, n, NULL);
	ws_proto_output(&from->p, &len);
	side_pass(from, to, NULL);
	return len;
}

static void
takeover(void)
{
	static const char msg[] =
		"a message long enough to be worth compressing, "
		"a message long enough to be worth compressing";
	struct ws_agreed on = { .deflate = true }, off = on;
	struct side c, s;
	size_t first, second;

	side_init(&c, WS_ROLE_CLIENT, &on, 0, false, 0);
	side_init(&s, WS_ROLE_SERVER, &on, 0, false, 0);
	first = sent_size(&c, &s, msg, sizeof(msg) - 1);
	second = sent_size(&c, &s, msg, sizeof(msg) - 1);
	ok(second < first / 2,
	   "context takeover: the same message again is a few bytes (%zu, then %zu)",
	   first, second);
	is_size(s.got_len, sizeof(msg) - 1,
		"context takeover: and arrives whole");
	side_release(&c);
	side_release(&s);

	off.params.client_no_context_takeover = true;
	side_init(&c, WS_ROLE_CLIENT, &off, 0, false, 0);
	side_init(&s, WS_ROLE_SERVER, &off, 0, false, 0);
	first = sent_size(&c, &s, msg, sizeof(msg) - 1);
	second = sent_size(&c, &s, msg, sizeof(msg) - 1);
	is_size(second, first,
		"client_no_context_takeover: the same message again costs the same");
	is_mem(s.got, s.got_len, msg, sizeof(msg) - 1,
	       "client_no_context_takeover: and arrives whole");
	side_release(&c);
	side_release(&s);
}

static void
fragments(void)
{
	struct ws_agreed a = { .deflate = true };
	struct side c, s;
	struct wt_log frames = { .n = 0 };
	struct wsx_err err = { 0, "" };

	side_init(&c, WS_ROLE_CLIENT, &a, 0, false, 0);
	side_init(&s, WS_ROLE_SERVER, &a, 0, false, 0);
	ws_proto_send_fragment(&c.p, WSX_MSG_TEXT, "Hello, ", 7, false, &err);
	ws_proto_send_fragment(&c.p, WSX_MSG_TEXT, "", 0, false, &err);
	ws_proto_send_fragment(&c.p, WSX_MSG_TEXT, "world", 5, true, &err);
	ws_proto_send_fragment(&c.p, WSX_MSG_TEXT, "again", 5, false, &err);
	ws_proto_send_fragment(&c.p, WSX_MSG_TEXT, "", 0, true, &err);
	side_pass(&c, &s, &frames);
	ok(!strncmp(frames.s, "TEXT+*:", 7) && !strstr(frames.s, "CONT+*") &&
		   !strstr(frames.s, "CONT*") && strstr(frames.s, "; CONT:"),
	   "fragments: RSV1 on the first frame only (%s)", frames.s);
	is_str(s.ev.s, "text:Hello, world; text:again",
	       "fragments: compressed in parts, each flush, arrive whole");
	side_release(&c);
	side_release(&s);
}

/* a message of n zero bytes, compressed by a sender without limits */
static size_t
bomb(unsigned char *out, size_t cap, size_t n)
{
	struct ws_deflate d;
	struct ws_deflate_params p = { 0 };
	struct wsx_buf b;
	unsigned char *zeros = calloc(1, n);
	size_t len;

	ws_deflate_init(&d, &p, true, SIZE_MAX);
	wsx_buf_init(&b, 0, SIZE_MAX / 2);
	ws_deflate_compress(&d, zeros, n, true, &b);
	len = b.len < cap ? b.len : cap;
	memcpy(out, wsx_buf_data(&b), len);
	wsx_buf_release(&b);
	ws_deflate_release(&d);
	free(zeros);
	return len;
}

static void
bombs(void)
{
	struct ws_agreed a = { .deflate = true };
	static unsigned char z[1 << 16];
	unsigned char frame[(1 << 16) + 16];
	size_t zl = bomb(z, sizeof(z), 10u << 20), fl;

	for (int stream = 0; stream < 2; stream++) {
		struct side c;

		side_init(&c, WS_ROLE_CLIENT, &a, 1 << 20, stream, 0);
		fl = ws_frame_build(frame, WS_OP_BINARY, true, WS_RSV1, zl,
				    NULL);
		memcpy(frame + fl, z, zl);
		ws_proto_receive(&c.p, frame, fl + zl);
		is_str(c.ev.s, "fail 1009",
		       "bomb: 10 MiB of zeros in %zu bytes fail 1009 at a 1 MiB limit%s",
		       zl, stream ? " (streaming)" : "");
		ok(c.p.msg.cap <= (1 << 20) + 16384 + 1,
		   "bomb: and never buffered much past the limit");
		side_release(&c);
	}
	{
		struct side c;

		zl = bomb(z, sizeof(z), 1 << 20);
		side_init(&c, WS_ROLE_CLIENT, &a, 1 << 20, false, 0);
		fl = ws_frame_build(frame, WS_OP_BINARY, true, WS_RSV1, zl,
				    NULL);
		memcpy(frame + fl, z, zl);
		ws_proto_receive(&c.p, frame, fl + zl);
		is_size(c.got_len, 1 << 20,
			"bomb: exactly the limit is a message");
		side_release(&c);
	}
}

int
main(void)
{
	negotiation();
	answer_checks();
	rfc_examples();
	round_trips();
	takeover();
	fragments();
	bombs();
	return done_testing();
}
