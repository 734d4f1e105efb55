/*
 * Fuzz the opening handshake's parsers through ws/proto: as a server, the
 * input is a request (split in two at a fuzzer-chosen point); as a client,
 * it is the server's answer, where "{A}" stands for the right
 * Sec-WebSocket-Accept so the fuzzer can reach an open connection. The
 * events must be REQUEST then OPEN, or a FAIL; what a server answers must
 * itself parse as an HTTP response; an agreed subprotocol was offered.
 *
 * Input: byte 0 picks the role (bit 0) and the split point; the rest is
 * the head and whatever follows it.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "ws/proto.h"

static const char *const protos[] = { "chat", "superchat" };

struct seen {
	int n;
	enum ws_event_type first, second;
	bool failed;
};

static void
on_event(void *arg, struct ws_event *ev)
{
	struct seen *s = arg;

	if (s->n == 0)
		s->first = ev->type;
	else if (s->n == 1)
		s->second = ev->type;
	if (ev->type == WS_EV_FAIL) {
		FUZZ_ASSERT(!s->failed);
		FUZZ_ASSERT(ev->reason && ev->reason[0]);
		s->failed = true;
	}
	if (ev->type == WS_EV_OPEN && ev->agreed->subprotocol[0])
		FUZZ_ASSERT(!strcmp(ev->agreed->subprotocol, "chat") ||
			    !strcmp(ev->agreed->subprotocol, "superchat"));
	s->n++;
}

static void
server(const uint8_t *data, size_t size, size_t cut)
{
	static const struct ws_deflate_params want = {
		.client_max_window_bits = 12,
	};
	static const struct ws_server_hs hs = { protos, 2, &want, NULL };
	struct seen s = { 0 };
	struct ws_proto_opts o = { .role = WS_ROLE_SERVER,
				   .server = &hs,
				   .on_event = on_event,
				   .arg = &s,
				   .max_message = 4096 };
	struct ws_proto p;
	unsigned char *copy = malloc(size + 1);
	const unsigned char *out;
	size_t olen;

	ws_proto_init(&p, &o, NULL);
	memcpy(copy, data, size);
	ws_proto_receive(&p, copy, cut);
	ws_proto_receive(&p, copy + cut, size - cut);
	free(copy);
	out = ws_proto_output(&p, &olen);
	if (s.n) {
		FUZZ_ASSERT(s.first == WS_EV_REQUEST || s.first == WS_EV_FAIL);
		if (s.first == WS_EV_REQUEST)
			FUZZ_ASSERT(s.second == WS_EV_OPEN);
		/* our answer is well-formed HTTP, whatever came in */
		{
			struct ws_http h;
			const char *why;
			char *head = malloc(olen + 1);
			size_t end;

			FUZZ_ASSERT(out && olen <= 2048 + 2 * size);
			memcpy(head, out, olen);
			end = ws_http_head_end(head, olen, 0);
			FUZZ_ASSERT(end);
			FUZZ_ASSERT(ws_http_parse_response(&h, head, end,
							   &why) == 0);
			FUZZ_ASSERT(h.status == 101 ||
				    (s.failed && h.status >= 400));
			if (h.status == 101) {
				int n;

				FUZZ_ASSERT(ws_http_get(&h,
							"Sec-WebSocket-Accept",
							&n) &&
					    n == 1);
			}
			free(head);
		}
	} else {
		FUZZ_ASSERT(olen == 0);
		FUZZ_ASSERT(ws_proto_state(&p) == WS_STATE_CONNECTING);
	}
	ws_proto_eof(&p);
	ws_proto_release(&p);
}

static void
client(const uint8_t *data, size_t size, size_t cut)
{
	static const struct ws_deflate_params offer = {
		.client_max_window_bits = WS_DEFLATE_BITS_ANY,
		.server_max_window_bits = 12,
	};
	struct ws_client_hs c = { .host = "h",
				  .target = "/",
				  .subprotocols = protos,
				  .nsubprotocols = 2,
				  .deflate = &offer };
	struct seen s = { 0 };
	struct ws_proto_opts o = { .role = WS_ROLE_CLIENT,
				   .client = &c,
				   .on_event = on_event,
				   .arg = &s,
				   .max_message = 4096 };
	struct ws_proto p;
	char accept[WS_ACCEPT_LEN];
	unsigned char *in = malloc(size * 28 + 1);
	size_t n = 0, olen;

	ws_proto_init(&p, &o, NULL);
	ws_proto_output(&p, &olen);
	ws_proto_consume(&p, olen);
	ws_handshake_accept_key(accept, p.key);
	for (size_t i = 0; i < size; i++) {
		if (i + 3 <= size && !memcmp(data + i, "{A}", 3)) {
			memcpy(in + n, accept, 28);
			n += 28;
			i += 2;
		} else {
			in[n++] = data[i];
		}
	}
	if (cut > n)
		cut = n;
	ws_proto_receive(&p, in, cut);
	ws_proto_receive(&p, in + cut, n - cut);
	free(in);
	if (s.n) {
		FUZZ_ASSERT(s.first == WS_EV_OPEN || s.first == WS_EV_FAIL);
		/* a client answers a bad head with nothing at all */
		if (s.first == WS_EV_FAIL) {
			ws_proto_output(&p, &olen);
			FUZZ_ASSERT(olen == 0);
		}
	}
	ws_proto_eof(&p);
	ws_proto_release(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut;

	if (size < 1)
		return 0;
	cut = (size_t)(data[0] >> 1) * (size - 1) / 127;
	if (data[0] & 1)
		client(data + 1, size - 1, cut);
	else
		server(data + 1, size - 1, cut);
	return 0;
}
