/*
 * Fuzz ws/proto's frame parser and state machine: the input is the peer's
 * bytes, fed once whole and once split at fuzzer-chosen points, in either
 * role, with or without permessage-deflate and streaming, echoing every
 * message back from inside the callback. Both runs must give the same
 * events; no event may follow a CLOSE or FAIL; messages keep their limit
 * and text stays UTF-8; the output stays within a bound of the input.
 *
 * Input: byte 0 picks role, deflate and its parameters, streaming and
 * fragment size; byte 1 seeds the split points; the rest is the stream.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "ws/proto.h"

#define FUZZ_MAX_MESSAGE 4096

struct run {
	struct ws_proto p;
	uint64_t hash; /* of the events, pieces of a message joined */
	size_t events, echoed;
	bool ended;	      /* a CLOSE or FAIL was seen */
	struct wsx_utf8 text; /* a text message so far */
	size_t msg_len;
	uint64_t msg_hash; /* its bytes: they count once it is whole, as
			      a stream that failed midway may have shown
			      more or less of it depending on the split */
};

static void
mix(uint64_t *h, const void *d, size_t n)
{
	const unsigned char *s = d;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ s[i]) * 0x100000001b3ull;
}

static void
on_event(void *arg, struct ws_event *ev)
{
	struct run *r = arg;
	int t = ev->type;

	FUZZ_ASSERT(!r->ended);
	switch (ev->type) {
	case WS_EV_MESSAGE:
		if (ev->first) {
			wsx_utf8_init(&r->text);
			r->msg_len = 0;
			r->msg_hash = 0xcbf29ce484222325ull;
		}
		r->msg_len += ev->len;
		FUZZ_ASSERT(r->msg_len <= FUZZ_MAX_MESSAGE);
		if (ev->msg_type == WSX_MSG_TEXT)
			FUZZ_ASSERT(wsx_utf8_feed(&r->text, ev->data, ev->len));
		mix(&r->msg_hash, ev->data, ev->len);
		if (!ev->fin)
			return; /* pieces of one message count as one */
		mix(&r->hash, &r->msg_hash, sizeof(r->msg_hash));
		if (ev->msg_type == WSX_MSG_TEXT)
			FUZZ_ASSERT(wsx_utf8_complete(&r->text));
		mix(&r->hash, &ev->msg_type, sizeof(ev->msg_type));
		/* echo it from inside the callback, as a server would */
		if (ws_proto_state(&r->p) == WS_STATE_OPEN && !r->p.o.stream &&
		    !ws_proto_send_message(&r->p, ev->msg_type, ev->data,
					   ev->len, NULL))
			r->echoed += ev->len;
		break;
	case WS_EV_PING:
	case WS_EV_PONG:
		FUZZ_ASSERT(ev->len <= 125);
		mix(&r->hash, ev->data, ev->len);
		break;
	case WS_EV_CLOSE:
		FUZZ_ASSERT(ev->code == 1005 || ev->code == 1006 ||
			    ws_close_code_valid(ev->code));
		FUZZ_ASSERT(wsx_utf8_valid(ev->data, ev->len));
		mix(&r->hash, &ev->code, sizeof(ev->code));
		mix(&r->hash, ev->data, ev->len);
		r->ended = true;
		break;
	case WS_EV_FAIL:
		FUZZ_ASSERT(ev->code == 1002 || ev->code == 1007 ||
			    ev->code == 1009);
		FUZZ_ASSERT(ev->reason && ev->reason[0]);
		mix(&r->hash, &ev->code, sizeof(ev->code));
		r->ended = true;
		break;
	default:
		FUZZ_ASSERT(0); /* no handshake here */
	}
	mix(&r->hash, &t, sizeof(t));
	r->events++;
}

static void
run(struct run *r, const struct ws_proto_opts *base, const uint8_t *data,
    size_t size, uint64_t seed)
{
	struct ws_proto_opts o = *base;
	size_t at = 0, out_len, total_out = 0;

	memset(r, 0, sizeof(*r));
	r->hash = 0xcbf29ce484222325ull;
	o.on_event = on_event;
	o.arg = r;
	ws_proto_init(&r->p, &o, NULL);
	while (at < size) {
		size_t n = size - at;
		unsigned char *piece;

		if (seed) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			n = 1 + seed % 67;
			if (n > size - at)
				n = size - at;
		}
		/* a copy of its own: the engine unmasks in place, and ASan
		 * sees any read past the piece */
		piece = malloc(n);
		memcpy(piece, data + at, n);
		ws_proto_receive(&r->p, piece, n);
		free(piece);
		at += n;
		ws_proto_output(&r->p, &out_len);
		/* pongs, an echo, one Close: never more than that */
		FUZZ_ASSERT(total_out + out_len <=
			    3 * at + 2 * r->echoed + 40 * r->events + 256);
		if (seed & 1) {
			total_out += out_len;
			ws_proto_consume(&r->p, out_len);
		}
	}
	ws_proto_eof(&r->p);
	FUZZ_ASSERT(ws_proto_state(&r->p) == WS_STATE_CLOSED);
	ws_proto_output(&r->p, &out_len);
	r->echoed = total_out + out_len; /* compared between the runs */
	ws_proto_release(&r->p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_agreed agreed;
	struct ws_proto_opts o;
	static struct run whole, split;
	uint8_t f;

	if (size < 2)
		return 0;
	f = data[0];
	memset(&agreed, 0, sizeof(agreed));
	agreed.deflate = f & 2;
	agreed.params.server_no_context_takeover = f & 4;
	agreed.params.client_no_context_takeover = f & 8;
	agreed.params.server_max_window_bits = (f & 16) ? 8 + (f >> 5) : 0;
	agreed.params.client_max_window_bits = (f & 16) ? 15 - (f >> 5) : 0;
	memset(&o, 0, sizeof(o));
	o.role = f & 1 ? WS_ROLE_CLIENT : WS_ROLE_SERVER;
	o.open = &agreed;
	o.max_message = FUZZ_MAX_MESSAGE;
	o.stream = (f & 0x60) == 0x60;
	o.fragment_size = f & 0x80 ? 7 : 0;
	run(&whole, &o, data + 2, size - 2, 0);
	run(&split, &o, data + 2, size - 2,
	    0x9E3779B97F4A7C15ull * (data[1] + 1));
	/* the same events, however the bytes came */
	FUZZ_ASSERT(whole.hash == split.hash);
	FUZZ_ASSERT(whole.events == split.events);
	FUZZ_ASSERT(whole.echoed == split.echoed);
	return 0;
}
