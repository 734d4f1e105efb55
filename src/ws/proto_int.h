/*
 * What the files of the protocol engine share (proto.c: states and the
 * handshake; recv.c: frames in; send.c: frames out). Not for other modules.
 */
#ifndef WSX_WS_PROTO_INT_H
#define WSX_WS_PROTO_INT_H

#include "ws/proto.h"

/* What moves the state machine (ws_proto_enter). */
enum ws_input {
	WS_IN_HANDSHAKE_DONE,
	WS_IN_CLOSE_SENT,
	WS_IN_CLOSE_RECEIVED,
	WS_IN_FAIL,
	WS_IN_EOF,
};

/* The one transition function. */
void ws_proto_enter(struct ws_proto *p, enum ws_input in);

/* Hand ev to the callback. */
void ws_proto_emit(struct ws_proto *p, struct ws_event *ev);

/*
 * Fail the connection (RFC 6455 7.1.7): queue a Close with code unless
 * ours was already sent, emit FAIL, and be CLOSED.
 */
void ws_proto_fail(struct ws_proto *p, int code, const char *reason);

/* recv.c: parse frames from data; stops once CLOSED (all taken) or held.
 * Returns the bytes taken. */
size_t ws_recv_frames(struct ws_proto *p, unsigned char *data, size_t len);
/* recv.c: forget the message and frame under way (freeing big buffers). */
void ws_recv_reset(struct ws_proto *p);

/* send.c: queue one frame, masked when we are the client. */
void ws_send_frame(struct ws_proto *p, uint8_t opcode, bool fin, uint8_t rsv,
		   const void *data, size_t len);
/* send.c: queue a Close frame (code 0: none) and enter CLOSING. */
void ws_send_close(struct ws_proto *p, int code, const char *reason,
		   size_t len);
/* send.c: the time of the ping this pong answers (and forget it and every
 * ping before it), or -1. */
int64_t ws_send_pong_matched(struct ws_proto *p, const void *data, size_t len);

#endif
