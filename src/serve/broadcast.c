/* Broadcast rooms; see broadcast.h. */
#include "config.h"

#include <string.h>

#include "serve/broadcast.h"
#include "util/log.h"
#include "util/xalloc.h"

struct member {
	struct member *next;
	struct wsx_conn *c;
	char *room;    /* the path without its query */
	bool too_slow; /* closed with 1008: sends no more */
	unsigned long long dropped;
};

struct wsx_broadcast {
	struct member *members;
	bool echo_self;
	enum wsx_slow slow;
};

struct wsx_broadcast *
wsx_broadcast_new(bool echo_self, enum wsx_slow slow)
{
	struct wsx_broadcast *b = xcalloc(1, sizeof(*b));

	b->echo_self = echo_self;
	b->slow = slow;
	return b;
}

void
wsx_broadcast_free(struct wsx_broadcast *b)
{
	if (!b)
		return;
	while (b->members) {
		struct member *m = b->members;

		b->members = m->next;
		free(m->room);
		free(m);
	}
	free(b);
}

void
wsx_broadcast_join(struct wsx_broadcast *b, struct wsx_conn *c)
{
	const char *path = wsx_conn_info(c)->path;
	struct member *m = xcalloc(1, sizeof(*m));

	m->c = c;
	m->room = xstrndup(path, strcspn(path, "?"));
	m->next = b->members;
	b->members = m;
}

void
wsx_broadcast_leave(struct wsx_broadcast *b, struct wsx_conn *c)
{
	for (struct member **p = &b->members; *p; p = &(*p)->next) {
		struct member *m = *p;

		if (m->c != c)
			continue;
		if (m->dropped)
			wsx_info("%s %s: %llu messages dropped (too slow)",
				 wsx_conn_info(c)->peer, m->room, m->dropped);
		*p = m->next;
		free(m->room);
		free(m);
		return;
	}
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
		 wsx_conn_info(to->c)->peer, to->room);
	to->too_slow = true;
	wsx_conn_close(to->c, 1008, "too slow: send queue full");
}

void
wsx_broadcast_message(struct wsx_broadcast *b, struct wsx_conn *from,
		      const struct wsx_msg *m)
{
	const char *room = NULL;

	for (struct member *p = b->members; p; p = p->next)
		if (p->c == from)
			room = p->room;
	if (!room)
		return;
	for (struct member *p = b->members; p; p = p->next)
		if ((p->c != from || b->echo_self) && !strcmp(p->room, room))
			broadcast_to(b, p, m);
}
