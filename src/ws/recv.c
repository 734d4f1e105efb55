/*
 * Frames in: headers checked against the connection's state, payloads
 * unmasked in place, messages gathered or handed over where they lie,
 * control frames answered; see proto.h for what the caller sees.
 *
 * The input is parsed where it lies (as uWebSockets does): only a header
 * split across two receive calls is copied (into hdr[], at most 14 bytes),
 * only a control frame split so is gathered (into ctl[]), and only a data
 * message spread over frames or calls goes through the msg buffer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"
#include "ws/proto_int.h"

void
ws_recv_reset(struct ws_proto *p)
{
	p->in_frame = false;
	p->hdr_len = 0;
	p->ctl_len = 0;
	p->rx_active = p->rx_compressed = p->rx_started = false;
	p->rx_total = 0;
	wsx_buf_clear(&p->msg);
	/* a big message's buffer is not kept (see ws_proto_consume) */
	if (p->msg.cap > 65536)
		wsx_buf_release(&p->msg);
}

static bool
recv_is_control(uint8_t op)
{
	return op & 0x8;
}

/*
 * The rules of RFC 6455 5.2-5.5 and RFC 7692 6 that a header can break
 * given the connection: 0, or the close code with *why.
 */
static int
recv_check(struct ws_proto *p, const struct ws_frame *f, const char **why)
{
	uint8_t op = f->opcode;

	if (op != WS_OP_CONT && op != WS_OP_TEXT && op != WS_OP_BINARY &&
	    op != WS_OP_CLOSE && op != WS_OP_PING && op != WS_OP_PONG)
		return *why = "a frame with a reserved opcode", 1002;
	if (f->rsv & (WS_RSV2 | WS_RSV3))
		return *why = "RSV2 or RSV3 set, and no extension uses them",
		       1002;
	if ((f->rsv & WS_RSV1) && !p->deflate)
		return *why = "RSV1 set without permessage-deflate", 1002;
	if ((f->rsv & WS_RSV1) && (op == WS_OP_CONT || recv_is_control(op)))
		return *why = "RSV1 set on a continuation or control frame",
		       1002;
	if (p->o.role == WS_ROLE_SERVER && !f->masked)
		return *why = "a frame from the client is not masked", 1002;
	if (p->o.role == WS_ROLE_CLIENT && f->masked)
		return *why = "a frame from the server is masked", 1002;
	if (recv_is_control(op)) {
		if (!f->fin)
			return *why = "a control frame is fragmented", 1002;
		if (f->len > WS_FRAME_MAX_CONTROL)
			return *why = "a control frame is over 125 bytes", 1002;
		return 0;
	}
	if (op == WS_OP_CONT && !p->rx_active)
		return *why = "a continuation frame with no message under way",
		       1002;
	if (op != WS_OP_CONT && p->rx_active)
		return *why = "a new message before the last one ended", 1002;
	/* compressed data is measured as it inflates */
	if (!(f->rsv & WS_RSV1) && !(op == WS_OP_CONT && p->rx_compressed) &&
	    f->len > p->o.max_message - p->rx_total)
		return *why = "a message is over the size limit", 1009;
	return 0;
}

/* A whole header is in p->f: check it and start the frame. */
static void
recv_start(struct ws_proto *p)
{
	const char *why = NULL;
	int code;

	if (p->o.on_frame)
		p->o.on_frame(p->o.arg, false, p->f.opcode, p->f.fin, p->f.len,
			      p->f.masked);
	code = recv_check(p, &p->f, &why);
	if (code) {
		ws_proto_fail(p, code, why);
		return;
	}
	p->in_frame = true;
	p->rem = p->f.len;
	p->phase = 0;
	p->ctl_len = 0;
	if (p->f.opcode == WS_OP_TEXT || p->f.opcode == WS_OP_BINARY) {
		p->rx_active = true;
		p->rx_started = false;
		p->rx_total = 0;
		p->rx_type = p->f.opcode == WS_OP_TEXT ? WSX_MSG_TEXT
						       : WSX_MSG_BINARY;
		p->rx_compressed = p->f.rsv & WS_RSV1;
		wsx_utf8_init(&p->rx_utf8);
	}
}

/* Take header bytes from data; returns how many were used. */
static size_t
recv_header(struct ws_proto *p, const unsigned char *data, size_t len)
{
	enum ws_frame_error fe;
	size_t take, had = p->hdr_len;
	int rc;

	if (!had) {
		rc = ws_frame_parse(&p->f, data, len, &fe);
		if (rc == 0) {
			/* less than a header: len < 14 here */
			memcpy(p->hdr, data, len);
			p->hdr_len = (uint8_t)len;
			return len;
		}
	} else {
		take = sizeof(p->hdr) - had;
		if (take > len)
			take = len;
		memcpy(p->hdr + had, data, take);
		rc = ws_frame_parse(&p->f, p->hdr, had + take, &fe);
		if (rc == 0) {
			p->hdr_len = (uint8_t)(had + take);
			return take;
		}
	}
	p->hdr_len = 0;
	if (rc < 0) {
		ws_proto_fail(
			p, 1002,
			fe == WS_FRAME_TOO_LONG
				? "a frame length over 2^63"
				: "a frame length not in its shortest form");
		return len;
	}
	recv_start(p);
	return (size_t)rc - had;
}

static void
recv_deliver(struct ws_proto *p, const unsigned char *d, size_t n, bool fin)
{
	struct ws_event ev = { .type = WS_EV_MESSAGE,
			       .msg_type = p->rx_type,
			       .first = !p->rx_started,
			       .fin = fin,
			       .data = d,
			       .len = n };

	p->rx_started = true;
	if (fin) {
		p->rx_active = p->rx_compressed = false;
		p->rx_total = 0;
	}
	ws_proto_emit(p, &ev);
	if (fin || p->o.stream) {
		wsx_buf_clear(&p->msg);
		if (p->msg.cap > 65536 && fin)
			wsx_buf_release(&p->msg);
	}
}

/* A piece of a data frame; last: the frame's last piece; whole: the
 * frame's whole payload. */
static void
recv_data(struct ws_proto *p, unsigned char *d, size_t n, bool last, bool whole)
{
	bool end = last && p->f.fin, text = p->rx_type == WSX_MSG_TEXT;
	const unsigned char *piece = d;
	size_t plen = n;

	if (p->rx_compressed) {
		size_t before = p->msg.len;
		int code = ws_deflate_decompress(p->z, d, n, end, &p->msg,
						 &p->rx_total);

		plen = p->msg.len - before;
		piece = plen ? wsx_buf_data(&p->msg) + before : NULL;
		/*
		 * What inflated before an error is judged first. How much
		 * zlib inflates before it finds bad deflate data depends on
		 * how the input was split, so in a text message the two
		 * faults are one reason: the same Close however the bytes
		 * came (the fuzzer's invariant).
		 */
		if (text && (!wsx_utf8_feed(&p->rx_utf8, piece, plen) ||
			     code == 1007)) {
			ws_proto_fail(p, 1007,
				      "a compressed text message does not "
				      "inflate to UTF-8");
			return;
		}
		if (code) {
			ws_proto_fail(
				p, code,
				code == 1009
					? "a message inflates to over the size limit"
				: code == 1007
					? "a compressed message is not deflate data"
					: "out of memory inflating a message");
			return;
		}
	} else {
		p->rx_total += n;
		if (text && !wsx_utf8_feed(&p->rx_utf8, piece, plen)) {
			ws_proto_fail(p, 1007, "a text message is not UTF-8");
			return;
		}
	}
	if (end && text && !wsx_utf8_complete(&p->rx_utf8)) {
		ws_proto_fail(p, 1007,
			      "a text message ends inside a character");
		return;
	}
	if (p->o.stream) {
		if (p->rx_compressed) {
			piece = wsx_buf_data(&p->msg);
			plen = p->msg.len;
		}
		if (plen || end)
			recv_deliver(p, piece, plen, end);
		return;
	}
	if (p->rx_compressed) {
		if (end)
			recv_deliver(p, wsx_buf_data(&p->msg), p->msg.len,
				     true);
		return;
	}
	/* the whole message here in one piece: hand it over in place */
	if (end && whole && !p->msg.len) {
		recv_deliver(p, d, n, true);
		return;
	}
	/* cannot fail: the header check kept the total within max_message */
	wsx_buf_append(&p->msg, d, n);
	if (end)
		recv_deliver(p, wsx_buf_data(&p->msg), p->msg.len, true);
}

static void
recv_close(struct ws_proto *p, const unsigned char *d, size_t n)
{
	struct ws_event ev = { .type = WS_EV_CLOSE, .code = 1005 };
	char why[64];

	if (n == 1) {
		ws_proto_fail(p, 1002, "a Close payload of one byte");
		return;
	}
	if (n) {
		ev.code = d[0] << 8 | d[1];
		if (!ws_close_code_valid(ev.code)) {
			snprintf(why, sizeof(why),
				 "close code %d is not one a peer may send",
				 ev.code);
			ws_proto_fail(p, 1002, why);
			return;
		}
		if (!wsx_utf8_valid(d + 2, n - 2)) {
			ws_proto_fail(p, 1007, "a Close reason is not UTF-8");
			return;
		}
		ev.data = d + 2;
		ev.len = n - 2;
	}
	/*
	 * Answer with the same code (RFC 6455 5.5.1), unless ours went. The
	 * event comes first, while still OPEN: RFC 6455 5.5.1 lets an
	 * endpoint finish sending before it answers, so the transport may
	 * queue what it had waiting (the replies to the peer's last
	 * messages); the answer follows it.
	 */
	if (p->state == WS_STATE_OPEN) {
		ws_proto_emit(p, &ev);
		if (p->state == WS_STATE_OPEN)
			ws_send_close(p, ev.code == 1005 ? 0 : ev.code, NULL,
				      0);
		ws_proto_enter(p, WS_IN_CLOSE_RECEIVED);
		return;
	}
	ws_proto_enter(p, WS_IN_CLOSE_RECEIVED);
	ws_proto_emit(p, &ev);
}

static void
recv_control(struct ws_proto *p, const unsigned char *d, size_t n)
{
	struct ws_event ev = { .data = d, .len = n };

	switch (p->f.opcode) {
	case WS_OP_PING:
		/* every ping answered, in order; none after our Close */
		if (p->state == WS_STATE_OPEN && !p->manual_pong)
			ws_send_frame(p, WS_OP_PONG, true, 0, d, n);
		ev.type = WS_EV_PING;
		ws_proto_emit(p, &ev);
		break;
	case WS_OP_PONG:
		ev.type = WS_EV_PONG;
		ev.ping_time = ws_send_pong_matched(p, d, n);
		ws_proto_emit(p, &ev);
		break;
	default:
		recv_close(p, d, n);
		break;
	}
}

/* A piece of the current frame's payload: n <= p->rem. */
static void
recv_payload(struct ws_proto *p, unsigned char *d, size_t n)
{
	bool last = n == p->rem, whole = last && n == p->f.len;

	if (p->f.masked)
		p->phase = ws_frame_mask(d, d, n, p->f.key, p->phase);
	p->rem -= n;
	if (last)
		p->in_frame = false;
	if (!recv_is_control(p->f.opcode)) {
		recv_data(p, d, n, last, whole);
	} else if (whole) {
		recv_control(p, d, n);
	} else {
		/* split across reads: gathered, in memory only for that */
		if (!p->ctl)
			p->ctl = xmalloc(WS_FRAME_MAX_CONTROL);
		memcpy(p->ctl + p->ctl_len, d, n);
		p->ctl_len = (uint8_t)(p->ctl_len + n);
		if (last) {
			unsigned char ctl[WS_FRAME_MAX_CONTROL];
			size_t len = p->ctl_len;

			memcpy(ctl, p->ctl, len);
			free(p->ctl);
			p->ctl = NULL;
			p->ctl_len = 0;
			recv_control(p, ctl, len);
		}
	}
}

size_t
ws_recv_frames(struct ws_proto *p, unsigned char *data, size_t len)
{
	size_t total = len;

	while (p->state != WS_STATE_CLOSED && p->state != WS_STATE_CONNECTING &&
	       !p->hold) {
		size_t n;

		if (!p->in_frame) {
			if (!len)
				break;
			n = recv_header(p, data, len);
			data += n;
			len -= n;
			if (!p->in_frame)
				continue;
			if (!p->rem) {
				/* an empty payload ends the frame at once */
				recv_payload(p, data, 0);
				continue;
			}
		}
		if (!len)
			break;
		n = len < p->rem ? len : (size_t)p->rem;
		recv_payload(p, data, n);
		data += n;
		len -= n;
	}
	/* once CLOSED the rest is ignored, as if taken */
	return p->state == WS_STATE_CLOSED ? total : total - len;
}
