/*
 * WebSocket frames built by wsx itself (RFC 6455 5.2), for batching: many
 * small messages framed into one buffer go out in one socket write instead
 * of one write (and one poll) per message through libwebsockets.
 */
#ifndef WSX_PROTO_FRAME_H
#define WSX_PROTO_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/msg.h"

/* the largest header: 2 + 8 bytes of length + 4 of mask key */
#define WSX_FRAME_MAX_HEADER 14

/*
 * Write one final frame holding a whole message at out (which has room for
 * WSX_FRAME_MAX_HEADER + len bytes) and return its size. A client masks
 * it (mask_state non-NULL): the key comes from the xorshift state.
 */
size_t wsx_frame_message(unsigned char *out, enum wsx_msg_type type,
			 const unsigned char *data, size_t len,
			 uint64_t *mask_state);

/*
 * Write a frame header (with a fresh masking key at its end when
 * mask_state is given) and return its size. opcode: 0 continuation,
 * 1 text, 2 binary.
 */
size_t
wsx_frame_header(unsigned char *out, int opcode, bool fin, size_t len,
		 uint64_t *mask_state);
/* out = in XOR key (repeated); out may equal in. */
void
wsx_frame_mask(unsigned char *out, const unsigned char *in, size_t len,
	       const unsigned char key[4]);

/* Seed a mask-key generator from the operating system's randomness. */
uint64_t wsx_frame_mask_seed(void);

#endif
