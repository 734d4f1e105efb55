/*
 * wsx check's cases for UTF-8 in text messages (RFC 6455 8.1), the
 * closing handshake (5.5.1, 7.4) and message size limits (10.4).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/cases_int.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "ws/frame.h"

/* --- UTF-8 ------------------------------------------------------------ */

CASE(utf8_valid)
{
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_TEXT, k->data, k->len);
	if (chk_want_msg(x, WS_OP_TEXT, k->data, k->len))
		chk_finish(x);
}

CASE(utf8_invalid)
{
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_TEXT, k->data, k->len);
	chk_want_fail(x, 1007, 0);
}

/* Valid text in two fragments split after byte k->n. */
CASE(utf8_split)
{
	size_t at = (size_t)k->n;

	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, k->data, at);
	chk_send(x, CHK_FIN | WS_OP_CONT, k->data + at, k->len - at);
	if (chk_want_msg(x, WS_OP_TEXT, k->data, k->len))
		chk_finish(x);
}

/*
 * k->n > 0: valid text in fragments of k->n bytes, echoed. k->n < 0:
 * invalid text in two fragments split after byte -k->n, failed with 1007.
 */
CASE(utf8_frags)
{
	size_t step = k->n > 0 ? (size_t)k->n : 1;
	bool valid = k->n > 0;

	if (!chk_open(x))
		return;
	if (!valid) {
		/* -n: two fragments split after byte n */
		size_t at = (size_t)-k->n;

		chk_send(x, WS_OP_TEXT, k->data, at);
		chk_send(x, CHK_FIN | WS_OP_CONT, k->data + at, k->len - at);
		chk_want_fail(x, 1007, 0);
		return;
	}
	for (size_t off = 0; off < k->len; off += step) {
		size_t n = k->len - off < step ? k->len - off : step;

		chk_send(x,
			 (off + n == k->len ? CHK_FIN : 0) |
				 (off ? WS_OP_CONT : WS_OP_TEXT),
			 k->data + off, n);
	}
	if (chk_want_msg(x, WS_OP_TEXT, k->data, k->len))
		chk_finish(x);
}

/* How long a server gets to fail fast before the rest is sent. */
static unsigned
chk_fast_ms(const struct chk_ctx *x)
{
	uint64_t ms = x->timeout_us / 4000;

	return ms > 1000 ? 1000 : (unsigned)ms;
}

/* Was the connection failed with 1007 before the rest was sent? */
static bool
chk_failed_early(struct chk_ctx *x)
{
	struct chk_ev ev;
	char got[200];

	chk_next(x, &ev, wsx_now_us() + chk_fast_ms(x) * 1000ull);
	if (ev.type == CHK_EV_TIMEOUT)
		return false;
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type == CHK_EV_CLOSE && ev.code == 1007) {
		unsigned char p[2] = { 0x03, 0xef };

		chk_send(x, CHK_FIN | WS_OP_CLOSE, p, 2);
		return true;
	}
	if (ev.type == CHK_EV_EOF) {
		chk_weak(x, "close 1007", "%s", got);
		return true;
	}
	chk_fail(x, "close 1007", "%s", got);
	return true;
}

/*
 * The first fragment (k->n bytes of k->data) holds invalid UTF-8: the
 * connection should fail on it, before the last fragment comes.
 */
CASE(utf8_fail_fast)
{
	size_t at = (size_t)k->n;

	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, k->data, at);
	if (chk_failed_early(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_CONT, k->data + at, k->len - at);
	if (chk_want_fail(x, 1007, 0))
		chk_weak(x, "close 1007 on the first fragment",
			 "close 1007 only once the message was whole");
}

/* The same inside one frame: its first k->n payload bytes, then the rest. */
CASE(utf8_fail_fast_frame)
{
	size_t n, h;
	unsigned char *bytes;

	if (!chk_open(x))
		return;
	bytes = chk_frame_bytes(&x->conn, CHK_FIN | WS_OP_TEXT, k->data, k->len,
				CHK_LEN_MINIMAL, &n);
	h = n - k->len;
	chk_conn_write(&x->conn, bytes, h + (size_t)k->n);
	if (!chk_failed_early(x)) {
		chk_conn_write(&x->conn, bytes + h + k->n,
			       k->len - (size_t)k->n);
		if (chk_want_fail(x, 1007, 0))
			chk_weak(x, "close 1007 on the first bytes",
				 "close 1007 only once the frame was whole");
	}
	free(bytes);
}

/* --- close ------------------------------------------------------------ */

CASE(close_code)
{
	if (chk_open(x))
		chk_close(x, (int)k->n);
}

/* A close payload of k->data: answered when k->n is 0, else failed with
 * code k->n. */
CASE(close_raw)
{
	struct chk_ev ev;
	char got[200];

	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_CLOSE, k->data, k->len);
	if (k->n) {
		chk_want_fail(x, (int)k->n, 0);
		return;
	}
	chk_next(x, &ev, 0);
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type != CHK_EV_CLOSE)
		chk_fail(x, "a close back", "%s", got);
	else if (ev.code == 1002 || ev.code == 1007)
		chk_fail(x, "the same close code back", "%s", got);
	else if (ev.code != (k->data[0] << 8 | (unsigned char)k->data[1]))
		chk_weak(x, "the same close code back", "%s", got);
}

/* A close and a frame after it in one write (k->n: the frame's first byte):
 * the close is answered, the frame ignored. */
CASE(close_then)
{
	unsigned char code[2] = { 0x03, 0xe8 };
	size_t n1, n2;
	unsigned char *a = chk_frame_bytes(&x->conn, CHK_FIN | WS_OP_CLOSE,
					   code, 2, CHK_LEN_MINIMAL, &n1);
	unsigned char *b = chk_frame_bytes(&x->conn, (uint8_t)k->n, k->data,
					   k->len, CHK_LEN_MINIMAL, &n2);
	struct chk_ev ev;
	char got[200];

	a = xrealloc(a, n1 + n2);
	memcpy(a + n1, b, n2);
	if (chk_open(x)) {
		chk_conn_write(&x->conn, a, n1 + n2);
		chk_next(x, &ev, 0);
		chk_ev_describe(&ev, got, sizeof(got));
		if (ev.type != CHK_EV_CLOSE)
			chk_fail(x, "close 1000 back and nothing else", "%s",
				 got);
		else if (!chk_conn_wait_eof(&x->conn, x->conn.deadline_us))
			chk_fail(x, "close 1000 back and nothing else",
				 "more after the close, or no end of TCP");
	}
	free(a);
	free(b);
}

CASE(close_after_echo)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_TEXT, "last words", 10);
	if (chk_want_msg(x, WS_OP_TEXT, "last words", 10))
		chk_close(x, 1000);
}

/* A close with a code no endpoint may send: a protocol error. */
CASE(close_bad_code)
{
	unsigned char p[2] = { (unsigned char)(k->n >> 8),
			       (unsigned char)k->n };

	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_CLOSE, p, 2);
	chk_want_fail(x, 1002, 0);
}

/* --- limits ------------------------------------------------------------ */

/* k->n bytes of binary in fragments of k->len bytes (0: one frame):
 * echoed is a pass, a refusal (1009) is what the server allows. */
CASE(limit_size)
{
	size_t n = (size_t)k->n, step = k->len ? k->len : n;
	unsigned char *p = xmalloc(n);
	struct chk_ev ev;
	char got[200];

	chk_pattern(p, n, false);
	if (chk_open(x)) {
		for (size_t off = 0; off < n; off += step) {
			size_t m = n - off < step ? n - off : step;

			chk_send(x,
				 (off + m == n ? CHK_FIN : 0) |
					 (off ? WS_OP_CONT : WS_OP_BINARY),
				 p + off, m);
		}
		chk_next(x, &ev, 0);
		chk_ev_describe(&ev, got, sizeof(got));
		if (ev.type == CHK_EV_MSG && ev.opcode == WS_OP_BINARY &&
		    ev.len == n && !memcmp(ev.data, p, n))
			chk_finish(x);
		else if (ev.type == CHK_EV_CLOSE || ev.type == CHK_EV_EOF ||
			 ev.type == CHK_EV_TIMEOUT)
			chk_info(x, "not echoed: %s", got);
		else
			chk_fail(x, "the message echoed, or a close 1009", "%s",
				 got);
	}
	free(p);
}
