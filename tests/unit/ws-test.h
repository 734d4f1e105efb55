/*
 * Helpers for the ws/ engine's table tests: bytes written as hex and
 * 'quoted text', events and output frames rendered as short strings so a
 * table row reads like the RFC rule it checks.
 */
#ifndef WSX_TESTS_WS_TEST_H
#define WSX_TESTS_WS_TEST_H

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws/proto.h"

/* "81 85 00000000 'Hello'" -> bytes; returns the count. */
static inline size_t
wt_bytes(unsigned char *out, size_t cap, const char *s)
{
	size_t n = 0;

	while (*s) {
		if (*s == '\'') {
			for (s++; *s && *s != '\''; s++)
				if (n < cap)
					out[n++] = (unsigned char)*s;
			if (*s)
				s++;
		} else if (isxdigit((unsigned char)s[0]) &&
			   isxdigit((unsigned char)s[1])) {
			unsigned v;

			sscanf(s, "%2x", &v);
			if (n < cap)
				out[n++] = (unsigned char)v;
			s += 2;
		} else {
			s++;
		}
	}
	return n;
}

struct wt_log {
	char s[16384];
	size_t n;
};

static inline void wt_add(struct wt_log *l, const char *fmt, ...)
	TAP_PRINTF(2, 3);

static inline void
wt_add(struct wt_log *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (l->n && l->n < sizeof(l->s))
		l->n += (size_t)snprintf(l->s + l->n, sizeof(l->s) - l->n,
					 "; ");
	va_start(ap, fmt);
	k = vsnprintf(l->s + l->n,
		      l->n < sizeof(l->s) ? sizeof(l->s) - l->n : 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k;
	if (l->n >= sizeof(l->s))
		l->n = sizeof(l->s) - 1;
}

/* printable text as is, anything else as \xNN; long runs summarised */
static inline void
wt_payload(char *out, size_t cap, const unsigned char *d, size_t len, bool text)
{
	size_t o = 0;

	if (len > 100) {
		snprintf(out, cap, "<%zu bytes>", len);
		return;
	}
	out[0] = '\0';
	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		if (text && d[i] >= 0x20 && d[i] < 0x7f && d[i] != '\\')
			out[o++] = (char)d[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "%s%02x",
					      text ? "\\x" : "", d[i]);
		out[o] = '\0';
	}
}

/* Render one event the way the tables spell it. */
static inline void
wt_event(struct wt_log *l, const struct ws_event *ev)
{
	char pl[1024];

	switch (ev->type) {
	case WS_EV_REQUEST:
		wt_add(l, "request %s", ev->request->target);
		break;
	case WS_EV_OPEN:
		wt_add(l, "open%s%s%s", ev->agreed->subprotocol[0] ? " " : "",
		       ev->agreed->subprotocol,
		       ev->agreed->deflate ? " deflate" : "");
		break;
	case WS_EV_MESSAGE:
		wt_payload(pl, sizeof(pl), ev->data, ev->len,
			   ev->msg_type == WSX_MSG_TEXT);
		wt_add(l, "%s%s:%s",
		       ev->msg_type == WSX_MSG_TEXT ? "text" : "binary",
		       ev->first && ev->fin ? ""
		       : ev->first	    ? "("
		       : ev->fin	    ? ")"
					    : "-",
		       pl);
		break;
	case WS_EV_PING:
		wt_payload(pl, sizeof(pl), ev->data, ev->len, false);
		wt_add(l, "ping:%s", pl);
		break;
	case WS_EV_PONG:
		wt_payload(pl, sizeof(pl), ev->data, ev->len, false);
		if (ev->ping_time >= 0)
			wt_add(l, "pong:%s@%lld", pl, (long long)ev->ping_time);
		else
			wt_add(l, "pong:%s", pl);
		break;
	case WS_EV_CLOSE:
		wt_payload(pl, sizeof(pl), ev->data, ev->len, true);
		wt_add(l, "close %d%s%s", ev->code, ev->len ? " " : "", pl);
		break;
	case WS_EV_FAIL:
		if (ev->status || !ev->code)
			wt_add(l, "fail http %d", ev->status);
		else
			wt_add(l, "fail %d", ev->code);
		break;
	}
}

static inline void
wt_on_event(void *arg, struct ws_event *ev)
{
	wt_event(arg, ev);
}

/*
 * Render output frames as "TEXT:...", "PONG:..", "CLOSE 1000" (a Close's
 * reason is left out: ours are prose). Every frame must be masked by a
 * client and not by a server, with a minimal length; "BAD" says where not.
 * Returns the bytes rendered (a partial frame at the end is left).
 */
static inline size_t
wt_frames(struct wt_log *l, const unsigned char *d, size_t len,
	  enum ws_role role)
{
	size_t off = 0;

	while (off < len) {
		struct ws_frame f;
		enum ws_frame_error why;
		int h = ws_frame_parse(&f, d + off, len - off, &why);
		unsigned char pl[WS_FRAME_MAX_CONTROL + 200];
		char s[1024];
		static const char *const names[16] = {
			"CONT", "TEXT", "BINARY", "3",	  "4",	  "5",
			"6",	"7",	"CLOSE",  "PING", "PONG",
		};

		if (h == 0 || len - off - (size_t)h < f.len)
			break;
		if (h < 0 || f.masked != (role == WS_ROLE_CLIENT)) {
			wt_add(l, "BAD");
			return len;
		}
		off += (size_t)h;
		if (f.len <= sizeof(pl)) {
			memcpy(pl, d + off, f.len);
			if (f.masked)
				ws_frame_mask(pl, pl, f.len, f.key, 0);
		}
		if (f.opcode == WS_OP_CLOSE && f.len >= 2) {
			wt_add(l, "CLOSE %d", pl[0] << 8 | pl[1]);
		} else if (f.opcode == WS_OP_CLOSE) {
			wt_add(l, "CLOSE");
		} else {
			if (f.len <= sizeof(pl))
				wt_payload(s, sizeof(s), pl, f.len,
					   f.opcode == WS_OP_TEXT);
			else
				snprintf(s, sizeof(s), "<%llu bytes>",
					 (unsigned long long)f.len);
			wt_add(l, "%s%s%s%s:%s",
			       names[f.opcode] ? names[f.opcode] : "?",
			       f.fin ? "" : "+", f.rsv & WS_RSV1 ? "*" : "", "",
			       s);
		}
		off += f.len;
	}
	return off;
}

#endif
