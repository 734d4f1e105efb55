/*
 * wsx check's cases for the handshake, framing, pings and pongs, reserved
 * bits and opcodes, and fragmentation (RFC 6455 4, 5.2-5.5).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check/cases_int.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "ws/frame.h"
#include "ws/handshake.h"

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="

void
chk_pattern(unsigned char *p, size_t len, bool text)
{
	for (size_t i = 0; i < len; i++)
		p[i] = text ? (unsigned char)('a' + i % 26)
			    : (unsigned char)(i * 7 + 0xfe);
}

void
chk_pause(struct chk_ctx *x, unsigned ms)
{
	uint64_t now = wsx_now_us(), until = now + ms * 1000ull;
	struct timespec ts;

	if (until > x->conn.deadline_us)
		until = x->conn.deadline_us;
	if (until <= now)
		return;
	ts.tv_sec = (time_t)((until - now) / 1000000);
	ts.tv_nsec = (long)((until - now) % 1000000 * 1000);
	nanosleep(&ts, NULL);
}

/* --- handshake -------------------------------------------------------- */

enum {
	HS_OK,
	HS_VERSION,
	HS_NO_KEY,
	HS_BAD_KEY,
	HS_CONN_LIST,
	HS_CASE,
	HS_POST,
	HS_NO_UPGRADE,
	HS_VERSION_HEADER,
};

static bool
hs_has_token(const char *list, const char *token)
{
	size_t n = strlen(token);

	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!strncasecmp(p, token, n) &&
		    (p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

/* The 101's headers: Upgrade, Connection, Sec-WebSocket-Accept. */
static void
hs_check_101(struct chk_ctx *x, const char *head)
{
	char v[256], want[WS_ACCEPT_LEN];

	ws_handshake_accept_key(want, KEY);
	if (!chk_http_header(head, "Sec-WebSocket-Accept", v, sizeof(v)))
		chk_fail(x, "Sec-WebSocket-Accept", "no Sec-WebSocket-Accept");
	else if (strcmp(v, want))
		chk_fail(x, "Sec-WebSocket-Accept: " KEY,
			 "Sec-WebSocket-Accept: %.60s", v);
	else if (!chk_http_header(head, "Upgrade", v, sizeof(v)) ||
		 strcasecmp(v, "websocket"))
		chk_fail(x, "Upgrade: websocket", "no Upgrade: websocket");
	else if (!chk_http_header(head, "Connection", v, sizeof(v)) ||
		 !hs_has_token(v, "upgrade"))
		chk_fail(x, "Connection: Upgrade", "no Connection: Upgrade");
}

CASE(hs_request)
{
	const char *method = k->n == HS_POST ? "POST" : "GET";
	const char *upgrade = k->n == HS_CASE ? "upgrade: WebSocket\r\n"
			      : k->n == HS_NO_UPGRADE
				      ? ""
				      : "Upgrade: websocket\r\n";
	const char *conn = k->n == HS_CONN_LIST
				   ? "Connection: keep-alive, Upgrade\r\n"
			   : k->n == HS_CASE ? "connection: upgrade\r\n"
					     : "Connection: Upgrade\r\n";
	const char *key = k->n == HS_NO_KEY ? ""
			  : k->n == HS_BAD_KEY
				  ? "Sec-WebSocket-Key: c2hvcnQ=\r\n"
				  : "Sec-WebSocket-Key: " KEY "\r\n";
	const char *version =
		k->n == HS_VERSION || k->n == HS_VERSION_HEADER ? "99" : "13";
	bool ok = k->n == HS_OK || k->n == HS_CONN_LIST || k->n == HS_CASE;
	char req[4096], head[8192], v[128];
	int status;

	if (chk_conn_open(&x->conn, x->target)) {
		chk_fail(x, "a connection", "%s", x->conn.why);
		return;
	}
	snprintf(req, sizeof(req),
		 "%s %s HTTP/1.1\r\nHost: %s\r\n%s%s%s"
		 "Sec-WebSocket-Version: %s\r\n%s\r\n",
		 method, x->target->path, x->target->hostport, upgrade, conn,
		 key, version, k->n == HS_POST ? "Content-Length: 0\r\n" : "");
	chk_conn_write(&x->conn, req, strlen(req));
	status = chk_conn_http(&x->conn, head, sizeof(head));
	if (status < 0 && k->n == HS_NO_UPGRADE) {
		chk_info(x, "answered as plain HTTP: %s", x->conn.why);
		return;
	}
	if (status < 0) {
		chk_fail(x, ok ? "101 Switching Protocols" : "an HTTP 4xx",
			 "%s", x->conn.why);
		return;
	}
	if (ok) {
		if (status != 101)
			chk_fail(x, "101 Switching Protocols", "HTTP %d",
				 status);
		else if (k->n == HS_OK)
			hs_check_101(x, head);
		if (status == 101)
			chk_finish(x);
		return;
	}
	if (status == 101) {
		chk_fail(x, "a refusal", "101 Switching Protocols");
		return;
	}
	if (k->n == HS_NO_UPGRADE && (status < 400 || status > 499)) {
		/* without Upgrade it is plain HTTP: the server's own business
		 */
		chk_info(x, "answered as plain HTTP: %d", status);
		return;
	}
	if (status < 400 || status > 499) {
		chk_fail(x, "an HTTP 4xx", "HTTP %d", status);
		return;
	}
	if (k->n == HS_VERSION && status != 426)
		chk_weak(x, "HTTP 426 (\"such as\" in 4.4)", "HTTP %d", status);
	if (k->n != HS_VERSION_HEADER)
		return;
	/* 4.4: a refusal MUST name the versions the server speaks */
	if (!chk_http_header(head, "Sec-WebSocket-Version", v, sizeof(v)) ||
	    !hs_has_token(v, "13"))
		chk_fail(x, "Sec-WebSocket-Version: 13 in the refusal",
			 "HTTP %d without it", status);
}

/* --- framing ---------------------------------------------------------- */

/* n bytes of text (data "t") or binary, echoed. */
CASE(fr_len)
{
	bool text = k->data && k->data[0] == 't';
	uint8_t op = text ? WS_OP_TEXT : WS_OP_BINARY;
	unsigned char *p = xmalloc((size_t)k->n + 1);

	chk_pattern(p, (size_t)k->n, text);
	if (chk_open(x)) {
		chk_send(x, CHK_FIN | op, p, (size_t)k->n);
		if (chk_want_msg(x, op, p, (size_t)k->n))
			chk_finish(x);
	}
	free(p);
}

/* A 64 KiB text frame written in pieces of k->n bytes. */
CASE(fr_chunked)
{
	size_t len = 65536, n, chunk = (size_t)k->n;
	unsigned char *p = xmalloc(len), *bytes;

	chk_pattern(p, len, true);
	if (chk_open(x)) {
		bytes = chk_frame_bytes(&x->conn, CHK_FIN | WS_OP_TEXT, p, len,
					CHK_LEN_MINIMAL, &n);
		for (size_t off = 0; off < n; off += chunk)
			chk_conn_write(&x->conn, bytes + off,
				       n - off < chunk ? n - off : chunk);
		free(bytes);
		if (chk_want_msg(x, WS_OP_TEXT, p, len))
			chk_finish(x);
	}
	free(p);
}

/* A length not in its shortest form: the RFC binds senders, so either way. */
CASE(fr_nonminimal)
{
	struct chk_ev ev;
	char got[200];

	if (!chk_open(x))
		return;
	chk_conn_send(&x->conn, CHK_FIN | WS_OP_TEXT, k->data, k->len,
		      (unsigned)k->n);
	chk_next(x, &ev, 0);
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type == CHK_EV_MSG && ev.len == k->len &&
	    !memcmp(ev.data, k->data, k->len))
		chk_info(x, "accepted and echoed");
	else if (ev.type == CHK_EV_CLOSE || ev.type == CHK_EV_EOF)
		chk_info(x, "refused: %s", got);
	else
		chk_fail(x, "an echo or a close", "%s", got);
}

CASE(fr_topbit)
{
	struct chk_ev ev;
	char got[200];

	(void)k;
	if (!chk_open(x))
		return;
	chk_conn_send(&x->conn, CHK_FIN | WS_OP_BINARY, "abcde", 5,
		      CHK_LEN_TOPBIT);
	chk_next(x, &ev, 0);
	chk_ev_describe(&ev, got, sizeof(got));
	if (ev.type == CHK_EV_TIMEOUT)
		/* a server with no size limit waits for 2^63 bytes: the
		 * RFC binds the sender here, but the wait is a weakness */
		chk_weak(x, "close 1002 or 1009",
			 "no answer: it waits for "
			 "the payload");
	else if (ev.type == CHK_EV_EOF)
		chk_weak(x, "close 1002 or 1009", "%s", got);
	else if (ev.type != CHK_EV_CLOSE ||
		 (ev.code != 1002 && ev.code != 1009))
		chk_fail(x, "close 1002 or 1009", "%s", got);
}

CASE(fr_unmasked)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_conn_send(&x->conn, CHK_FIN | WS_OP_TEXT, "unmasked", 8,
		      CHK_UNMASKED);
	chk_want_fail(x, 1002, 0);
}

/* A frame written one byte per write. */
static void
chk_write_bytewise(struct chk_ctx *x, uint8_t b0, const void *p, size_t len)
{
	size_t n;
	unsigned char *bytes =
		chk_frame_bytes(&x->conn, b0, p, len, CHK_LEN_MINIMAL, &n);

	for (size_t i = 0; i < n; i++) {
		chk_conn_write(&x->conn, bytes + i, 1);
		chk_pause(x, 1);
	}
	free(bytes);
}

CASE(fr_bytewise)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_write_bytewise(x, CHK_FIN | WS_OP_TEXT, "one byte at a time", 18);
	if (chk_want_msg(x, WS_OP_TEXT, "one byte at a time", 18))
		chk_finish(x);
}

/* --- pings and pongs ---------------------------------------------------- */

/* A ping with k->data (or k->n pattern bytes) answered by its pong. */
CASE(ping_echo)
{
	unsigned char p[WS_FRAME_MAX_CONTROL];
	size_t len = k->data ? k->len : (size_t)k->n;

	if (k->data)
		memcpy(p, k->data, len);
	else
		chk_pattern(p, len, false);
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_PING, p, len);
	if (chk_want_pong(x, p, len))
		chk_finish(x);
}

CASE(ping_bytewise)
{
	unsigned char p[WS_FRAME_MAX_CONTROL];

	(void)k;
	chk_pattern(p, sizeof(p), false);
	if (!chk_open(x))
		return;
	chk_write_bytewise(x, CHK_FIN | WS_OP_PING, p, sizeof(p));
	if (chk_want_pong(x, p, sizeof(p)))
		chk_finish(x);
}

CASE(ping_too_long)
{
	unsigned char p[126];

	chk_pattern(p, sizeof(p), false);
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | (uint8_t)k->n, p, sizeof(p));
	chk_want_fail(x, 1002, 0);
}

/* A pong nobody asked for is ignored: the close comes next. */
CASE(pong_unsolicited)
{
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_PONG, k->data, k->len);
	chk_finish(x);
}

CASE(pong_then_ping)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_PONG, "unsolicited", 11);
	chk_send(x, CHK_FIN | WS_OP_PING, "solicited", 9);
	if (chk_want_pong(x, "solicited", 9))
		chk_finish(x);
}

/* 5.5.3: a server may answer only the latest of pings it has not
 * answered yet; answering each is what a client expects. */
CASE(ping_ten)
{
	char p[16], got[200];
	struct chk_ev ev;
	int seen = 0;
	bool last = false;

	(void)k;
	if (!chk_open(x))
		return;
	for (int i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "ping %d", i);
		chk_send(x, CHK_FIN | WS_OP_PING, p, strlen(p));
	}
	while (!last) {
		chk_next(x, &ev, 0);
		if (ev.type != CHK_EV_PONG) {
			chk_ev_describe(&ev, got, sizeof(got));
			chk_fail(x, "ten pongs", "%d pongs, then %s", seen,
				 got);
			return;
		}
		seen++;
		last = ev.len == 6 && !memcmp(ev.data, "ping 9", 6);
	}
	if (seen != 10)
		chk_weak(x, "ten pongs",
			 "%d pongs, the last one for the last ping", seen);
	chk_finish(x);
}

/* --- reserved bits and opcodes ----------------------------------------- */

/* One frame with first byte k->n: RSV bits or an opcode unknown here. */
CASE(bad_first_byte)
{
	if (!chk_open(x))
		return;
	chk_send(x, (uint8_t)k->n, k->data, k->len);
	chk_want_fail(x, 1002, 0);
}

/* A text message echoed, then the bad frame. */
CASE(bad_after_echo)
{
	if (!chk_open(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_TEXT, "hello", 5);
	chk_send(x, (uint8_t)k->n, k->data, k->len);
	if (chk_want_msg(x, WS_OP_TEXT, "hello", 5))
		chk_want_fail(x, 1002, 0);
}

/* --- fragmentation ------------------------------------------------------ */

CASE(frag_text)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, "fragment1", 9);
	chk_send(x, CHK_FIN | WS_OP_CONT, "fragment2", 9);
	if (chk_want_msg(x, WS_OP_TEXT, "fragment1fragment2", 18))
		chk_finish(x);
}

/* Three fragments with a ping between each (k->n ms apart): pongs and
 * the message, pongs in order, the message whole. */
CASE(frag_ping_between)
{
	struct chk_ev ev;
	char got[200];
	int pongs = 0;
	bool msg = false;

	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, "frag1", 5);
	chk_pause(x, (unsigned)k->n);
	chk_send(x, CHK_FIN | WS_OP_PING, "ping1", 5);
	chk_pause(x, (unsigned)k->n);
	chk_send(x, WS_OP_CONT, "frag2", 5);
	chk_pause(x, (unsigned)k->n);
	chk_send(x, CHK_FIN | WS_OP_PING, "ping2", 5);
	chk_pause(x, (unsigned)k->n);
	chk_send(x, CHK_FIN | WS_OP_CONT, "frag3", 5);
	while (pongs < 2 || !msg) {
		chk_next(x, &ev, 0);
		chk_ev_describe(&ev, got, sizeof(got));
		if (ev.type == CHK_EV_PONG && pongs < 2 && ev.len == 5 &&
		    !memcmp(ev.data, pongs ? "ping2" : "ping1", 5)) {
			pongs++;
		} else if (ev.type == CHK_EV_MSG && !msg &&
			   ev.opcode == WS_OP_TEXT && ev.len == 15 &&
			   !memcmp(ev.data, "frag1frag2frag3", 15)) {
			msg = true;
		} else {
			chk_fail(x,
				 "two pongs and the message 'frag1frag2frag3'",
				 "%d pongs%s, then %s", pongs,
				 msg ? " and the message" : "", got);
			return;
		}
	}
	chk_finish(x);
}

/* k->n bytes of binary, one fragment per byte. */
CASE(frag_bytes)
{
	size_t n = (size_t)k->n;
	unsigned char *p = xmalloc(n);

	chk_pattern(p, n, false);
	if (chk_open(x)) {
		for (size_t i = 0; i < n; i++)
			chk_send(x,
				 (i == n - 1 ? CHK_FIN : 0) |
					 (i ? WS_OP_CONT : WS_OP_BINARY),
				 p + i, 1);
		if (chk_want_msg(x, WS_OP_BINARY, p, n))
			chk_finish(x);
	}
	free(p);
}

CASE(frag_empty)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, "", 0);
	chk_send(x, WS_OP_CONT, "", 0);
	chk_send(x, CHK_FIN | WS_OP_CONT, "", 0);
	if (chk_want_msg(x, WS_OP_TEXT, "", 0))
		chk_finish(x);
}

/* Frames that break fragmentation: k->data holds first bytes, one per
 * frame, each with payload "frag". */
CASE(frag_bad)
{
	if (!chk_open(x))
		return;
	for (size_t i = 0; i < k->len; i++)
		chk_send(x, (uint8_t)k->data[i], "frag", 4);
	chk_want_fail(x, 1002, 0);
}

/* A close between fragments is a control frame like any other. */
CASE(frag_close_between)
{
	(void)k;
	if (!chk_open(x))
		return;
	chk_send(x, WS_OP_TEXT, "never ends", 10);
	chk_close(x, 1000);
}
