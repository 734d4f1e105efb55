/*
 * Frames out: messages, fragments, pings, pongs and Close, framed into the
 * output buffer (ws/frame.c lays the bytes out), masked by a client with
 * keys from the OS, compressed when permessage-deflate was agreed.
 */
#include "config.h"

#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "util/xalloc.h"
#include "ws/proto_int.h"

/*
 * A masking key (RFC 6455 5.3: unpredictable, from a strong source).
 * Keys are drawn from getrandom() 64 at a time, so one system call serves
 * 64 frames (at 16 the system call showed in a load generator's profile);
 * if it fails (it does not block once the pool is
 * seeded), a mix of the clock and the previous keys stands in.
 */
static void
send_key(struct ws_proto *p, uint8_t key[4])
{
	if (!p->keys) {
		p->keys = xcalloc(1, sizeof(*p->keys));
		p->keys_used = WS_KEYS_BYTES;
	}
	if ((size_t)p->keys_used + 4 > WS_KEYS_BYTES) {
		if (getrandom(p->keys->b, WS_KEYS_BYTES, GRND_NONBLOCK) !=
		    (ssize_t)WS_KEYS_BYTES) {
			struct timespec ts;
			uint64_t s;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			s = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^
			    (uint64_t)ts.tv_sec;
			for (size_t i = 0; i < WS_KEYS_BYTES; i++) {
				s ^= s << 13;
				s ^= s >> 7;
				s ^= s << 17;
				p->keys->b[i] ^= (uint8_t)(s >> 32);
			}
		}
		p->keys_used = 0;
	}
	memcpy(key, p->keys->b + p->keys_used, 4);
	p->keys_used += 4;
}

void
ws_send_frame(struct ws_proto *p, uint8_t opcode, bool fin, uint8_t rsv,
	      const void *data, size_t len)
{
	bool mask = p->o.role == WS_ROLE_CLIENT;
	size_t h = ws_frame_header_len(len, mask);
	unsigned char *o;
	uint8_t key[4];

	if (wsx_buf_reserve(&p->out, h + len))
		return; /* past SIZE_MAX / 2: cannot happen */
	o = wsx_buf_tail(&p->out);
	if (mask)
		send_key(p, key);
	h = ws_frame_build(o, opcode, fin, rsv, len, mask ? key : NULL);
	if (p->o.on_frame)
		p->o.on_frame(p->o.arg, true, opcode, fin, len, mask);
	if (mask)
		ws_frame_mask(o + h, data, len, key, 0);
	else if (len)
		memcpy(o + h, data, len);
	wsx_buf_commit(&p->out, h + len);
}

/* Frame a message's (compressed) bytes: RSV1 and the opcode go on the
 * first frame only, fin on the last. */
static void
send_frames(struct ws_proto *p, uint8_t opcode, uint8_t rsv,
	    const unsigned char *d, size_t len, bool fin)
{
	size_t max = p->o.fragment_size ? p->o.fragment_size : len;

	do {
		size_t n = len < max ? len : max;

		ws_send_frame(p, opcode, fin && n == len, rsv, d, n);
		opcode = WS_OP_CONT;
		rsv = 0;
		d += n;
		len -= n;
	} while (len);
}

/* The checks every data send makes; 0 when it may go. */
static int
send_may(struct ws_proto *p, size_t len, struct wsx_err *err)
{
	/* "nothing after our Close" is this one comparison */
	if (p->state != WS_STATE_OPEN)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   p->state == WS_STATE_CONNECTING
					   ? "the handshake is not done"
					   : "the connection is closing");
	if (p->o.max_output && p->out.len &&
	    len > p->o.max_output - (p->out.len < p->o.max_output
					     ? p->out.len
					     : p->o.max_output))
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "the output buffer is full");
	return 0;
}

int
ws_proto_send_fragment(struct ws_proto *p, enum wsx_msg_type type,
		       const void *data, size_t len, bool fin,
		       struct wsx_err *err)
{
	uint8_t op = WS_OP_CONT, rsv = 0;

	if (send_may(p, len, err))
		return -1;
	if (p->tx_active && type != p->tx_type)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "a message cannot change type midway");
	if (!p->tx_active) {
		p->tx_type = type;
		p->tx_compressed = p->deflate && ws_deflate_can_compress(p->z);
		op = type == WSX_MSG_TEXT ? WS_OP_TEXT : WS_OP_BINARY;
		rsv = p->tx_compressed ? WS_RSV1 : 0;
	}
	if (type == WSX_MSG_TEXT) {
		struct wsx_utf8 before = p->tx_utf8;

		if (!p->tx_active)
			wsx_utf8_init(&p->tx_utf8);
		if (!wsx_utf8_feed(&p->tx_utf8, data, len) ||
		    (fin && !wsx_utf8_complete(&p->tx_utf8))) {
			/* the peer would fail us with 1007: refuse it here,
			 * and leave the message as it was */
			p->tx_utf8 = before;
			return wsx_err_set(err, WSX_EXIT_FAIL,
					   "text to send is not UTF-8");
		}
	}
	p->tx_active = !fin;
	if (!p->tx_compressed) {
		send_frames(p, op, rsv, data, len, fin);
		return 0;
	}
	wsx_buf_clear(p->zbuf);
	if (ws_deflate_compress(p->z, data, len, fin, p->zbuf))
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "compressing a message failed");
	send_frames(p, op, rsv, wsx_buf_data(p->zbuf), p->zbuf->len, fin);
	wsx_buf_clear(p->zbuf);
	if (p->zbuf->cap > 65536)
		wsx_buf_release(p->zbuf);
	return 0;
}

int
ws_proto_send_message(struct ws_proto *p, enum wsx_msg_type type,
		      const void *data, size_t len, struct wsx_err *err)
{
	if (p->tx_active && p->state == WS_STATE_OPEN)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "a fragmented message is under way");
	return ws_proto_send_fragment(p, type, data, len, true, err);
}

/* FNV-1a: pings are told apart by their payload */
static uint64_t
send_hash(const void *data, size_t len)
{
	const unsigned char *s = data;
	uint64_t h = 0xcbf29ce484222325ull ^ len;

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

int
ws_proto_ping(struct ws_proto *p, const void *data, size_t len, int64_t now,
	      struct wsx_err *err)
{
	unsigned char seq[8];
	unsigned slot;

	if (send_may(p, 0, err))
		return -1;
	if (len > WS_FRAME_MAX_CONTROL)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "a ping carries at most 125 bytes");
	if (!data) {
		uint64_t n = ++p->ping_seq;

		for (int i = 0; i < 8; i++)
			seq[i] = (unsigned char)(n >> (56 - 8 * i));
		data = seq;
		len = 8;
	}
	if (!p->ping)
		p->ping = xcalloc(WS_MAX_PINGS, sizeof(*p->ping));
	/* a full ring forgets the oldest ping: its pong is then unmatched */
	if (p->nping == WS_MAX_PINGS) {
		p->ping_first = (uint8_t)((p->ping_first + 1) % WS_MAX_PINGS);
		p->nping--;
	}
	slot = (p->ping_first + p->nping) % WS_MAX_PINGS;
	p->ping[slot].hash = send_hash(data, len);
	p->ping[slot].time = now;
	p->nping++;
	ws_send_frame(p, WS_OP_PING, true, 0, data, len);
	return 0;
}

int64_t
ws_send_pong_matched(struct ws_proto *p, const void *data, size_t len)
{
	uint64_t h = send_hash(data, len);

	/* oldest first: a pong answers its ping, and a peer that answers
	 * only the latest of several has let the earlier ones go */
	for (unsigned i = 0; i < p->nping; i++) {
		unsigned slot = (p->ping_first + i) % WS_MAX_PINGS;

		if (p->ping[slot].hash == h) {
			int64_t t = p->ping[slot].time;

			p->ping_first = (uint8_t)((slot + 1) % WS_MAX_PINGS);
			p->nping = (uint8_t)(p->nping - i - 1);
			return t;
		}
	}
	return -1;
}

int
ws_proto_pong(struct ws_proto *p, const void *data, size_t len,
	      struct wsx_err *err)
{
	if (send_may(p, 0, err))
		return -1;
	if (len > WS_FRAME_MAX_CONTROL)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "a pong carries at most 125 bytes");
	ws_send_frame(p, WS_OP_PONG, true, 0, data, len);
	return 0;
}

void
ws_send_close(struct ws_proto *p, int code, const char *reason, size_t len)
{
	unsigned char payload[WS_FRAME_MAX_CONTROL];
	size_t n = 0;

	if (code) {
		payload[0] = (unsigned char)(code >> 8);
		payload[1] = (unsigned char)code;
		if (len > WS_FRAME_MAX_CONTROL - 2)
			len = WS_FRAME_MAX_CONTROL - 2;
		if (len)
			memcpy(payload + 2, reason, len);
		n = 2 + len;
	}
	ws_send_frame(p, WS_OP_CLOSE, true, 0, payload, n);
	ws_proto_enter(p, WS_IN_CLOSE_SENT);
}

int
ws_proto_close(struct ws_proto *p, int code, const char *reason, size_t len,
	       struct wsx_err *err)
{
	if (p->state != WS_STATE_OPEN)
		return wsx_err_set(
			err, WSX_EXIT_FAIL,
			p->state == WS_STATE_CONNECTING
				? "the handshake is not done"
				: "the connection is already closing");
	if (code && !ws_close_code_valid(code))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "%d is not a close code that may be sent",
				   code);
	if (!code && len)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "a close reason needs a close code");
	if (len > WS_FRAME_MAX_CONTROL - 2 || !wsx_utf8_valid(reason, len))
		return wsx_err_set(
			err, WSX_EXIT_USAGE,
			"a close reason is at most 123 bytes of UTF-8");
	ws_send_close(p, code, reason, len);
	return 0;
}
