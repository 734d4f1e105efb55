/*
 * Broadcast: every message goes to every other client in the same room, and
 * the room is the URL path ("/chat/a" and "/chat/b" are apart; the query
 * string is not part of it). A slow client never slows the others: its
 * queue is bounded (--buffer), and when it overflows the client is closed
 * with 1008, or its oldest messages are dropped (--slow=drop).
 */
#ifndef WSX_SERVE_BROADCAST_H
#define WSX_SERVE_BROADCAST_H

#include <stdbool.h>

#include "proto/conn.h"

enum wsx_slow {
	WSX_SLOW_CLOSE, /* close an overflowing client with 1008 */
	WSX_SLOW_DROP,	/* drop its oldest queued messages */
};

struct wsx_broadcast;

struct wsx_broadcast *wsx_broadcast_new(bool echo_self, enum wsx_slow slow);
void wsx_broadcast_free(struct wsx_broadcast *b);
/* c joins the room of its path. */
void wsx_broadcast_join(struct wsx_broadcast *b, struct wsx_conn *c);
/* c leaves (it is closing); logs what it dropped, if anything. */
void wsx_broadcast_leave(struct wsx_broadcast *b, struct wsx_conn *c);
/* Send m from `from` to the others in its room (and to it with echo_self). */
void wsx_broadcast_message(struct wsx_broadcast *b, struct wsx_conn *from,
			   const struct wsx_msg *m);

#endif
