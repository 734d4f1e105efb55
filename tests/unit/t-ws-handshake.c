#include "config.h"
/* ws/handshake and ws/http through the engine: a table of requests and the
 * status each gets from a server, a table of answers and what a client
 * makes of each, the request a client builds, error answers, subprotocol
 * choice, a REQUEST event that refuses, and frames right behind a head. */

#include <stdlib.h>

#include "ws-test.h"

#define REQ_HEAD "GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
#define REQ_UP	 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
#define REQ_KEY	 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
#define REQ_VER	 "Sec-WebSocket-Version: 13\r\n"
#define REQ_OK	 REQ_HEAD REQ_UP REQ_KEY REQ_VER "\r\n"

static const struct {
	const char *name, *req;
	int status; /* 101 or the error answered */
} requests[] = {
	{ "a minimal request", REQ_OK, 101 },
	{ "the RFC's example (4.1)",
	  REQ_HEAD REQ_UP REQ_KEY
	  "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n" REQ_VER
	  "\r\n",
	  101 },
	{ "POST is refused 405",
	  "POST /chat HTTP/1.1\r\nHost: a\r\n" REQ_UP REQ_KEY REQ_VER "\r\n",
	  405 },
	{ "HTTP/1.0 is refused 400",
	  "GET /chat HTTP/1.0\r\nHost: a\r\n" REQ_UP REQ_KEY REQ_VER "\r\n",
	  400 },
	{ "HTTP/2.0 on the request line is refused 400",
	  "GET /chat HTTP/2.0\r\nHost: a\r\n" REQ_UP REQ_KEY REQ_VER "\r\n",
	  400 },
	{ "no Host is refused 400",
	  "GET / HTTP/1.1\r\n" REQ_UP REQ_KEY REQ_VER "\r\n", 400 },
	{ "two Hosts are refused 400",
	  REQ_HEAD "Host: b\r\n" REQ_UP REQ_KEY REQ_VER "\r\n", 400 },
	{ "no Upgrade is refused 400",
	  REQ_HEAD "Connection: Upgrade\r\n" REQ_KEY REQ_VER "\r\n", 400 },
	{ "Upgrade: h2c is refused 400",
	  REQ_HEAD "Upgrade: h2c\r\nConnection: Upgrade\r\n" REQ_KEY REQ_VER
		   "\r\n",
	  400 },
	{ "Upgrade tokens are case-insensitive",
	  REQ_HEAD
	  "Upgrade: WebSocket\r\nConnection: Upgrade\r\n" REQ_KEY REQ_VER
	  "\r\n",
	  101 },
	{ "Upgrade is a token list",
	  REQ_HEAD
	  "Upgrade: foo/1, websocket\r\nConnection: Upgrade\r\n" REQ_KEY REQ_VER
	  "\r\n",
	  101 },
	{ "Connection without Upgrade is refused 400",
	  REQ_HEAD
	  "Upgrade: websocket\r\nConnection: keep-alive\r\n" REQ_KEY REQ_VER
	  "\r\n",
	  400 },
	{ "no Connection is refused 400",
	  REQ_HEAD "Upgrade: websocket\r\n" REQ_KEY REQ_VER "\r\n", 400 },
	{ "Connection is a token list (Firefox's keep-alive, Upgrade)",
	  REQ_HEAD
	  "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" REQ_KEY
		  REQ_VER "\r\n",
	  101 },
	{ "Connection tokens are case-insensitive",
	  REQ_HEAD
	  "Upgrade: websocket\r\nConnection: UPGRADE\r\n" REQ_KEY REQ_VER
	  "\r\n",
	  101 },
	{ "a token that only starts with Upgrade is not Upgrade",
	  REQ_HEAD
	  "Upgrade: websocket\r\nConnection: Upgraded\r\n" REQ_KEY REQ_VER
	  "\r\n",
	  400 },
	{ "Connection over two header lines",
	  REQ_HEAD
	  "Upgrade: websocket\r\nConnection: keep-alive\r\nConnection: upgrade\r\n" REQ_KEY
		  REQ_VER "\r\n",
	  101 },
	{ "version 8 is refused 426",
	  REQ_HEAD REQ_UP REQ_KEY "Sec-WebSocket-Version: 8\r\n\r\n", 426 },
	{ "no version is refused 426", REQ_HEAD REQ_UP REQ_KEY "\r\n", 426 },
	{ "a list of versions is refused 426",
	  REQ_HEAD REQ_UP REQ_KEY "Sec-WebSocket-Version: 13, 8\r\n\r\n", 426 },
	{ "no key is refused 400", REQ_HEAD REQ_UP REQ_VER "\r\n", 400 },
	{ "a key of 15 bytes is refused 400",
	  REQ_HEAD REQ_UP "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n" REQ_VER
			  "\r\n",
	  400 },
	{ "a key of 17 bytes is refused 400",
	  REQ_HEAD REQ_UP
	  "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAA=\r\n" REQ_VER "\r\n",
	  400 },
	{ "a key that is not base64 is refused 400",
	  REQ_HEAD REQ_UP
	  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!\r\n" REQ_VER "\r\n",
	  400 },
	{ "two keys are refused 400",
	  REQ_HEAD REQ_UP REQ_KEY REQ_KEY REQ_VER "\r\n", 400 },
	{ "bare LF line ends are refused 400",
	  "GET / HTTP/1.1\nHost: a\r\n" REQ_UP REQ_KEY REQ_VER "\r\n", 400 },
	{ "a folded header line is refused 400",
	  REQ_HEAD REQ_UP " more\r\n" REQ_KEY REQ_VER "\r\n", 400 },
	{ "a header name with a space is refused 400",
	  REQ_HEAD "Bad Name: x\r\n" REQ_UP REQ_KEY REQ_VER "\r\n", 400 },
	{ "a request line with two spaces is refused 400",
	  "GET  /chat HTTP/1.1\r\nHost: a\r\n" REQ_UP REQ_KEY REQ_VER "\r\n",
	  400 },
	{ "two Origins are refused 400",
	  REQ_HEAD
	  "Origin: http://a\r\nOrigin: http://b\r\n" REQ_UP REQ_KEY REQ_VER
	  "\r\n",
	  400 },
};

static const char *const server_speaks[] = { "superchat", "chat" };

struct srv {
	struct ws_proto p;
	struct wt_log ev;
	int refuse; /* a REQUEST event answers this */
};

static void
srv_event(void *arg, struct ws_event *ev)
{
	struct srv *s = arg;

	wt_event(&s->ev, ev);
	if (ev->type == WS_EV_REQUEST && s->refuse) {
		ev->answer->status = s->refuse;
		ev->answer->message = "no thank you";
	}
}

/* Feed a request to a server; return the status it answered. */
static int
serve(struct srv *s, const char *req, size_t len, const char **out)
{
	static const struct ws_server_hs hs = { server_speaks, 2, NULL, NULL };
	struct ws_proto_opts o = { .role = WS_ROLE_SERVER,
				   .server = &hs,
				   .on_event = srv_event,
				   .arg = s };
	unsigned char *copy = malloc(len + 1);
	size_t olen;
	int status = 0;

	memset(&s->ev, 0, sizeof(s->ev));
	ws_proto_init(&s->p, &o, NULL);
	memcpy(copy, req, len);
	ws_proto_receive(&s->p, copy, len);
	free(copy);
	*out = (const char *)ws_proto_output(&s->p, &olen);
	if (*out && olen > 12)
		sscanf(*out, "HTTP/1.1 %d", &status);
	return status;
}

static void
request_table(void)
{
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		struct srv s = { .refuse = 0 };
		const char *out;
		int st = serve(&s, requests[i].req, strlen(requests[i].req),
			       &out);

		is_int(st, requests[i].status, "server: %s", requests[i].name);
		if (st == 426)
			ok(strstr(out, "\r\nSec-WebSocket-Version: 13\r\n") !=
				   NULL,
			   "server: a 426 names the version spoken");
		if (st == 405)
			ok(strstr(out, "\r\nAllow: GET\r\n") != NULL,
			   "server: a 405 names the method allowed");
		if (st != 101)
			is_int(ws_proto_tcp(&s.p), WS_TCP_DROP,
			       "server: %s: then drops TCP", requests[i].name);
		ws_proto_release(&s.p);
	}
}

static void
server_answers(void)
{
	struct srv s = { .refuse = 0 };
	const char *out;
	char req[1024];

	serve(&s, REQ_OK, strlen(REQ_OK), &out);
	ok(strstr(out,
		  "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") !=
		   NULL,
	   "server: the RFC's key gets the RFC's accept value (4.2.2)");
	ok(!strstr(out, "Sec-WebSocket-Protocol") &&
		   !strstr(out, "Sec-WebSocket-Extensions"),
	   "server: nothing asked, no subprotocol nor extension answered");
	is_str(s.ev.s, "request /chat; open", "server: REQUEST then OPEN");
	ws_proto_release(&s.p);

	snprintf(
		req, sizeof(req), "%s%s%s%s%s", REQ_HEAD, REQ_UP, REQ_KEY,
		"Sec-WebSocket-Protocol: v1, chat\r\nSec-WebSocket-Protocol: superchat\r\n",
		REQ_VER "\r\n");
	serve(&s, req, strlen(req), &out);
	ok(strstr(out, "\r\nSec-WebSocket-Protocol: chat\r\n") != NULL,
	   "server: the client's most preferred subprotocol it speaks is chosen");
	is_str(s.ev.s, "request /chat; open chat", "server: OPEN with chat");
	ws_proto_release(&s.p);

	snprintf(req, sizeof(req), "%s%s%s%s%s", REQ_HEAD, REQ_UP, REQ_KEY,
		 "Sec-WebSocket-Protocol: v1\r\n", REQ_VER "\r\n");
	serve(&s, req, strlen(req), &out);
	ok(!strstr(out, "Sec-WebSocket-Protocol"),
	   "server: no common subprotocol, none answered");
	ws_proto_release(&s.p);

	snprintf(req, sizeof(req), "%s%s%s%s%s", REQ_HEAD, REQ_UP, REQ_KEY,
		 "Sec-WebSocket-Extensions: permessage-deflate\r\n",
		 REQ_VER "\r\n");
	serve(&s, req, strlen(req), &out);
	ok(!strstr(out, "Sec-WebSocket-Extensions"),
	   "server: compression not configured, not answered");
	ws_proto_release(&s.p);

	for (int st = 0; st < 4; st++) {
		static const int codes[] = { 403, 404, 503, 401 };
		struct srv r = { .refuse = codes[st] };
		char want[64];

		snprintf(want, sizeof(want), "HTTP/1.1 %d ", codes[st]);
		serve(&r, REQ_OK, strlen(REQ_OK), &out);
		ok(!strncmp(out, want, strlen(want)) &&
			   strstr(out, "Connection: close\r\n") &&
			   strstr(out, "\r\n\r\nno thank you\n") &&
			   ws_proto_state(&r.p) == WS_STATE_CLOSED,
		   "server: a REQUEST answered %d refuses, with its message",
		   codes[st]);
		ws_proto_release(&r.p);
	}

	/* a request and a frame in one read: both are taken */
	snprintf(req, sizeof(req), "%s", REQ_OK);
	{
		size_t n = strlen(req);
		unsigned char frame[] = { 0x81, 0x82, 0, 0, 0, 0, 'H', 'i' };

		memcpy(req + n, frame, sizeof(frame));
		serve(&s, req, n + sizeof(frame), &out);
		is_str(s.ev.s, "request /chat; open; text:Hi",
		       "server: a frame right behind the request is read");
		ws_proto_release(&s.p);
	}
	{
		static const char nul[] =
			REQ_HEAD "X: a\0b\r\n" REQ_UP REQ_KEY REQ_VER "\r\n";

		is_int(serve(&s, nul, sizeof(nul) - 1, &out), 400,
		       "server: a NUL in the head is refused 400");
		ws_proto_release(&s.p);
	}
	/* a head over 8 KiB */
	{
		size_t n = 9000;
		char *big = malloc(n);

		memset(big, 'a', n);
		memcpy(big, REQ_HEAD "X: ", strlen(REQ_HEAD "X: "));
		is_int(serve(&s, big, n, &out), 431,
		       "server: a head over 8 KiB is refused 431");
		ws_proto_release(&s.p);
		free(big);
	}
}

static void
request_built(void)
{
	static const char *const protos[] = { "chat", "superchat" };
	struct ws_client_hs c = { .host = "server.example.com",
				  .target = "/chat",
				  .origin = "http://example.com",
				  .subprotocols = protos,
				  .nsubprotocols = 2 };
	struct wsx_buf out;
	struct wsx_err err = { 0, "" };
	char key[WS_KEY_LEN];
	const char *want =
		"GET /chat HTTP/1.1\r\nHost: server.example.com\r\n"
		"Upgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		"Sec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n"
		"Sec-WebSocket-Protocol: chat, superchat\r\n\r\n";

	wsx_buf_init(&out, 0, 1 << 16);
	is_int(ws_handshake_request(&out, &c,
				    (const uint8_t *)"the sample nonce", key,
				    &err),
	       0, "client: the RFC's request builds");
	is_mem(wsx_buf_data(&out), out.len, want, strlen(want),
	       "client: the request is the RFC's example (4.1)");
	is_str(key, "dGhlIHNhbXBsZSBub25jZQ==",
	       "client: the key is base64 of the nonce");
	wsx_buf_clear(&out);
	c.host = "evil\r\nX: y";
	is_int(ws_handshake_request(&out, &c,
				    (const uint8_t *)"the sample nonce", key,
				    &err),
	       -1, "client: a host holding CRLF is refused");
	c.host = "a";
	c.headers = "X-A: 1\r\n\r\nGET";
	is_int(ws_handshake_request(&out, &c,
				    (const uint8_t *)"the sample nonce", key,
				    &err),
	       -1, "client: extra headers that end the head early are refused");
	c.headers = NULL;
	c.subprotocols = (const char *const[]){ "a b" };
	c.nsubprotocols = 1;
	is_int(ws_handshake_request(&out, &c,
				    (const uint8_t *)"the sample nonce", key,
				    &err),
	       -1, "client: a subprotocol that is not a token is refused");
	wsx_buf_release(&out);
}

#define RESP_OK                                                                \
	"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"           \
	"Connection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\n"

static const struct {
	const char *name, *resp; /* without the final CRLF */
	const char *events;
} responses[] = {
	{ "a minimal 101", RESP_OK, "open" },
	{ "a 200 is refused with its status", "HTTP/1.1 200 OK\r\n",
	  "fail http 200" },
	{ "a 403 is refused with its status", "HTTP/1.1 403 Forbidden\r\n",
	  "fail http 403" },
	{ "a 101 without Upgrade is refused",
	  "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %ACCEPT%\r\n",
	  "fail http 101" },
	{ "a 101 without Connection is refused",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %ACCEPT%\r\n",
	  "fail http 101" },
	{ "a 101 without Accept is refused",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
	  "fail http 101" },
	{ "a wrong Accept is refused",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n",
	  "fail http 101" },
	{ "a subprotocol offered is agreed",
	  RESP_OK "Sec-WebSocket-Protocol: chat\r\n", "open chat" },
	{ "a subprotocol not offered is refused",
	  RESP_OK "Sec-WebSocket-Protocol: other\r\n", "fail http 101" },
	{ "two subprotocols are refused",
	  RESP_OK "Sec-WebSocket-Protocol: chat, superchat\r\n",
	  "fail http 101" },
	{ "an extension not offered is refused",
	  RESP_OK "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n",
	  "fail http 101" },
	{ "permessage-deflate as offered is agreed",
	  RESP_OK "Sec-WebSocket-Extensions: permessage-deflate\r\n",
	  "open deflate" },
	{ "permessage-deflate with an unknown parameter is refused",
	  RESP_OK "Sec-WebSocket-Extensions: permessage-deflate; x=1\r\n",
	  "fail http 101" },
	{ "permessage-deflate twice is refused",
	  RESP_OK
	  "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n",
	  "fail http 101" },
	{ "a bare LF in the answer is refused",
	  "HTTP/1.1 101 Switching Protocols\nUpgrade: websocket\r\n",
	  "fail http 0" },
};

static void
response_table(void)
{
	static const char *const protos[] = { "chat", "superchat" };
	static const struct ws_deflate_params want = { 0 };

	for (size_t i = 0; i < sizeof(responses) / sizeof(responses[0]); i++) {
		struct ws_client_hs c = { .host = "h",
					  .target = "/",
					  .subprotocols = protos,
					  .nsubprotocols = 2,
					  .deflate = &want };
		struct wt_log ev = { .n = 0 };
		struct ws_proto_opts o = { .role = WS_ROLE_CLIENT,
					   .client = &c,
					   .on_event = wt_on_event,
					   .arg = &ev };
		struct ws_proto p;
		char resp[1024], accept[WS_ACCEPT_LEN];
		const char *at;
		size_t n;

		ws_proto_init(&p, &o, NULL);
		ws_handshake_accept_key(accept, p.key);
		snprintf(resp, sizeof(resp), "%s\r\n", responses[i].resp);
		if ((at = strstr(resp, "%ACCEPT%")))
			snprintf(resp + (at - resp),
				 sizeof(resp) - (size_t)(at - resp), "%s%s",
				 accept,
				 strstr(responses[i].resp, "%ACCEPT%") + 8);
		if (at)
			strcat(resp, "\r\n");
		n = strlen(resp);
		/* and a frame right behind the head */
		memcpy(resp + n, "\x81\x02Hi", 4);
		ws_proto_receive(&p, (unsigned char *)resp, n + 4);
		if (!strcmp(responses[i].events, "fail http 0"))
			is_str(ev.s, "fail http 0", "client: %s",
			       responses[i].name);
		else if (!strncmp(responses[i].events, "open", 4)) {
			char want_ev[64];

			snprintf(want_ev, sizeof(want_ev), "%s; text:Hi",
				 responses[i].events);
			is_str(ev.s, want_ev, "client: %s", responses[i].name);
		} else {
			is_str(ev.s, responses[i].events, "client: %s",
			       responses[i].name);
		}
		ws_proto_release(&p);
	}
}

static void
accept_key(void)
{
	char out[WS_ACCEPT_LEN];

	ws_handshake_accept_key(out, "dGhlIHNhbXBsZSBub25jZQ==");
	is_str(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	       "accept: the RFC's example (1.3)");
}

/* A client engine and a server engine talk: the whole handshake. */
static void
end_to_end(void)
{
	static const char *const protos[] = { "chat" };
	struct ws_client_hs c = { .host = "localhost:8080",
				  .target = "/x?y=1",
				  .subprotocols = protos,
				  .nsubprotocols = 1 };
	struct wt_log cev = { .n = 0 };
	struct ws_proto_opts o = { .role = WS_ROLE_CLIENT,
				   .client = &c,
				   .on_event = wt_on_event,
				   .arg = &cev };
	struct ws_proto cp;
	struct srv s = { .refuse = 0 };
	const unsigned char *d;
	unsigned char buf[4096];
	size_t n;
	const char *out;

	ws_proto_init(&cp, &o, NULL);
	d = ws_proto_output(&cp, &n);
	memcpy(buf, d, n);
	ws_proto_consume(&cp, n);
	serve(&s, (const char *)buf, n, &out);
	is_str(s.ev.s, "request /x?y=1; open chat",
	       "both: the server opens with chat");
	d = ws_proto_output(&s.p, &n);
	memcpy(buf, d, n);
	ws_proto_receive(&cp, buf, n);
	is_str(cev.s, "open chat", "both: the client opens with chat");
	ws_proto_release(&cp);
	ws_proto_release(&s.p);
}

int
main(void)
{
	accept_key();
	request_table();
	server_answers();
	request_built();
	response_table();
	end_to_end();
	return done_testing();
}
