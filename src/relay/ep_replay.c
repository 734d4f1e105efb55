/* Replay endpoints; see ep_replay.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/ep_replay.h"
#include "relay/record.h"
#include "util/clock.h"
#include "util/xalloc.h"

struct ep_replay {
	struct wsx_ep base;
	struct wsx_ep *out; /* stdout, which does the writing */
	struct wsx_timer *timer;
	struct wsx_record rec;
	size_t next;
	double speed;
	uint64_t start_us; /* when the first message went, shifted by pauses */
	uint64_t paused_us;
	bool paused, started;
};

static struct ep_replay *
ep_replay(struct wsx_ep *e)
{
	return (struct ep_replay *)e;
}

/* --- sending on time
 * ---------------------------------------------------------- */

static void
replay_schedule(struct ep_replay *r)
{
	uint64_t due, now = wsx_now_us();

	if (r->paused || r->next >= r->rec.n)
		return;
	due = r->start_us +
	      (uint64_t)(r->rec.msgs[r->next].at / r->speed * 1e6);
	wsx_timer_arm(r->timer, due > now ? due - now : 0);
}

static void
replay_fire(void *arg)
{
	struct ep_replay *r = arg;
	struct wsx_ep_end end;

	while (!r->paused && r->next < r->rec.n) {
		const struct wsx_record_msg *rm = &r->rec.msgs[r->next];
		struct wsx_msg m = { rm->type, rm->data, rm->len };
		uint64_t due =
			r->start_us + (uint64_t)(rm->at / r->speed * 1e6);

		if (due > wsx_now_us())
			break;
		r->next++;
		if (r->base.ev && r->base.ev->on_message)
			r->base.ev->on_message(&r->base, &m, r->base.arg);
	}
	if (r->next < r->rec.n) {
		replay_schedule(r);
		return;
	}
	if (!r->paused) {
		wsx_ep_end_set(&end, 1000, "", WSX_EXIT_OK, NULL);
		wsx_ep_ended(&r->base, &end);
	}
}

/* --- stdout's events, passed on ---------------------------------------------
 */

static void
replay_out_drain(struct wsx_ep *e, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	if (r->base.ev && r->base.ev->on_drain)
		r->base.ev->on_drain(&r->base, r->base.arg);
}

static void
replay_out_end(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	wsx_ep_ended(&r->base, end); /* stdout failed */
}

static void
replay_out_gone(struct wsx_ep *e, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	wsx_ep_finished(&r->base);
}

static const struct wsx_ep_events replay_out_events = {
	.on_drain = replay_out_drain,
	.on_end = replay_out_end,
	.on_gone = replay_out_gone,
};

/* --- the endpoint
 * ---------------------------------------------------------------- */

static int
ep_replay_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	return wsx_ep_send(ep_replay(e)->out, m);
}

static void
ep_replay_pause(struct wsx_ep *e, bool pause)
{
	struct ep_replay *r = ep_replay(e);
	uint64_t now = wsx_now_us();

	if (pause == r->paused)
		return;
	r->paused = pause;
	if (pause) {
		wsx_timer_cancel(r->timer);
		r->paused_us = now;
		return;
	}
	/* the time spent paused does not count: the rest keeps its rhythm */
	if (!r->started) {
		r->started = true;
		r->start_us = now;
	} else {
		r->start_us += now - r->paused_us;
	}
	wsx_timer_arm(r->timer, 0);
}

static void
ep_replay_stop_input(struct wsx_ep *e)
{
	struct ep_replay *r = ep_replay(e);

	wsx_timer_cancel(r->timer);
	r->next = r->rec.n;
	r->paused = true;
}

static void
ep_replay_close(struct wsx_ep *e, int code, const char *reason)
{
	ep_replay_stop_input(e);
	wsx_ep_close(ep_replay(e)->out, code, reason);
}

static void
ep_replay_free(struct wsx_ep *e)
{
	struct ep_replay *r = ep_replay(e);

	wsx_ep_free(r->out);
	wsx_timer_free(r->timer);
	wsx_record_release(&r->rec);
	free(r);
}

static const struct wsx_ep_impl ep_replay_impl = {
	.send = ep_replay_send,
	.pause = ep_replay_pause,
	.stop_input = ep_replay_stop_input,
	.close = ep_replay_close,
	.free = ep_replay_free,
};

struct wsx_ep *
wsx_ep_replay_new(struct wsx_loop *loop, const char *path, double speed,
		  const struct wsx_ep_stream_opts *o, struct wsx_err *err)
{
	struct ep_replay *r = xcalloc(1, sizeof(*r));

	wsx_ep_init(&r->base, &ep_replay_impl, false);
	r->speed = speed;
	r->paused = true;
	snprintf(r->base.peer, sizeof(r->base.peer), "%s", path);
	r->timer = wsx_timer_new(loop, replay_fire, r);
	wsx_record_init(&r->rec);
	if (wsx_record_load(&r->rec, path, err) ||
	    !(r->out = wsx_ep_stdout_new(loop, o, err))) {
		ep_replay_free(&r->base);
		return NULL;
	}
	wsx_ep_set_events(r->out, &replay_out_events, r);
	r->base.open = true;
	return &r->base;
}
