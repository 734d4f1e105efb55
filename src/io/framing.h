/*
 * Framing: how a byte stream (stdin/stdout, TCP, a child process) carries
 * WebSocket messages. Decoding turns bytes into messages one at a time so
 * the reader can stop the moment its consumer is full; encoding appends one
 * message's bytes to an output buffer.
 *
 *   --lines   a message per line (default)      -0/--null  NUL-terminated
 *   --raw     each read is one message           --len32    4-byte BE length
 *   --base64  a line of base64 per message       --jsonl    JSON envelope
 */
#ifndef WSX_IO_FRAMING_H
#define WSX_IO_FRAMING_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"
#include "util/msg.h"
#include "util/opt.h"

enum wsx_framing {
	WSX_FRAMING_LINES,
	WSX_FRAMING_NULL,
	WSX_FRAMING_RAW,
	WSX_FRAMING_LEN32,
	WSX_FRAMING_BASE64,
	WSX_FRAMING_JSONL,
};

struct wsx_framing_opts {
	enum wsx_framing mode;
	int type; /* -1: the mode's default, else an enum wsx_msg_type */
};

void wsx_framing_opts_init(struct wsx_framing_opts *o, enum wsx_framing mode);
extern const struct wsx_optgroup
	wsx_framing_optgroup; /* target: wsx_framing_opts */
/* The message type input is sent as: -t/-b, else text for line modes. */
enum wsx_msg_type wsx_framing_type(const struct wsx_framing_opts *o);
const char *wsx_framing_name(enum wsx_framing mode);

/* Largest single read the decoder takes. */
#define WSX_READ_CHUNK (64 * 1024)

struct wsx_decoder {
	enum wsx_framing mode;
	enum wsx_msg_type type;
	size_t max_message;
	struct wsx_buf in;	/* bytes read, not yet turned into messages */
	struct wsx_buf decoded; /* payload of a base64 or jsonl message */
	size_t scanned;		/* bytes of in searched for a delimiter */
	size_t pending;		/* bytes of in the last message used */
	unsigned long record;	/* 1-based number of the next record */
	bool eof;
};

void wsx_decoder_init(struct wsx_decoder *d, const struct wsx_framing_opts *o,
		      size_t max_message);
void wsx_decoder_release(struct wsx_decoder *d);
/* Where to read() into, and how much; NULL when the decoder is full. */
unsigned char *wsx_decoder_space(struct wsx_decoder *d, size_t *avail);
void wsx_decoder_commit(struct wsx_decoder *d, size_t n);
/* No more input will come: a last unterminated record becomes a message. */
void wsx_decoder_eof(struct wsx_decoder *d);
/*
 * The next message: 1 and *m filled (valid until the next call), 0 when more
 * input is needed (or, after eof, when everything was delivered), -1 with err
 * when the input is malformed.
 */
int wsx_decoder_next(struct wsx_decoder *d, struct wsx_msg *m,
		     struct wsx_err *err);

/* Append the bytes that carry m to out. */
/* --jsonl: a line for a ping or pong (kind) with its payload in base64;
 * nothing in the other framings. */
void wsx_encode_control(enum wsx_framing mode, const char *kind,
			const void *data, size_t len, struct wsx_buf *out);
void wsx_encode(enum wsx_framing mode, const struct wsx_msg *m,
		struct wsx_buf *out);

#endif
