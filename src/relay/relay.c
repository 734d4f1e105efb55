/* The relay of two endpoints; see relay.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/relay.h"
#include "util/xalloc.h"

struct side {
	struct wsx_pair *p;
	int i; /* 0: A, 1: B */
};

struct wsx_pair {
	struct wsx_pairs *set;
	struct wsx_pair *next, *prev;
	unsigned long id;
	struct wsx_loop *loop;
	struct wsx_pair_opts o;
	struct wsx_ep *ep[2];
	struct side side[2];
	struct wsx_timer *wait; /* -w: B quiet long enough after A's end */
	struct wsx_timer *done; /* both gone: report and free, from the loop */
	bool started;
	int status;
	char msg[512];
	wsx_pair_done_cb done_cb;
	void *arg;
};

static void
pair_start_if_open(struct wsx_pair *p)
{
	if (p->started || !p->ep[0]->open || !p->ep[1]->open)
		return;
	p->started = true;
	if (p->o.on_start)
		p->o.on_start(p, p->arg);
	wsx_ep_pause(p->ep[0], false);
	wsx_ep_pause(p->ep[1], false);
}

static void
pair_open(struct wsx_ep *e, void *arg)
{
	struct side *s = arg;

	(void)e;
	pair_start_if_open(s->p);
}

static void
pair_message(struct wsx_ep *e, const struct wsx_msg *m, void *arg)
{
	struct side *s = arg;
	struct wsx_pair *p = s->p;
	struct wsx_ep *to = p->ep[!s->i];

	if (p->o.tap)
		wsx_tap_message(p->o.tap, p->id, s->i, m);
	if (wsx_ep_send(to, m))
		wsx_ep_pause(e, true); /* until `to` drains */
	if (p->o.one_message) {
		wsx_ep_stop_input(p->ep[0]);
		if (s->i == 1)
			wsx_ep_close(p->ep[1], 1000, "");
	}
	if (s->i == 1 && p->o.wait_us && p->ep[0]->ended)
		wsx_timer_arm(p->wait, p->o.wait_us);
}

static void
pair_drain(struct wsx_ep *e, void *arg)
{
	struct side *s = arg;

	(void)e;
	if (s->p->started)
		wsx_ep_pause(s->p->ep[!s->i], false);
}

/* A ping goes on to the other side's peer, whose pong comes back; a side
 * without pings (a byte stream, a WebSocket not yet open) gets it
 * answered here. */
static void
pair_ping(struct wsx_ep *e, const void *data, size_t len, void *arg)
{
	struct side *s = arg;

	if (s->p->o.tap)
		wsx_tap_control(s->p->o.tap, s->p->id, s->i, "ping", data, len);
	if (!s->p->started || wsx_ep_ping(s->p->ep[!s->i], data, len)) {
		wsx_ep_pong(e, data, len);
		wsx_ep_show(s->p->ep[!s->i], "ping", data, len);
	}
}

static void
pair_pong(struct wsx_ep *e, const void *data, size_t len, void *arg)
{
	struct side *s = arg;

	(void)e;
	if (s->p->o.tap)
		wsx_tap_control(s->p->o.tap, s->p->id, s->i, "pong", data, len);
	if (wsx_ep_pong(s->p->ep[!s->i], data, len))
		wsx_ep_show(s->p->ep[!s->i], "pong", data, len);
}

/* The close code to pass on for an ending: codes that may not be sent
 * (1005, 1006, 1015) become 1000 after a clean end, else 1011. */
static int
pair_pass_code(const struct wsx_ep_end *end, const char **reason)
{
	int c = end->code;

	if (c >= 1000 && c < 5000 && c != 1004 && c != 1005 && c != 1006 &&
	    c != 1015)
		return c;
	if (!end->status)
		return 1000;
	switch (end->status) {
	case WSX_EXIT_CONNECT:
		*reason = "upstream unreachable";
		break;
	case WSX_EXIT_HANDSHAKE:
		*reason = "upstream refused the handshake";
		break;
	case WSX_EXIT_TLS:
		*reason = "upstream TLS failure";
		break;
	default:
		*reason = "connection lost";
	}
	return 1011;
}

/* The first failure is the pair's exit status and message. */
static void
pair_note_failure(struct wsx_pair *p, const struct wsx_ep_end *end)
{
	if (end->status && !p->status) {
		p->status = end->status;
		snprintf(p->msg, sizeof(p->msg), "%s", end->msg);
	}
}

/*
 * A side whose input had ended failed to write (stdout gone while the
 * replies were written): that is the pair's status, not the clean end
 * before it, and the other side has nobody left to talk to.
 */
static void
pair_late_failure(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct side *s = arg;
	struct wsx_pair *p = s->p;

	(void)e;
	pair_note_failure(p, end);
	wsx_ep_close(p->ep[!s->i], end->code, end->reason);
}

static void
pair_end(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct side *s = arg;
	struct wsx_pair *p = s->p;
	struct wsx_ep *other = p->ep[!s->i];
	const char *reason = end->reason;
	int code;

	if (p->o.tap)
		wsx_tap_close(p->o.tap, p->id, s->i, end->code, end->reason);
	pair_note_failure(p, end);
	if (other->ended || other->gone) {
		wsx_ep_close(e, end->code, "");
		wsx_ep_close(other, end->code, "");
		return;
	}
	if (s->i == 0 && (p->o.no_close || p->o.one_message))
		return; /* B decides when to close */
	if (s->i == 0 && p->o.wait_us) {
		wsx_timer_arm(p->wait, p->o.wait_us);
		return;
	}
	code = pair_pass_code(end, &reason);
	/* between two byte streams, an end is half a close: the other's
	 * output ends and what it still sends comes through (like socat) */
	if (!e->messages && !other->messages && !end->status)
		wsx_ep_shut(other);
	else
		wsx_ep_close(other, code, reason);
}

static void
pair_done(void *arg)
{
	struct wsx_pair *p = arg;
	struct wsx_pairs *set = p->set;

	if (p->done_cb)
		p->done_cb(p, p->status, p->msg, p->arg);
	if (p->prev)
		p->prev->next = p->next;
	else
		set->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	set->count--;
	wsx_ep_free(p->ep[0]);
	wsx_ep_free(p->ep[1]);
	wsx_timer_free(p->wait);
	wsx_timer_free(p->done);
	free(p);
}

static void
pair_gone(struct wsx_ep *e, void *arg)
{
	struct side *s = arg;
	struct wsx_pair *p = s->p;

	(void)e;
	if (!p->ep[!s->i]->gone) {
		/* nothing more can come from this side: finish the other */
		wsx_ep_close(p->ep[!s->i], 1000, "");
		return;
	}
	wsx_timer_arm(p->done, 0);
}

static void
pair_wait_over(void *arg)
{
	struct wsx_pair *p = arg;

	wsx_ep_close(p->ep[1], 1000, "");
}

static const struct wsx_ep_events pair_events = {
	.on_open = pair_open,
	.on_message = pair_message,
	.on_drain = pair_drain,
	.on_ping = pair_ping,
	.on_pong = pair_pong,
	.on_end = pair_end,
	.on_late_failure = pair_late_failure,
	.on_gone = pair_gone,
};

struct wsx_pair *
wsx_pair_new(struct wsx_loop *loop, struct wsx_pairs *set, struct wsx_ep *a,
	     struct wsx_ep *b, const struct wsx_pair_opts *o,
	     wsx_pair_done_cb done, void *arg)
{
	struct wsx_pair *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->set = set;
	p->id = ++set->last_id;
	p->o = *o;
	p->ep[0] = a;
	p->ep[1] = b;
	p->done_cb = done;
	p->arg = arg;
	p->wait = wsx_timer_new(loop, pair_wait_over, p);
	p->done = wsx_timer_new(loop, pair_done, p);
	p->next = set->head;
	if (set->head)
		set->head->prev = p;
	set->head = p;
	set->count++;
	for (int i = 0; i < 2; i++) {
		p->side[i].p = p;
		p->side[i].i = i;
		wsx_ep_set_events(p->ep[i], &pair_events, &p->side[i]);
	}
	if (p->o.tap)
		wsx_tap_open(p->o.tap, p->id, a->peer, a->path);
	pair_start_if_open(p);
	return p;
}

unsigned long
wsx_pair_id(const struct wsx_pair *p)
{
	return p->id;
}

void *
wsx_pair_arg(const struct wsx_pair *p)
{
	return p->arg;
}

void
wsx_pair_close_side(struct wsx_pair *p, int side, int code, const char *reason)
{
	wsx_ep_close(p->ep[side], code, reason);
}

void
wsx_pairs_close_all(struct wsx_pairs *set, int code, const char *reason)
{
	for (struct wsx_pair *p = set->head; p; p = p->next) {
		wsx_ep_close(p->ep[0], code, reason);
		wsx_ep_close(p->ep[1], code, reason);
	}
}

size_t
wsx_pair_pending(const struct wsx_pair *p, int side)
{
	return wsx_ep_pending(p->ep[side]);
}

size_t
wsx_pairs_pending(const struct wsx_pairs *set)
{
	size_t n = 0;

	for (const struct wsx_pair *p = set->head; p; p = p->next)
		n += wsx_ep_pending(p->ep[0]) + wsx_ep_pending(p->ep[1]);
	return n;
}

void
wsx_pairs_free_all(struct wsx_pairs *set)
{
	while (set->head) {
		set->head->done_cb = NULL;
		pair_done(set->head);
	}
}
