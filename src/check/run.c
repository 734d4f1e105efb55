/*
 * The steps wsx check's cases are written with; see run.h. Each step
 * reads with the case's deadline, so a server that says nothing costs a
 * case its --timeout and no more.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/run.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "ws/frame.h"
#include "ws/handshake.h"

const char *
chk_verdict_name(enum chk_verdict v)
{
	static const char *const names[] = {
		[CHK_PASS] = "pass",
		[CHK_FAIL] = "fail",
		[CHK_NON_STRICT] = "non-strict",
		[CHK_INFO] = "info",
		[CHK_SKIPPED] = "skipped",
	};

	return v < CHK_NVERDICTS ? names[v] : "?";
}

static void
chk_set(struct chk_ctx *x, enum chk_verdict v, const char *expected,
	const char *fmt, va_list ap)
{
	x->r->verdict = v;
	snprintf(x->r->expected, sizeof(x->r->expected), "%s",
		 expected ? expected : "");
	vsnprintf(x->r->got, sizeof(x->r->got), fmt, ap);
}

bool
chk_fail(struct chk_ctx *x, const char *expected, const char *fmt, ...)
{
	va_list ap;

	if (x->r->verdict != CHK_FAIL) {
		va_start(ap, fmt);
		chk_set(x, CHK_FAIL, expected, fmt, ap);
		va_end(ap);
	}
	return false;
}

void
chk_weak(struct chk_ctx *x, const char *expected, const char *fmt, ...)
{
	va_list ap;

	if (x->r->verdict != CHK_PASS)
		return;
	va_start(ap, fmt);
	chk_set(x, CHK_NON_STRICT, expected, fmt, ap);
	va_end(ap);
}

void
chk_info(struct chk_ctx *x, const char *fmt, ...)
{
	va_list ap;

	if (x->r->verdict != CHK_PASS)
		return;
	va_start(ap, fmt);
	chk_set(x, CHK_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
chk_run_case(const struct chk_target *t, uint64_t timeout_us,
	     const struct chk_case *k, struct chk_result *r)
{
	struct chk_ctx x = { .target = t, .timeout_us = timeout_us, .r = r };
	uint64_t start = wsx_now_us();

	memset(r, 0, sizeof(*r));
	chk_conn_init(&x.conn);
	x.conn.deadline_us = start + timeout_us;
	wsx_buf_init(&x.inflated, 0, CHK_MAX_FRAME);
	k->run(&x, k);
	chk_conn_release(&x.conn);
	free(x.msg);
	if (x.deflate)
		ws_deflate_release(&x.dfl);
	wsx_buf_release(&x.inflated);
	r->us = wsx_now_us() - start;
}

bool
chk_open(struct chk_ctx *x)
{
	char req[4096], head[8192];
	int status;

	if (chk_conn_open(&x->conn, x->target))
		return chk_fail(x, "a connection", "%s", x->conn.why);
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\n"
		 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
		 x->target->path, x->target->hostport,
		 x->offer ? "Sec-WebSocket-Extensions: " : "",
		 x->offer ? x->offer : "", x->offer ? "\r\n" : "");
	chk_conn_write(&x->conn, req, strlen(req));
	status = chk_conn_http(&x->conn, head, sizeof(head));
	if (status < 0)
		return chk_fail(x, "101 Switching Protocols", "%s",
				x->conn.why);
	if (status != 101)
		return chk_fail(x, "101 Switching Protocols", "HTTP %d",
				status);
	if (!chk_http_header(head, "Sec-WebSocket-Extensions", x->ext,
			     sizeof(x->ext)))
		x->ext[0] = '\0';
	return true;
}

void
chk_send(struct chk_ctx *x, uint8_t b0, const void *data, size_t len)
{
	chk_conn_send(&x->conn, b0, data, len, CHK_LEN_MINIMAL);
}

static void
chk_msg_append(struct chk_ctx *x, const unsigned char *p, size_t n)
{
	if (x->msg_len + n + 1 > x->msg_cap) {
		x->msg_cap = (x->msg_len + n + 1) * 2;
		x->msg = xrealloc(x->msg, x->msg_cap);
	}
	if (n)
		memcpy(x->msg + x->msg_len, p, n);
	x->msg_len += n;
}

static void
chk_bad(struct chk_ev *ev, const char *what)
{
	ev->type = CHK_EV_BAD;
	snprintf(ev->what, sizeof(ev->what), "%s", what);
}

/* One frame into an event, or false when it is only part of a message. */
static bool
chk_frame_event(struct chk_ctx *x, const struct chk_frame *f, struct chk_ev *ev)
{
	if (f->masked)
		return chk_bad(ev, "a masked frame from the server"), true;
	if (f->rsv && !(x->deflate && f->rsv == WS_RSV1 &&
			(f->opcode == WS_OP_TEXT || f->opcode == WS_OP_BINARY)))
		return chk_bad(ev, "a frame with RSV bits set"), true;
	switch (f->opcode) {
	case WS_OP_PING:
	case WS_OP_PONG:
	case WS_OP_CLOSE:
		if (!f->fin || f->len > WS_FRAME_MAX_CONTROL)
			return chk_bad(ev,
				       "a fragmented or long control frame"),
			       true;
		memcpy(x->ctl, f->data, f->len);
		ev->data = x->ctl;
		ev->len = f->len;
		if (f->opcode == WS_OP_CLOSE) {
			ev->type = CHK_EV_CLOSE;
			ev->code = f->len >= 2 ? f->data[0] << 8 | f->data[1]
					       : 1005;
			if (f->len == 1)
				chk_bad(ev, "a close payload of one byte");
		} else {
			ev->type = f->opcode == WS_OP_PING ? CHK_EV_PING
							   : CHK_EV_PONG;
		}
		return true;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (x->msg_op)
			return chk_bad(ev,
				       "a new message inside a fragmented one"),
			       true;
		x->msg_op = f->opcode;
		x->msg_deflated = f->rsv;
		x->msg_len = 0;
		break;
	case WS_OP_CONT:
		if (!x->msg_op)
			return chk_bad(ev,
				       "a continuation frame with no message"),
			       true;
		break;
	default:
		return chk_bad(ev, "a frame with a reserved opcode"), true;
	}
	chk_msg_append(x, f->data, f->len);
	if (!f->fin)
		return false;
	ev->type = CHK_EV_MSG;
	ev->opcode = x->msg_op;
	ev->data = x->msg;
	ev->len = x->msg_len;
	x->msg_op = 0;
	if (x->msg_deflated) {
		size_t total = 0;

		wsx_buf_clear(&x->inflated);
		if (ws_deflate_decompress(&x->dfl, x->msg, x->msg_len, true,
					  &x->inflated, &total))
			return chk_bad(ev, "a compressed message that does "
					   "not inflate"),
			       true;
		ev->data = wsx_buf_data(&x->inflated);
		ev->len = x->inflated.len;
	}
	return true;
}

void
chk_next(struct chk_ctx *x, struct chk_ev *ev, uint64_t until_us)
{
	uint64_t saved = x->conn.deadline_us;

	memset(ev, 0, sizeof(*ev));
	if (until_us && until_us < saved)
		x->conn.deadline_us = until_us;
	for (;;) {
		struct chk_frame f;
		enum chk_read rc = chk_conn_frame(&x->conn, &f);

		if (rc == CHK_READ_FRAME) {
			if (chk_frame_event(x, &f, ev))
				break;
			continue;
		}
		if (rc == CHK_READ_BAD)
			chk_bad(ev, x->conn.why);
		else
			ev->type = rc == CHK_READ_EOF ? CHK_EV_EOF
						      : CHK_EV_TIMEOUT;
		break;
	}
	x->conn.deadline_us = saved;
}

void
chk_ev_describe(const struct chk_ev *ev, char *buf, size_t size)
{
	char shown[64];

	switch (ev->type) {
	case CHK_EV_MSG:
		snprintf(buf, size, "a %s message of %zu bytes",
			 ev->opcode == WS_OP_TEXT ? "text" : "binary", ev->len);
		break;
	case CHK_EV_PING:
		snprintf(buf, size, "a ping of %zu bytes", ev->len);
		break;
	case CHK_EV_PONG:
		snprintf(buf, size, "a pong of %zu bytes", ev->len);
		break;
	case CHK_EV_CLOSE:
		if (ev->len > 2) {
			wsx_printable(shown, sizeof(shown), ev->data + 2,
				      ev->len - 2);
			snprintf(buf, size, "close %d '%s'", ev->code, shown);
		} else {
			snprintf(buf, size, "close %d%s", ev->code,
				 ev->len ? "" : " (empty)");
		}
		break;
	case CHK_EV_EOF:
		snprintf(buf, size, "the connection dropped without a close");
		break;
	case CHK_EV_TIMEOUT:
		snprintf(buf, size, "nothing in time");
		break;
	case CHK_EV_BAD:
		snprintf(buf, size, "%s", ev->what);
		break;
	}
}

/* Answer a close from the server, so it can end the TCP connection. */
static void
chk_close_reply(struct chk_ctx *x, const struct chk_ev *ev)
{
	unsigned char p[2] = { (unsigned char)(ev->code >> 8),
			       (unsigned char)ev->code };

	chk_send(x, CHK_FIN | WS_OP_CLOSE, p, ev->len >= 2 ? 2 : 0);
}

static bool
chk_describe_diff(const struct chk_ev *ev, const void *data, size_t len,
		  char *got, size_t size)
{
	size_t i = 0;

	if (ev->len != len) {
		snprintf(got, size, "%zu bytes instead of %zu", ev->len, len);
		return false;
	}
	while (i < len && ev->data[i] == ((const unsigned char *)data)[i])
		i++;
	if (i < len) {
		snprintf(got, size, "bytes differing from byte %zu", i);
		return false;
	}
	return true;
}

bool
chk_want_msg(struct chk_ctx *x, uint8_t opcode, const void *data, size_t len)
{
	char want[96], got[200];
	struct chk_ev ev;

	snprintf(want, sizeof(want), "the %s message of %zu bytes echoed",
		 opcode == WS_OP_TEXT ? "text" : "binary", len);
	chk_next(x, &ev, 0);
	if (ev.type != CHK_EV_MSG || ev.opcode != opcode) {
		chk_ev_describe(&ev, got, sizeof(got));
		return chk_fail(x, want, "%s", got);
	}
	if (!chk_describe_diff(&ev, data, len, got, sizeof(got)))
		return chk_fail(x, want, "%s", got);
	return true;
}

bool
chk_want_pong(struct chk_ctx *x, const void *data, size_t len)
{
	char want[96], got[200];
	struct chk_ev ev;

	snprintf(want, sizeof(want), "a pong of %zu bytes with the ping's data",
		 len);
	chk_next(x, &ev, 0);
	if (ev.type != CHK_EV_PONG) {
		chk_ev_describe(&ev, got, sizeof(got));
		return chk_fail(x, want, "%s", got);
	}
	if (!chk_describe_diff(&ev, data, len, got, sizeof(got)))
		return chk_fail(x, want, "a pong of %s", got);
	return true;
}

bool
chk_want_fail(struct chk_ctx *x, int code, int code2)
{
	char want[96], got[200];
	struct chk_ev ev;

	if (code2)
		snprintf(want, sizeof(want), "close %d or %d", code, code2);
	else
		snprintf(want, sizeof(want), "close %d", code);
	for (;;) {
		chk_next(x, &ev, 0);
		if (ev.type != CHK_EV_PING && ev.type != CHK_EV_PONG)
			break;
	}
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type == CHK_EV_EOF) {
		chk_weak(x, want, "%s", got);
		return true;
	}
	if (ev.type != CHK_EV_CLOSE)
		return chk_fail(x, want, "%s", got);
	chk_close_reply(x, &ev);
	if (ev.code != code && (!code2 || ev.code != code2))
		return chk_fail(x, want, "%s", got);
	return true;
}

/*
 * Close with code; strict: the close handshake is what the case checks,
 * else a missing or wrong answer is only NON-STRICT (group 7 fails it).
 */
static bool
chk_close_as(struct chk_ctx *x, int code, bool strict)
{
	unsigned char p[2] = { (unsigned char)(code >> 8),
			       (unsigned char)code };
	char want[96], got[200];
	struct chk_ev ev;

	chk_send(x, CHK_FIN | WS_OP_CLOSE, p, code ? 2 : 0);
	if (code)
		snprintf(want, sizeof(want), "close %d back", code);
	else
		snprintf(want, sizeof(want), "a close back");
	chk_next(x, &ev, 0);
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type != CHK_EV_CLOSE) {
		if (strict)
			return chk_fail(x, want, "%s", got);
		chk_weak(x, want, "%s (see the close cases, 7.*)", got);
		return true;
	}
	if (code && ev.code != code && ev.len)
		chk_weak(x, want, "%s", got);
	else if (!code && ev.len && ev.code != 1000)
		chk_weak(x, want, "%s", got);
	if (!chk_conn_wait_eof(&x->conn, x->conn.deadline_us))
		chk_weak(x, "the server closing the TCP connection",
			 "it stayed open after the close handshake");
	return true;
}

bool
chk_close(struct chk_ctx *x, int code)
{
	return chk_close_as(x, code, true);
}

bool
chk_finish(struct chk_ctx *x)
{
	return chk_close_as(x, 1000, false);
}
