/* Broadcast rooms; see broadcast.h. */
#include "config.h"

#include <string.h>

#include "serve/broadcast.h"
#include "util/log.h"
#include "util/xalloc.h"

struct room;

struct member {
	struct member *next, **prev;
	struct wsx_broadcast *b;
	struct wsx_conn *c;
	struct room *room;
	bool too_slow; /* closed with 1008: sends no more */
	unsigned long long dropped;
};

struct room {
	struct room *next;
	struct member *members;
	char name[]; /* the path without its query */
};

struct wsx_broadcast {
	struct room *rooms;
	bool echo_self;
	enum wsx_slow slow;
	struct wsx_broadcast_bus bus;
	void (*on_close)(struct wsx_conn *c, const struct wsx_close *cl,
			 void *arg);
	void *arg;
};

struct wsx_broadcast *
wsx_broadcast_new(bool echo_self, enum wsx_slow slow,
		  void (*on_close)(struct wsx_conn *c,
				   const struct wsx_close *cl, void *arg),
		  void *arg)
{
	struct wsx_broadcast *b = xcalloc(1, sizeof(*b));

	b->echo_self = echo_self;
	b->slow = slow;
	b->on_close = on_close;
	b->arg = arg;
	return b;
}

void
wsx_broadcast_set_bus(struct wsx_broadcast *b,
		      const struct wsx_broadcast_bus *bus)
{
	b->bus = *bus;
}

/* Members are freed with their connections (member_close); the loop
 * closes every connection before this is called. */
void
wsx_broadcast_free(struct wsx_broadcast *b)
{
	if (!b)
		return;
	while (b->rooms) {
		struct room *r = b->rooms;

		b->rooms = r->next;
		while (r->members) {
			struct member *m = r->members;

			r->members = m->next;
			free(m);
		}
		free(r);
	}
	free(b);
}

static struct room *
room_find(const struct wsx_broadcast *b, const char *name, size_t len)
{
	for (struct room *r = b->rooms; r; r = r->next)
		if (!strncmp(r->name, name, len) && !r->name[len])
			return r;
	return NULL;
}

/* Queue m for one member, applying the slow-client policy when full. */
static void
broadcast_to(struct wsx_broadcast *b, struct member *to,
	     const struct wsx_msg *m)
{
	if (to->too_slow)
		return;
	if (wsx_conn_send(to->c, m->type, m->data, m->len) >= 0)
		return;
	if (b->slow == WSX_SLOW_DROP) {
		do {
			if (!wsx_conn_drop_oldest(to->c))
				return; /* closing, or one huge message */
			to->dropped++;
		} while (wsx_conn_send(to->c, m->type, m->data, m->len) < 0);
		return;
	}
	wsx_info("%s %s: send queue full, closing with 1008",
		 wsx_conn_info(to->c)->peer, to->room->name);
	to->too_slow = true;
	wsx_conn_close(to->c, 1008, "too slow: send queue full");
}

static void
member_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct member *from = arg;
	struct wsx_broadcast *b = from->b;

	(void)c;
	for (struct member *p = from->room->members, *next; p; p = next) {
		next = p->next; /* closing one (1008) does not unlink it */
		if (p != from || b->echo_self)
			broadcast_to(b, p, m);
	}
	if (b->bus.publish)
		b->bus.publish(from->room->name, m, b->bus.arg);
}

static void
member_leave(struct member *m)
{
	struct wsx_broadcast *b = m->b;
	struct room *r = m->room;

	if (m->dropped)
		wsx_info("%s %s: %llu messages dropped (too slow)",
			 wsx_conn_info(m->c)->peer, r->name, m->dropped);
	*m->prev = m->next;
	if (m->next)
		m->next->prev = m->prev;
	free(m);
	if (r->members)
		return;
	if (b->bus.room_closed)
		b->bus.room_closed(r->name, b->bus.arg);
	for (struct room **p = &b->rooms; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	free(r);
}

static void
member_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct member *m = arg;
	struct wsx_broadcast *b = m->b;

	member_leave(m);
	if (b->on_close)
		b->on_close(c, cl, b->arg);
}

/* no on_drain: a slow receiver never slows its sender (see broadcast.h) */
static const struct wsx_conn_ops member_ops = {
	.on_message = member_message,
	.on_close = member_close,
};

void
wsx_broadcast_join(struct wsx_broadcast *b, struct wsx_conn *c)
{
	const char *path = wsx_conn_info(c)->path;
	size_t len = strcspn(path, "?");
	struct room *r = room_find(b, path, len);
	struct member *m = xcalloc(1, sizeof(*m));

	if (!r) {
		r = xcalloc(1, sizeof(*r) + len + 1);
		memcpy(r->name, path, len);
		r->next = b->rooms;
		b->rooms = r;
		if (b->bus.room_opened)
			b->bus.room_opened(r->name, b->bus.arg);
	}
	m->b = b;
	m->c = c;
	m->room = r;
	m->next = r->members;
	m->prev = &r->members;
	if (r->members)
		r->members->prev = &m->next;
	r->members = m;
	wsx_conn_set_ops(c, &member_ops, m);
}

void
wsx_broadcast_deliver(struct wsx_broadcast *b, const char *room,
		      const struct wsx_msg *m)
{
	struct room *r = room_find(b, room, strlen(room));

	if (!r)
		return;
	for (struct member *p = r->members, *next; p; p = next) {
		next = p->next;
		broadcast_to(b, p, m);
	}
}

void
wsx_broadcast_each_room(const struct wsx_broadcast *b,
			void (*fn)(const char *room, void *arg), void *arg)
{
	for (const struct room *r = b->rooms; r; r = r->next)
		fn(r->name, arg);
}
