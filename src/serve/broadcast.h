/*
 * Broadcast: every message goes to every other client in the same room, and
 * the room is the URL path ("/chat/a" and "/chat/b" are apart; the query
 * string is not part of it). A slow client never slows the others: its
 * queue is bounded (--buffer), and when it overflows the client is closed
 * with 1008, or its oldest messages are dropped (--slow=drop).
 *
 * Rooms can span processes through a bus (serve --redis, redis_rooms.h):
 * the bus hears when a room gains its first client here and loses its
 * last, and every message sent here; what other processes send comes back
 * through wsx_broadcast_deliver().
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

/* The others that share the rooms. */
struct wsx_broadcast_bus {
	void (*room_opened)(const char *room, void *arg);
	void (*room_closed)(const char *room, void *arg);
	/* a client here sent m into room (already delivered here) */
	void (*publish)(const char *room, const struct wsx_msg *m, void *arg);
	void *arg;
};

/* on_close: each member's end, as its connection ops' on_close would */
struct wsx_broadcast *
wsx_broadcast_new(bool echo_self, enum wsx_slow slow,
		  void (*on_close)(struct wsx_conn *c,
				   const struct wsx_close *cl, void *arg),
		  void *arg);
void wsx_broadcast_free(struct wsx_broadcast *b);
void wsx_broadcast_set_bus(struct wsx_broadcast *b,
			   const struct wsx_broadcast_bus *bus);
/* c joins the room of its path; its messages go to the room from now on. */
void wsx_broadcast_join(struct wsx_broadcast *b, struct wsx_conn *c);
/* m, from another process, to every client here in room. */
void wsx_broadcast_deliver(struct wsx_broadcast *b, const char *room,
			   const struct wsx_msg *m);
/* fn for each room that has clients here (after the bus reconnects). */
void wsx_broadcast_each_room(const struct wsx_broadcast *b,
			     void (*fn)(const char *room, void *arg),
			     void *arg);

#endif
