/*
 * What a wsx check case is made of: its table entry, its verdict, and the
 * steps it is written with (open a connection, send, expect an echo, a
 * pong, a close with some code), each bounded by the case's deadline.
 */
#ifndef WSX_CHECK_RUN_H
#define WSX_CHECK_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/conn.h"
#include "util/buf.h"
#include "ws/deflate.h"
#include "ws/frame.h"

enum chk_verdict {
	CHK_PASS,
	CHK_FAIL,
	CHK_NON_STRICT, /* allowed by the RFC, but weaker than it should be */
	CHK_INFO,	/* no right answer: what the server did */
	CHK_SKIPPED,	/* not run: it needs an echo server (--no-echo) */
	CHK_NVERDICTS,
};

const char *chk_verdict_name(enum chk_verdict v);

struct chk_result {
	enum chk_verdict verdict;
	char expected[192];
	char got[256];
	uint64_t us; /* how long it took */
};

struct chk_ctx;

struct chk_case {
	const char *id;	     /* "1.1.3" */
	const char *group;   /* "framing" */
	const char *section; /* RFC 6455 section, "5.2" */
	bool echo;	     /* needs an echo server */
	const char *desc;
	void (*run)(struct chk_ctx *x, const struct chk_case *k);
	const char *data; /* the case's payload, for table-driven ones */
	size_t len;
	long n; /* a number for table-driven ones: a length, a code */
};

/* Every case, in order, and how many. */
extern const struct chk_case chk_cases[];
extern const size_t chk_ncases;

struct chk_ctx {
	const struct chk_target *target;
	uint64_t timeout_us;
	struct chk_conn conn;
	struct chk_result *r;
	unsigned char *msg; /* a message being reassembled */
	size_t msg_len, msg_cap;
	uint8_t msg_op;	   /* its opcode while it is partial, else 0 */
	bool msg_deflated; /* its first frame had RSV1 */
	const char *offer; /* Sec-WebSocket-Extensions for chk_open, or NULL */
	char ext[256];	   /* the 101's Sec-WebSocket-Extensions, or "" */
	bool deflate;	   /* permessage-deflate is in use: dfl is set up */
	struct ws_deflate dfl;
	struct wsx_buf inflated; /* a compressed message, inflated */
	unsigned char ctl[WS_FRAME_MAX_CONTROL]; /* a control frame's data */
};

/* Run one case on a fresh connection, its verdict into r. */
void chk_run_case(const struct chk_target *t, uint64_t timeout_us,
		  const struct chk_case *k, struct chk_result *r);

/* Verdicts: the first FAIL sticks, NON-STRICT and INFO only replace PASS. */
bool chk_fail(struct chk_ctx *x, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void chk_weak(struct chk_ctx *x, const char *expected, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void chk_info(struct chk_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Connect and upgrade; false (with FAIL) when the server did not switch. */
bool chk_open(struct chk_ctx *x);

/* Send one frame; b0 is FIN|RSV|opcode as sent. */
void chk_send(struct chk_ctx *x, uint8_t b0, const void *data, size_t len);
#define CHK_FIN 0x80

/* What came from the server, messages reassembled. */
enum chk_ev_type {
	CHK_EV_MSG,
	CHK_EV_PING,
	CHK_EV_PONG,
	CHK_EV_CLOSE,
	CHK_EV_EOF,
	CHK_EV_TIMEOUT,
	CHK_EV_BAD, /* the server broke the protocol; what in ev->what */
};
struct chk_ev {
	enum chk_ev_type type;
	uint8_t opcode;	     /* a message's: text or binary */
	unsigned char *data; /* owned by the ctx until the next event */
	size_t len;
	int code; /* a close's: 1005 for none */
	char what[200];
};
/* The next event before the deadline (or before until_us when earlier). */
void chk_next(struct chk_ctx *x, struct chk_ev *ev, uint64_t until_us);
/* One line saying what an event is: "close 1002", "text of 5 bytes". */
void chk_ev_describe(const struct chk_ev *ev, char *buf, size_t size);

/* The next event must be this message back, byte for byte. */
bool chk_want_msg(struct chk_ctx *x, uint8_t opcode, const void *data,
		  size_t len);
/* The next event must be a pong with this payload. */
bool chk_want_pong(struct chk_ctx *x, const void *data, size_t len);
/*
 * The server must fail the connection: a close with code (or code2 when
 * not 0): PASS; a drop without a close: NON-STRICT; anything else: FAIL.
 */
bool chk_want_fail(struct chk_ctx *x, int code, int code2);
/*
 * Close with code (0: an empty close payload) and expect the server's
 * close and then the end of the TCP connection.
 */
bool chk_close(struct chk_ctx *x, int code);
/* The end of a case about something else: close 1000, and a missing or
 * wrong answer is only NON-STRICT (the close cases fail it). */
bool chk_finish(struct chk_ctx *x);
#endif
