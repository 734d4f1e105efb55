/*
 * WebSocket frame headers (RFC 6455 5.2), parsed and built, and payload
 * masking: the one place in wsx where a frame's bytes are laid out.
 */
#ifndef WSX_WS_FRAME_H
#define WSX_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the largest header: 2 + 8 bytes of length + 4 of masking key */
#define WS_FRAME_MAX_HEADER 14
/* the largest control frame payload (RFC 6455 5.5) */
#define WS_FRAME_MAX_CONTROL 125

enum ws_opcode {
	WS_OP_CONT = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

/* RSV bits as they sit in the first byte */
#define WS_RSV1 0x40
#define WS_RSV2 0x20
#define WS_RSV3 0x10

struct ws_frame {
	bool fin;
	uint8_t rsv;	/* WS_RSV1 | WS_RSV2 | WS_RSV3 as set */
	uint8_t opcode; /* 0..15: reserved ones are the caller's to refuse */
	bool masked;
	uint8_t key[4];	   /* when masked */
	uint64_t len;	   /* payload length, < 2^63 */
	size_t header_len; /* 2..14 */
};

/* Why ws_frame_parse refused a header (both are close code 1002). */
enum ws_frame_error {
	WS_FRAME_OK = 0,
	WS_FRAME_NOT_MINIMAL = 1, /* length not in its shortest form */
	WS_FRAME_TOO_LONG = 2,	  /* 64-bit length with the top bit set */
};

/*
 * Parse the header at buf. Returns its length (2..14) with f filled, 0 when
 * len bytes are not enough for the whole header yet, or -1 with *why set
 * when the length field breaks RFC 6455 5.2. Only the header is looked at;
 * the rules that need connection state (opcodes, RSV, masking direction,
 * control frame size) are the caller's.
 */
int ws_frame_parse(struct ws_frame *f, const unsigned char *buf, size_t len,
		   enum ws_frame_error *why);

/* Size of the header ws_frame_build writes for these values. */
size_t ws_frame_header_len(uint64_t len, bool masked);

/*
 * Write a header at out (room for WS_FRAME_MAX_HEADER) in the minimal
 * length encoding and return its size. rsv is WS_RSV* bits; key is NULL
 * for an unmasked frame, else the 4 bytes written after the length.
 */
size_t ws_frame_build(unsigned char *out, uint8_t opcode, bool fin, uint8_t rsv,
		      uint64_t len, const uint8_t key[4]);

/*
 * XOR len bytes with the masking key, starting at key byte phase (0..3):
 * a payload that arrives in pieces is unmasked piece by piece with
 * phase = bytes already done & 3. out may equal in. Returns the phase for
 * the next piece.
 */
unsigned ws_frame_mask(unsigned char *out, const unsigned char *in, size_t len,
		       const uint8_t key[4], unsigned phase);

#endif
