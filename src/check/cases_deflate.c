/*
 * wsx check's cases for permessage-deflate (RFC 7692), run with
 * --compress: the negotiation, then compressed messages both ways.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/cases_int.h"
#include "util/xalloc.h"

/*
 * Offer k->data as Sec-WebSocket-Extensions (offered: what it asks for)
 * and set permessage-deflate up as the server answered. False when the
 * case is over: the server declined (INFO) or answered wrongly (FAIL).
 */
static bool
dfl_open(struct chk_ctx *x, const char *offer,
	 const struct ws_deflate_params *offered)
{
	struct ws_deflate_params agreed = { 0 };
	const char *why = NULL, *v;

	x->offer = offer;
	if (!chk_open(x))
		return false;
	v = x->ext;
	if (!*v) {
		chk_info(x, "the server declined permessage-deflate");
		return false;
	}
	if (strncasecmp(v, "permessage-deflate", 18) || strchr(v, ',') ||
	    ws_deflate_check_answer(v + 18, strlen(v + 18), offered, &agreed,
				    &why))
		return chk_fail(x, "a permessage-deflate answer to the offer",
				"Sec-WebSocket-Extensions: %.80s%s%s", v,
				why ? ": " : "", why ? why : "");
	ws_deflate_init(&x->dfl, &agreed, false, CHK_MAX_FRAME);
	x->deflate = true;
	return true;
}

/* The default offer, as browsers make it. */
static bool
dfl_open_default(struct chk_ctx *x)
{
	struct ws_deflate_params p = { .client_max_window_bits =
					       WS_DEFLATE_BITS_ANY };

	return dfl_open(x, "permessage-deflate; client_max_window_bits", &p);
}

/* Send a message compressed, in nfrag frames (RSV1 on the first). */
static void
dfl_send(struct chk_ctx *x, uint8_t op, const void *data, size_t len,
	 size_t nfrag, uint8_t rsv_later)
{
	struct wsx_buf z;
	size_t zl, step, off = 0;

	wsx_buf_init(&z, 0, CHK_MAX_FRAME);
	ws_deflate_compress(&x->dfl, data, len, true, &z);
	zl = z.len;
	step = nfrag > 1 ? (zl + nfrag - 1) / nfrag : zl;
	if (!step)
		step = 1;
	do {
		size_t n = zl - off < step ? zl - off : step;

		chk_send(x,
			 (off + n >= zl ? CHK_FIN : 0) |
				 (off ? WS_OP_CONT | rsv_later : op | WS_RSV1),
			 wsx_buf_data(&z) + off, n);
		off += n;
	} while (off < zl);
	wsx_buf_release(&z);
}

/* 12.*: the offer in k->data; k->n: a server_max_window_bits asked for,
 * 1 for server_no_context_takeover; then a compressed round trip. */
CASE(dfl_negotiate)
{
	struct ws_deflate_params p = { 0 };
	char msg[] = "Hello, permessage-deflate";

	if (k->n == 1)
		p.server_no_context_takeover = true;
	else if (k->n)
		p.server_max_window_bits = (int)k->n;
	if (strstr(k->data, "client_max_window_bits"))
		p.client_max_window_bits = WS_DEFLATE_BITS_ANY;
	if (!dfl_open(x, k->data, &p))
		return;
	if (k->n == 1 && !strcasestr(x->ext, "server_no_context_takeover")) {
		chk_fail(x, "server_no_context_takeover in the answer",
			 "Sec-WebSocket-Extensions: %.80s", x->ext);
		return;
	}
	dfl_send(x, WS_OP_TEXT, msg, strlen(msg), 1, 0);
	if (chk_want_msg(x, WS_OP_TEXT, msg, strlen(msg)))
		chk_finish(x);
}

/* An offer the server must decline (RFC 7692 5): no permessage-deflate
 * in a 101, or a refusal. */
CASE(dfl_decline)
{
	char head[8192], req[4096];
	int status;

	if (chk_conn_open(&x->conn, x->target)) {
		chk_fail(x, "a connection", "%s", x->conn.why);
		return;
	}
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\n"
		 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\n"
		 "Sec-WebSocket-Extensions: %s\r\n\r\n",
		 x->target->path, x->target->hostport, k->data);
	chk_conn_write(&x->conn, req, strlen(req));
	status = chk_conn_http(&x->conn, head, sizeof(head));
	if (status < 0) {
		chk_fail(x, "101 without the extension, or a 4xx", "%s",
			 x->conn.why);
		return;
	}
	if (status != 101)
		return;
	if (chk_http_header(head, "Sec-WebSocket-Extensions", x->ext,
			    sizeof(x->ext)) &&
	    strcasestr(x->ext, k->len > 1 ? "=7" : "permessage-deflate"))
		chk_fail(x, "the offer declined",
			 "Sec-WebSocket-Extensions: %.80s", x->ext);
	else
		chk_finish(x);
}

/* 13.*: k->n bytes (or k->data) compressed, in k->len frames, echoed. */
CASE(dfl_echo)
{
	bool text = k->data != NULL;
	size_t len = text ? strlen(k->data) : (size_t)k->n;
	unsigned char *p = xmalloc(len + 1);

	if (text)
		memcpy(p, k->data, len);
	else
		chk_pattern(p, len, false);
	if (dfl_open_default(x)) {
		dfl_send(x, text ? WS_OP_TEXT : WS_OP_BINARY, p, len, k->len,
			 0);
		if (chk_want_msg(x, text ? WS_OP_TEXT : WS_OP_BINARY, p, len))
			chk_finish(x);
	}
	free(p);
}

CASE(dfl_plain)
{
	(void)k;
	if (!dfl_open_default(x))
		return;
	chk_send(x, CHK_FIN | WS_OP_TEXT, "not compressed", 14);
	if (chk_want_msg(x, WS_OP_TEXT, "not compressed", 14))
		chk_finish(x);
}

/* Ten messages, the compressor's context kept from one to the next. */
CASE(dfl_ten)
{
	char msg[64];

	(void)k;
	if (!dfl_open_default(x))
		return;
	for (int i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "message %d, mostly the same", i);
		dfl_send(x, WS_OP_TEXT, msg, strlen(msg), 1, 0);
	}
	for (int i = 0; i < 10; i++) {
		snprintf(msg, sizeof(msg), "message %d, mostly the same", i);
		if (!chk_want_msg(x, WS_OP_TEXT, msg, strlen(msg)))
			return;
	}
	chk_finish(x);
}

/* Wrong on a deflate connection: k->n selects what. */
CASE(dfl_bad)
{
	if (!dfl_open_default(x))
		return;
	switch (k->n) {
	case 0: /* RSV1 on a continuation frame */
		dfl_send(x, WS_OP_TEXT, "two fragments, RSV1 on both", 27, 2,
			 WS_RSV1);
		chk_want_fail(x, 1002, 0);
		break;
	case 1: /* RSV1 on a ping */
		chk_send(x, CHK_FIN | WS_RSV1 | WS_OP_PING, "ping", 4);
		chk_want_fail(x, 1002, 0);
		break;
	case 2: /* inflates to invalid UTF-8 */
		dfl_send(x, WS_OP_TEXT, k->data, k->len, 1, 0);
		chk_want_fail(x, 1007, 0);
		break;
	default: /* not deflate data at all */
		chk_send(x, CHK_FIN | WS_RSV1 | WS_OP_BINARY, k->data, k->len);
		chk_want_fail(x, 1007, 1002);
		break;
	}
}
