/*
 * The connection's state machine and its opening handshake; see proto.h.
 * Frames in are recv.c's, frames out send.c's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "util/xalloc.h"
#include "ws/proto_int.h"

#define WS_DEFAULT_MAX_MESSAGE (16u << 20)

void
ws_proto_emit(struct ws_proto *p, struct ws_event *ev)
{
	if (p->o.on_event)
		p->o.on_event(p->o.arg, ev);
}

/*
 * Every change of state happens here, so the rules that hang on the state
 * ("nothing after our Close", "no frames before the handshake") are each
 * one comparison elsewhere. Inputs that do not apply leave it as it is.
 */
void
ws_proto_enter(struct ws_proto *p, enum ws_input in)
{
	enum ws_state s = p->state;

	switch (in) {
	case WS_IN_HANDSHAKE_DONE:
		if (s == WS_STATE_CONNECTING)
			s = WS_STATE_OPEN;
		break;
	case WS_IN_CLOSE_SENT:
		if (s == WS_STATE_OPEN)
			s = WS_STATE_CLOSING;
		break;
	case WS_IN_CLOSE_RECEIVED:
		if (s == WS_STATE_OPEN || s == WS_STATE_CLOSING)
			s = WS_STATE_CLOSED;
		break;
	case WS_IN_FAIL:
	case WS_IN_EOF:
		if (s != WS_STATE_CLOSED)
			p->failed = true;
		s = WS_STATE_CLOSED;
		break;
	}
	if (s == WS_STATE_CLOSED && p->state != WS_STATE_CLOSED)
		ws_recv_reset(p);
	p->state = s;
}

void
ws_proto_fail(struct ws_proto *p, int code, const char *reason)
{
	struct ws_event ev = { .type = WS_EV_FAIL,
			       .code = code,
			       .reason = reason };

	if (p->state == WS_STATE_CLOSED)
		return;
	/* the reason goes on the wire too: it is ours, short and ASCII */
	if (p->state == WS_STATE_OPEN)
		ws_send_close(p, code, reason,
			      strlen(reason) > 123 ? 123 : strlen(reason));
	ws_proto_enter(p, WS_IN_FAIL);
	ws_proto_emit(p, &ev);
}

/* zlib's streams only for a connection that agreed to compress */
static void
proto_deflate_start(struct ws_proto *p, const struct ws_deflate_params *params)
{
	p->z = xcalloc(1, sizeof(*p->z));
	p->zbuf = xmalloc(sizeof(*p->zbuf));
	wsx_buf_init(p->zbuf, 0, SIZE_MAX / 2);
	ws_deflate_init(p->z, params, p->o.role == WS_ROLE_SERVER,
			p->o.max_message);
}

static void
proto_head_free(struct ws_proto *p)
{
	if (!p->head)
		return;
	wsx_buf_release(p->head);
	free(p->head);
	p->head = NULL;
}

static void
proto_open(struct ws_proto *p, const struct ws_agreed *a,
	   const struct ws_http *h)
{
	struct ws_event ev = { .type = WS_EV_OPEN, .agreed = a, .http = h };

	p->deflate = a->deflate;
	if (p->deflate)
		proto_deflate_start(p, &a->params);
	ws_proto_enter(p, WS_IN_HANDSHAKE_DONE);
	ws_proto_emit(p, &ev);
	proto_head_free(p); /* after: ev.http points into it */
}

int
ws_proto_init(struct ws_proto *p, const struct ws_proto_opts *opts,
	      struct wsx_err *err)
{
	memset(p, 0, sizeof(*p));
	p->o = *opts;
	if (!p->o.max_message)
		p->o.max_message = WS_DEFAULT_MAX_MESSAGE;
	p->state = WS_STATE_CONNECTING;
	if (!opts->open) {
		p->head = xmalloc(sizeof(*p->head));
		wsx_buf_init(p->head, 0, WS_HTTP_MAX_HEAD);
	}
	/* one byte over max_message: the inflater's way to see a bomb */
	wsx_buf_init(&p->msg, 0, p->o.max_message + 1);
	wsx_buf_init(&p->out, 0, SIZE_MAX / 2);
	if (opts->open) {
		p->deflate = opts->open->deflate;
		if (p->deflate)
			proto_deflate_start(p, &opts->open->params);
		p->state = WS_STATE_OPEN;
		return 0;
	}
	if (p->o.role == WS_ROLE_CLIENT) {
		uint8_t nonce[16];

		if (!p->o.client)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "a client needs a request to make");
		if (getrandom(nonce, sizeof(nonce), 0) != sizeof(nonce))
			return wsx_err_set(
				err, WSX_EXIT_FAIL,
				"no randomness for the handshake key");
		if (ws_handshake_request(&p->out, p->o.client, nonce, p->key,
					 err))
			return -1;
	}
	return 0;
}

void
ws_proto_release(struct ws_proto *p)
{
	proto_head_free(p);
	wsx_buf_release(&p->msg);
	wsx_buf_release(&p->out);
	if (p->zbuf) {
		wsx_buf_release(p->zbuf);
		free(p->zbuf);
		p->zbuf = NULL;
	}
	free(p->keys);
	p->keys = NULL;
	free(p->ctl);
	p->ctl = NULL;
	free(p->ping);
	p->ping = NULL;
	if (p->z) {
		ws_deflate_release(p->z);
		free(p->z);
		p->z = NULL;
	}
	p->deflate = false;
}

enum ws_state
ws_proto_state(const struct ws_proto *p)
{
	return p->state;
}

enum ws_tcp
ws_proto_tcp(const struct ws_proto *p)
{
	if (p->state != WS_STATE_CLOSED)
		return WS_TCP_KEEP;
	/* RFC 6455 7.1.1: the server closes TCP first; a client that ended
	 * the close handshake cleanly gives the server time to do so */
	if (p->o.role == WS_ROLE_CLIENT && !p->failed)
		return WS_TCP_AWAIT;
	return WS_TCP_DROP;
}

/* Server: answer the request head; false when the connection ended. */
static bool
proto_answer(struct ws_proto *p, struct ws_http *h)
{
	static const struct ws_server_hs none = { 0 };
	const struct ws_server_hs *s = p->o.server ? p->o.server : &none;
	struct ws_request req;
	struct ws_answer ans = { 0 };
	struct ws_event ev = { .type = WS_EV_REQUEST,
			       .request = &req,
			       .answer = &ans };
	const char *why = NULL;
	int status;

	status = ws_handshake_check_request(h, &req, &why);
	if (!status)
		status = ws_handshake_negotiate(&req, s, &ans.agreed, &why);
	if (status) {
		struct ws_event fail = { .type = WS_EV_FAIL,
					 .status = status,
					 .reason = why };

		ws_handshake_error(&p->out, status, why);
		ws_proto_enter(p, WS_IN_FAIL);
		ws_proto_emit(p, &fail);
		return false;
	}
	ws_proto_emit(p, &ev);
	if (ans.status) {
		/* refused by the application, which knows why */
		ws_handshake_error(&p->out, ans.status, ans.message);
		ws_proto_enter(p, WS_IN_FAIL);
		return false;
	}
	ws_handshake_accept(&p->out, &req, s, &ans.agreed);
	proto_open(p, &ans.agreed, NULL);
	return true;
}

/* Client: check the answer head; false when the connection ended. */
static bool
proto_check(struct ws_proto *p, struct ws_http *h)
{
	struct wsx_err err = { 0, "" };
	struct ws_agreed a;

	if (ws_handshake_check_response(h, p->key, p->o.client, &a, &err)) {
		struct ws_event ev = { .type = WS_EV_FAIL,
				       .status = h->status,
				       .reason = err.msg,
				       .http = h };

		ws_proto_enter(p, WS_IN_FAIL);
		ws_proto_emit(p, &ev);
		return false;
	}
	proto_open(p, &a, h);
	return true;
}

/* Fail the handshake: a 400/431 for a server, an event either way. */
static void
proto_bad_head(struct ws_proto *p, int status, const char *why)
{
	struct ws_event ev = { .type = WS_EV_FAIL, .reason = why };

	if (p->o.role == WS_ROLE_SERVER) {
		ev.status = status;
		ws_handshake_error(&p->out, status, why);
	}
	ws_proto_enter(p, WS_IN_FAIL);
	ws_proto_emit(p, &ev);
}

/*
 * Gather the handshake head; once whole, check it and answer. Returns the
 * bytes of data it took: what follows the head is frames.
 */
static size_t
proto_head(struct ws_proto *p, unsigned char *data, size_t len)
{
	size_t room = WS_HTTP_MAX_HEAD - p->head->len,
	       n = len < room ? len : room;
	size_t end, before = p->head->len;
	struct ws_http h;
	const char *why = NULL;
	int rc;

	if (wsx_buf_append(p->head, data, n))
		n = 0;
	end = ws_http_head_end((const char *)wsx_buf_data(p->head),
			       p->head->len, p->head_scan);
	p->head_scan = p->head->len;
	/* an answer that cannot be HTTP fails now, not at a timeout */
	if (p->o.role == WS_ROLE_CLIENT &&
	    memcmp(wsx_buf_data(p->head), "HTTP/",
		   p->head->len < 5 ? p->head->len : 5)) {
		proto_bad_head(p, 0, "the answer is not HTTP");
		return len;
	}
	if (!end) {
		if (p->head->len == WS_HTTP_MAX_HEAD)
			proto_bad_head(p, 431,
				       "the handshake head is over 8 KiB");
		return len;
	}
	if (p->o.role == WS_ROLE_SERVER)
		rc = ws_http_parse_request(&h, (char *)wsx_buf_data(p->head),
					   end, &why);
	else
		rc = ws_http_parse_response(&h, (char *)wsx_buf_data(p->head),
					    end, &why);
	if (rc) {
		proto_bad_head(p, 400, why);
		return len;
	}
	if (p->o.role == WS_ROLE_SERVER)
		proto_answer(p, &h);
	else
		proto_check(p, &h);
	return end - before;
}

size_t
ws_proto_feed(struct ws_proto *p, unsigned char *data, size_t len)
{
	size_t used = 0;

	if (p->state == WS_STATE_CONNECTING && len) {
		used = proto_head(p, data, len);
		data += used;
		len -= used;
		/* a client refused: what follows the head is the answer's
		 * body, left for the transport to show */
		if (p->state == WS_STATE_CLOSED && p->o.role == WS_ROLE_CLIENT)
			return used;
	}
	if (p->state == WS_STATE_CLOSED)
		return used + len;
	if (p->state != WS_STATE_CONNECTING && len)
		used += ws_recv_frames(p, data, len);
	return used;
}

int
ws_proto_receive(struct ws_proto *p, unsigned char *data, size_t len)
{
	bool hold = p->hold;

	p->hold = false; /* everything, whatever the callback says */
	ws_proto_feed(p, data, len);
	p->hold = hold;
	return p->state == WS_STATE_CLOSED;
}

void
ws_proto_hold(struct ws_proto *p, bool hold)
{
	p->hold = hold;
}

void
ws_proto_answer_pings(struct ws_proto *p, bool answer)
{
	p->manual_pong = !answer;
}

void
ws_proto_eof(struct ws_proto *p)
{
	struct ws_event ev = { .type = WS_EV_CLOSE, .code = 1006 };

	if (p->state == WS_STATE_CLOSED)
		return;
	if (p->state == WS_STATE_CONNECTING) {
		ev.type = WS_EV_FAIL;
		ev.reason = "the connection ended during the handshake";
	}
	ws_proto_enter(p, WS_IN_EOF);
	ws_proto_emit(p, &ev);
}

const unsigned char *
ws_proto_output(const struct ws_proto *p, size_t *len)
{
	*len = p->out.len;
	return p->out.len ? wsx_buf_data(&p->out) : NULL;
}

void
ws_proto_consume(struct ws_proto *p, size_t n)
{
	wsx_buf_consume(&p->out, n);
	/*
	 * A drained buffer goes back at once when it is small (malloc hands
	 * it out again from its per-thread cache; the handshake answer's
	 * would stay on every idle connection) or big: malloc gives the same
	 * chunk, still in the cache, to the next connection that frames a
	 * burst, where 64 connections each keeping theirs meant copying
	 * through 16 MiB of cold memory. Sizes between stay for the next
	 * batch; ws_proto_trim() hands them back once the connection is
	 * quiet.
	 */
	if (!p->out.len && (p->out.cap <= 1024 || p->out.cap > 65536))
		wsx_buf_release(&p->out);
}

bool
ws_proto_holds_buffers(const struct ws_proto *p)
{
	return p->out.cap || p->msg.cap || (p->zbuf && p->zbuf->cap);
}

void
ws_proto_trim(struct ws_proto *p)
{
	if (!p->out.len)
		wsx_buf_release(&p->out);
	if (!p->msg.len)
		wsx_buf_release(&p->msg);
	if (p->zbuf && !p->zbuf->len)
		wsx_buf_release(p->zbuf);
}

bool
ws_close_code_valid(int code)
{
	/* 1004-1006 and 1015 are reserved or never sent; 1016-2999 are
	 * unassigned (IANA's registry ends at 1015); 3000-4999 are for
	 * libraries and applications */
	return (code >= 1000 && code <= 1003) ||
	       (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
