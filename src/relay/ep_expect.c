/*
 * Expect endpoints; see ep_expect.h. The relay sees one endpoint; this one
 * sits between it and the inner endpoint: messages for the inner side's
 * output pass through here and meet the expectations; messages from the
 * inner side's input (or the script) pass through the pacing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/ep_expect.h"
#include "util/clock.h"
#include "util/closecode.h"
#include "util/xalloc.h"

/* Messages that came while a script was not waiting for one: the next
 * expect looks at them first, like expect(1)'s buffer. Bounded. */
#define BACKLOG_MAX	  64
#define BACKLOG_MAX_BYTES (1u << 20)

struct held {
	enum wsx_msg_type type;
	unsigned char *data;
	size_t len;
};

struct ep_expect {
	struct wsx_ep base;
	struct wsx_ep *in;
	struct wsx_ep_expect_opts o;
	size_t step;		 /* the step running or waited for */
	struct wsx_timer *timer; /* expectation or ping timeout; sleep */
	struct wsx_timer *kick;	 /* go on with the script, from the loop */
	struct wsx_timer *pace;	 /* the held message is due */
	bool started, relay_paused, stopped, failed, finished_steps;
	bool waiting; /* on the current step (expect, sleep, ping) */
	char ping_data[32];
	struct held held; /* an input message waiting for its turn */
	bool has_held;
	uint64_t next_due;
	bool end_pending; /* inner input ended; passed on once all are met */
	struct wsx_ep_end end;
	struct held backlog[BACKLOG_MAX];
	size_t n_backlog, backlog_bytes;
	struct wsx_recent recent;
	char failure[512];
	char report[WSX_RECENT_N * sizeof(((struct wsx_recent *)0)->line[0]) +
		    16];
};

static struct ep_expect *
ep_expect(struct wsx_ep *e)
{
	return (struct ep_expect *)e;
}

static const struct wsx_step *
cur_step(const struct ep_expect *x)
{
	return x->step < x->o.script->n ? &x->o.script->steps[x->step] : NULL;
}

static bool
is_expectation(const struct wsx_step *st)
{
	return st && (st->kind == WSX_STEP_EXPECT ||
		      st->kind == WSX_STEP_EXPECT_JSON);
}

/* The first expectation from the current step on, or NULL. */
static const struct wsx_step *
next_expectation(const struct ep_expect *x, size_t *number)
{
	const struct wsx_script *s = x->o.script;
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		n += is_expectation(&s->steps[i]);
		if (i >= x->step && is_expectation(&s->steps[i])) {
			*number = n;
			return &s->steps[i];
		}
	}
	return NULL;
}

static void
backlog_clear(struct ep_expect *x, size_t upto)
{
	for (size_t i = 0; i < upto; i++)
		free(x->backlog[i].data);
	memmove(x->backlog, x->backlog + upto,
		(x->n_backlog - upto) * sizeof(x->backlog[0]));
	x->n_backlog -= upto;
	x->backlog_bytes = 0;
	for (size_t i = 0; i < x->n_backlog; i++)
		x->backlog_bytes += x->backlog[i].len;
}

static void
backlog_add(struct ep_expect *x, const struct wsx_msg *m)
{
	struct held *h;

	if (m->len > BACKLOG_MAX_BYTES)
		return;
	while (x->n_backlog && (x->n_backlog == BACKLOG_MAX ||
				x->backlog_bytes + m->len > BACKLOG_MAX_BYTES))
		backlog_clear(x, 1);
	h = &x->backlog[x->n_backlog++];
	h->type = m->type;
	h->len = m->len;
	h->data = xmalloc(m->len ? m->len : 1);
	memcpy(h->data, m->data, m->len);
	x->backlog_bytes += m->len;
}

/* --- ending ------------------------------------------------------------ */

static void
deliver_end_if_due(struct ep_expect *x)
{
	if (!x->end_pending || x->has_held || x->failed)
		return;
	if (!x->o.run_script && next_expectation(x, &(size_t){ 0 }))
		return;
	x->end_pending = false;
	wsx_ep_ended(&x->base, &x->end);
}

/* The pending expectation fails: why is "in 10 s" or how it closed. */
static void
expect_fail(struct ep_expect *x, const char *why)
{
	const struct wsx_step *st;
	struct wsx_ep_end end;
	char what[400];
	size_t number = 0;

	if (x->failed)
		return;
	st = next_expectation(x, &number);
	if (!st)
		return;
	x->failed = true;
	wsx_step_describe(st, x->o.script, what, sizeof(what));
	snprintf(x->failure, sizeof(x->failure),
		 "expectation %zu (%s) not met %s; last messages received:",
		 number, what, why);
	wsx_recent_format(&x->recent, x->report, sizeof(x->report));
	wsx_timer_cancel(x->timer);
	wsx_timer_cancel(x->kick);
	wsx_timer_cancel(x->pace);
	x->has_held = false;
	x->end_pending = false;
	wsx_ep_stop_input(x->in);
	wsx_ep_end_set(&end, 1000, "expectation not met", WSX_EXIT_EXPECT, "%s",
		       x->failure);
	wsx_ep_ended(&x->base, &end);
}

static void
expect_timed_out(struct ep_expect *x)
{
	char why[64];

	snprintf(why, sizeof(why), "in %g s", (double)x->o.timeout_us / 1e6);
	expect_fail(x, why);
}

/* --- the steps --------------------------------------------------------- */

static void
step_done(struct ep_expect *x)
{
	x->waiting = false;
	x->step++;
	wsx_timer_cancel(x->timer);
	if (x->o.run_script)
		wsx_timer_arm(x->kick, 0);
	else if (is_expectation(cur_step(x)))
		wsx_timer_arm(x->timer, x->o.timeout_us);
	else
		deliver_end_if_due(x);
}

static void
send_up(struct ep_expect *x, enum wsx_msg_type type, const void *data,
	size_t len)
{
	struct wsx_msg m = { type, data, len };

	if (x->base.ev && x->base.ev->on_message)
		x->base.ev->on_message(&x->base, &m, x->base.arg);
}

/* Run the script's steps up to one that waits. */
static void
script_run(struct ep_expect *x)
{
	const struct wsx_step *st;
	struct wsx_ep_end end;

	while (!x->failed && !x->waiting && !x->stopped && (st = cur_step(x))) {
		switch (st->kind) {
		case WSX_STEP_SEND:
		case WSX_STEP_SEND_BINARY:
			if (x->relay_paused)
				return; /* on with it once the relay drains */
			x->step++;
			send_up(x,
				st->kind == WSX_STEP_SEND ? WSX_MSG_TEXT
							  : WSX_MSG_BINARY,
				st->data, st->len);
			break;
		case WSX_STEP_EXPECT:
		case WSX_STEP_EXPECT_JSON:
			for (size_t i = 0; i < x->n_backlog; i++) {
				struct held *h = &x->backlog[i];
				struct wsx_msg m = { h->type, h->data, h->len };

				if (wsx_step_matches(st, &m)) {
					backlog_clear(x, i + 1);
					x->step++;
					goto next;
				}
			}
			backlog_clear(x, x->n_backlog);
			x->waiting = true;
			wsx_timer_arm(x->timer, x->o.timeout_us);
			return;
		case WSX_STEP_SLEEP:
			x->waiting = true;
			wsx_timer_arm(x->timer, st->usec);
			return;
		case WSX_STEP_PING:
			x->waiting = true;
			snprintf(x->ping_data, sizeof(x->ping_data),
				 "wsx-script-%u", st->line);
			wsx_timer_arm(x->timer, x->o.timeout_us);
			/* the relay pings the server; its pong comes back to
			 * ep_expect_pong(), maybe at once */
			if (x->base.ev && x->base.ev->on_ping)
				x->base.ev->on_ping(&x->base, x->ping_data,
						    strlen(x->ping_data),
						    x->base.arg);
			return;
		case WSX_STEP_CLOSE:
			x->step = x->o.script->n;
			x->finished_steps = true;
			wsx_ep_end_set(&end, st->code, st->text, WSX_EXIT_OK,
				       NULL);
			wsx_ep_ended(&x->base, &end);
			return;
		}
	next:;
	}
	if (!cur_step(x) && !x->finished_steps && !x->failed) {
		x->finished_steps = true;
		wsx_ep_end_set(&end, 1000, "", WSX_EXIT_OK, NULL);
		wsx_ep_ended(&x->base, &end);
	}
}

static void
expect_kick(void *arg)
{
	script_run(arg);
}

static void
expect_timer(void *arg)
{
	struct ep_expect *x = arg;
	const struct wsx_step *st = cur_step(x);
	char why[64];

	if (!st || x->failed)
		return;
	if (st->kind == WSX_STEP_SLEEP) {
		step_done(x);
	} else if (st->kind == WSX_STEP_PING) {
		/* a ping unanswered is the next expectation's failure, or
		 * its own when none follows */
		snprintf(why, sizeof(why),
			 "(no pong to line %u's ping in %g s)", st->line,
			 (double)x->o.timeout_us / 1e6);
		if (next_expectation(x, &(size_t){ 0 })) {
			expect_fail(x, why);
		} else {
			struct wsx_ep_end end;

			x->failed = true;
			snprintf(x->failure, sizeof(x->failure),
				 "%s:%u: no pong in %g s", x->o.script->file,
				 st->line, (double)x->o.timeout_us / 1e6);
			wsx_recent_format(&x->recent, x->report,
					  sizeof(x->report));
			wsx_ep_end_set(&end, 1000, "no pong", WSX_EXIT_EXPECT,
				       "%s", x->failure);
			wsx_ep_ended(&x->base, &end);
		}
	} else {
		expect_timed_out(x);
	}
}

/* --- pacing the inner side's messages ------------------------------------ */

static void
pace_send(struct ep_expect *x, const struct wsx_msg *m, uint64_t now)
{
	/* keep the rhythm when the timer fired a little late */
	uint64_t base = x->next_due && now - x->next_due < x->o.interval_us
				? x->next_due
				: now;

	x->next_due = base + x->o.interval_us;
	send_up(x, m->type, m->data, m->len);
}

static void
pace_fire(void *arg)
{
	struct ep_expect *x = arg;
	struct wsx_msg m;

	if (!x->has_held || x->relay_paused)
		return; /* ep_expect_pause() goes on */
	x->has_held = false;
	m.type = x->held.type;
	m.data = x->held.data;
	m.len = x->held.len;
	pace_send(x, &m, wsx_now_us());
	if (!x->relay_paused && !x->has_held)
		wsx_ep_pause(x->in, false);
	deliver_end_if_due(x);
}

/* --- the inner endpoint's events ----------------------------------------- */

static void
in_message(struct wsx_ep *e, const struct wsx_msg *m, void *arg)
{
	struct ep_expect *x = arg;
	uint64_t now;

	(void)e;
	if (x->stopped || x->failed)
		return;
	if (!x->o.interval_us) {
		send_up(x, m->type, m->data, m->len);
		return;
	}
	now = wsx_now_us();
	if (!x->has_held && now >= x->next_due) {
		pace_send(x, m, now);
		return;
	}
	/* hold it, and read no more until it went */
	x->held.type = m->type;
	x->held.data = xrealloc(x->held.data, m->len ? m->len : 1);
	memcpy(x->held.data, m->data, m->len);
	x->held.len = m->len;
	x->has_held = true;
	wsx_ep_pause(x->in, true);
	wsx_timer_arm(x->pace, x->next_due > now ? x->next_due - now : 0);
}

static void
in_drain(struct wsx_ep *e, void *arg)
{
	struct ep_expect *x = arg;

	(void)e;
	if (x->base.ev && x->base.ev->on_drain)
		x->base.ev->on_drain(&x->base, x->base.arg);
}

static void
in_end(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct ep_expect *x = arg;

	(void)e;
	if (end->status || x->o.run_script) {
		/* a failure (or stdout's, under a script) goes on at once;
		 * what was still expected is moot */
		if (end->status)
			x->failed = true;
		x->has_held = false;
		wsx_timer_cancel(x->pace);
		wsx_timer_cancel(x->timer);
		wsx_ep_ended(&x->base, end);
		return;
	}
	x->end = *end;
	x->end_pending = true;
	deliver_end_if_due(x);
}

static void
in_late_failure(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct ep_expect *x = arg;

	(void)e;
	wsx_ep_ended(&x->base, end);
}

static void
in_gone(struct wsx_ep *e, void *arg)
{
	struct ep_expect *x = arg;

	(void)e;
	wsx_ep_finished(&x->base);
}

static const struct wsx_ep_events in_events = {
	.on_message = in_message,
	.on_drain = in_drain,
	.on_end = in_end,
	.on_late_failure = in_late_failure,
	.on_gone = in_gone,
};

/* --- the endpoint -------------------------------------------------------- */

static int
ep_expect_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	struct ep_expect *x = ep_expect(e);
	const struct wsx_step *st = cur_step(x);

	wsx_recent_add(&x->recent, m);
	if (x->started && !x->failed) {
		if (is_expectation(st) && (x->waiting || !x->o.run_script)) {
			if (wsx_step_matches(st, m))
				step_done(x);
		} else if (x->o.run_script && st) {
			backlog_add(x, m);
		}
	}
	return wsx_ep_send(x->in, m);
}

static void
ep_expect_pause(struct wsx_ep *e, bool pause)
{
	struct ep_expect *x = ep_expect(e);

	x->relay_paused = pause;
	if (!pause && !x->started) {
		x->started = true;
		x->next_due = 0;
		if (x->o.run_script)
			wsx_timer_arm(x->kick, 0);
		else if (is_expectation(cur_step(x)))
			wsx_timer_arm(x->timer, x->o.timeout_us);
	} else if (!pause && x->o.run_script) {
		wsx_timer_arm(x->kick, 0);
	}
	if (!pause && x->has_held && wsx_now_us() >= x->next_due)
		wsx_timer_arm(x->pace, 0);
	wsx_ep_pause(x->in, pause || x->has_held);
}

static int
ep_expect_pong(struct wsx_ep *e, const void *data, size_t len)
{
	struct ep_expect *x = ep_expect(e);
	const struct wsx_step *st = cur_step(x);

	if (x->waiting && st && st->kind == WSX_STEP_PING &&
	    len == strlen(x->ping_data) && !memcmp(data, x->ping_data, len))
		step_done(x);
	return wsx_ep_pong(x->in, data, len);
}

static int
ep_expect_ping(struct wsx_ep *e, const void *data, size_t len)
{
	return wsx_ep_ping(ep_expect(e)->in, data, len);
}

static void
ep_expect_show(struct wsx_ep *e, const char *kind, const void *data, size_t len)
{
	wsx_ep_show(ep_expect(e)->in, kind, data, len);
}

static void
ep_expect_stop_input(struct wsx_ep *e)
{
	struct ep_expect *x = ep_expect(e);

	x->stopped = true;
	x->has_held = false;
	wsx_timer_cancel(x->pace);
	wsx_timer_cancel(x->kick);
	wsx_ep_stop_input(x->in);
}

static void
ep_expect_close(struct wsx_ep *e, int code, const char *reason)
{
	struct ep_expect *x = ep_expect(e);
	char why[200];

	if (x->started && !x->failed) {
		snprintf(why, sizeof(why),
			 "before the connection closed (%d %s%s%.120s%s)", code,
			 wsx_close_code_name(code), *reason ? " '" : "", reason,
			 *reason ? "'" : "");
		expect_fail(x, why);
	}
	ep_expect_stop_input(e);
	wsx_timer_cancel(x->timer);
	wsx_ep_close(x->in, code, reason);
}

static size_t
ep_expect_pending(const struct wsx_ep *e)
{
	return wsx_ep_pending(((const struct ep_expect *)e)->in);
}

static void
ep_expect_free(struct wsx_ep *e)
{
	struct ep_expect *x = ep_expect(e);

	wsx_ep_free(x->in);
	wsx_timer_free(x->timer);
	wsx_timer_free(x->kick);
	wsx_timer_free(x->pace);
	backlog_clear(x, x->n_backlog);
	free(x->held.data);
	free(x);
}

static const struct wsx_ep_impl ep_expect_impl = {
	.send = ep_expect_send,
	.pause = ep_expect_pause,
	.pong = ep_expect_pong,
	.ping = ep_expect_ping,
	.show = ep_expect_show,
	.stop_input = ep_expect_stop_input,
	.close = ep_expect_close,
	.pending = ep_expect_pending,
	.free = ep_expect_free,
};

struct wsx_ep *
wsx_ep_expect_new(struct wsx_loop *loop, struct wsx_ep *inner,
		  const struct wsx_ep_expect_opts *o)
{
	struct ep_expect *x = xcalloc(1, sizeof(*x));

	wsx_ep_init(&x->base, &ep_expect_impl, false);
	x->in = inner;
	x->o = *o;
	x->relay_paused = true;
	x->timer = wsx_timer_new(loop, expect_timer, x);
	x->kick = wsx_timer_new(loop, expect_kick, x);
	x->pace = wsx_timer_new(loop, pace_fire, x);
	snprintf(x->base.peer, sizeof(x->base.peer), "%s", inner->peer);
	x->base.open = inner->open;
	wsx_ep_set_events(inner, &in_events, x);
	return &x->base;
}

const char *
wsx_ep_expect_report(const struct wsx_ep *e)
{
	const struct ep_expect *x = (const struct ep_expect *)e;

	return x->failed && x->failure[0] ? x->report : NULL;
}

const char *
wsx_ep_expect_failure(const struct wsx_ep *e)
{
	const struct ep_expect *x = (const struct ep_expect *)e;

	return x->failed ? x->failure : "";
}
