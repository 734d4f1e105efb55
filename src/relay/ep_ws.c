/* WebSocket endpoints; see ep_ws.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/ep_ws.h"
#include "util/xalloc.h"

struct ep_ws {
	struct wsx_ep base;
	struct wsx_conn *c; /* NULL once it has closed */
	const struct wsx_conn_ops *watch;
	void *watch_arg;
	bool paused; /* what the owner asked for, kept across reconnects */

	/* --reconnect */
	bool retrying;
	struct reconnect rc;
	struct wsx_client *cl;
	char *url;
	const struct wsx_client_extra *x;
	struct wsx_conn_limits lim;
	bool between; /* waiting to connect again: c is NULL */
	bool held;    /* a message sent in between, to go out first */
	struct wsx_msg_copy {
		enum wsx_msg_type type;
		unsigned char *data;
		size_t len;
	} hold;
};

static struct ep_ws *
ep_ws(struct wsx_ep *e)
{
	return (struct ep_ws *)e;
}

static void
ep_ws_note_conn(struct ep_ws *w)
{
	const struct wsx_conn_info *i = wsx_conn_info(w->c);

	snprintf(w->base.peer, sizeof(w->base.peer), "%s", i->peer);
	snprintf(w->base.path, sizeof(w->base.path), "%s", i->path);
}

static void
ep_ws_open(struct wsx_conn *c, void *arg)
{
	struct ep_ws *w = arg;

	ep_ws_note_conn(w);
	if (w->retrying)
		reconnect_opened(&w->rc);
	if (!w->base.open) {
		wsx_ep_opened(&w->base);
		return;
	}
	/* a reconnect: the owner saw one connection all along */
	wsx_conn_pause(c, w->paused);
	if (w->held) {
		w->held = false;
		wsx_conn_send(c, w->hold.type, w->hold.data, w->hold.len);
		free(w->hold.data);
		w->hold.data = NULL;
	}
	if (w->base.ev && w->base.ev->on_drain)
		w->base.ev->on_drain(&w->base, w->base.arg);
}

static void
ep_ws_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct ep_ws *w = arg;

	(void)c;
	if (w->base.ev && w->base.ev->on_message)
		w->base.ev->on_message(&w->base, m, w->base.arg);
}

static void
ep_ws_drain(struct wsx_conn *c, void *arg)
{
	struct ep_ws *w = arg;

	(void)c;
	if (w->base.ev && w->base.ev->on_drain)
		w->base.ev->on_drain(&w->base, w->base.arg);
}

static void
ep_ws_pong(struct wsx_conn *c, const void *data, size_t len, void *arg)
{
	struct ep_ws *w = arg;

	(void)c;
	if (w->base.ev && w->base.ev->on_pong)
		w->base.ev->on_pong(&w->base, data, len, w->base.arg);
}

static void
ep_ws_ping(struct wsx_conn *c, const void *data, size_t len, void *arg)
{
	struct ep_ws *w = arg;

	if (w->base.ev && w->base.ev->on_ping)
		w->base.ev->on_ping(&w->base, data, len, w->base.arg);
	else
		wsx_conn_pong(c, data, len); /* nobody to pass it to */
}

static void
ep_ws_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct ep_ws *w = arg;
	struct wsx_ep_end end;

	w->c = NULL;
	if (w->retrying && !w->base.closing && reconnect_schedule(&w->rc, cl)) {
		w->between = true;
		return;
	}
	if (w->watch && w->watch->on_close)
		w->watch->on_close(c, cl, w->watch_arg);
	wsx_ep_end_set(&end, cl->code, cl->reason, cl->status, "%s",
		       cl->status ? cl->msg : "");
	wsx_ep_ended(&w->base, &end);
	wsx_ep_finished(&w->base);
}

static const struct wsx_conn_ops ep_ws_conn_ops = {
	.on_open = ep_ws_open,
	.on_message = ep_ws_message,
	.on_drain = ep_ws_drain,
	.on_ping = ep_ws_ping,
	.on_pong_payload = ep_ws_pong,
	.on_close = ep_ws_close,
};

static int
ep_ws_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	struct ep_ws *w = ep_ws(e);

	if (w->c)
		return wsx_conn_send(w->c, m->type, m->data, m->len);
	if (!w->between || w->held)
		return -1;
	/* one message waits for the next connection; the producer pauses */
	w->held = true;
	w->hold.type = m->type;
	w->hold.len = m->len;
	w->hold.data = xmalloc(m->len ? m->len : 1);
	if (m->len)
		memcpy(w->hold.data, m->data, m->len);
	return 1;
}

static void
ep_ws_pause(struct wsx_ep *e, bool pause)
{
	ep_ws(e)->paused = pause;
	if (ep_ws(e)->c)
		wsx_conn_pause(ep_ws(e)->c, pause);
}

static int
ep_ws_pong_send(struct wsx_ep *e, const void *data, size_t len)
{
	return ep_ws(e)->c ? wsx_conn_pong(ep_ws(e)->c, data, len) : -1;
}

static int
ep_ws_ping_send(struct wsx_ep *e, const void *data, size_t len)
{
	return ep_ws(e)->c ? wsx_conn_ping(ep_ws(e)->c, data, len) : -1;
}

static void
ep_ws_stop_input(struct wsx_ep *e)
{
	ep_ws_pause(e, true);
}

static void
ep_ws_close_ep(struct wsx_ep *e, int code, const char *reason)
{
	struct ep_ws *w = ep_ws(e);
	struct wsx_ep_end end;

	if (w->c) {
		wsx_conn_close(w->c, code, reason);
	} else if (w->between) {
		/* closed while waiting to reconnect: nothing to wait for */
		w->between = false;
		wsx_timer_cancel(w->rc.timer);
		wsx_ep_end_set(&end, code, reason, WSX_EXIT_OK, "%s", "");
		wsx_ep_ended(&w->base, &end);
		wsx_ep_finished(&w->base);
	}
}

static void
ep_ws_free(struct wsx_ep *e)
{
	struct ep_ws *w = ep_ws(e);

	/* still open only when the loop goes down: it frees the connection */
	if (w->c) {
		wsx_conn_set_ops(w->c, NULL, NULL);
		wsx_conn_close(w->c, 1001, "");
	}
	if (w->retrying)
		reconnect_release(&w->rc);
	free(w->hold.data);
	free(w->url);
	free(w);
}

static size_t
ep_ws_pending(const struct wsx_ep *e)
{
	const struct ep_ws *w = (const struct ep_ws *)e;

	return (w->c ? wsx_conn_pending(w->c) : 0) +
	       (w->held ? w->hold.len : 0);
}

static const struct wsx_ep_impl ep_ws_impl = {
	.send = ep_ws_send,
	.pause = ep_ws_pause,
	.pong = ep_ws_pong_send,
	.ping = ep_ws_ping_send,
	.stop_input = ep_ws_stop_input,
	.close = ep_ws_close_ep,
	.pending = ep_ws_pending,
	.free = ep_ws_free,
};

struct wsx_ep *
wsx_ep_ws_connect(struct wsx_client *cl, const char *url,
		  const struct wsx_client_extra *x,
		  const struct wsx_conn_limits *lim, struct wsx_err *err)
{
	struct ep_ws *w = xcalloc(1, sizeof(*w));

	wsx_ep_init(&w->base, &ep_ws_impl, true);
	snprintf(w->base.peer, sizeof(w->base.peer), "%s", url);
	w->c = wsx_client_connect_extra(cl, url, x, lim, &ep_ws_conn_ops, w,
					err);
	if (!w->c) {
		free(w);
		return NULL;
	}
	wsx_conn_pause(w->c, true);
	wsx_conn_answer_pings(w->c, false); /* the relay passes them on */
	return &w->base;
}

/* --reconnect: the backoff delay is over */
static void
ep_ws_again(void *arg)
{
	struct ep_ws *w = arg;
	struct wsx_ep_end end;
	struct wsx_err err;

	w->between = false;
	w->c = wsx_client_connect_extra(w->cl, w->url, w->x, &w->lim,
					&ep_ws_conn_ops, w, &err);
	if (w->c) {
		wsx_conn_answer_pings(w->c, false);
		return;
	}
	wsx_ep_end_set(&end, 1006, "", err.code, "%s", err.msg);
	wsx_ep_ended(&w->base, &end);
	wsx_ep_finished(&w->base);
}

struct wsx_ep *
wsx_ep_ws_connect_retrying(struct wsx_loop *loop, struct wsx_client *cl,
			   const char *url, const struct wsx_client_extra *x,
			   const struct wsx_conn_limits *lim,
			   const struct reconnect_opts *rc, struct wsx_err *err)
{
	struct wsx_ep *e = wsx_ep_ws_connect(cl, url, x, lim, err);
	struct ep_ws *w;

	if (!e || !rc || !rc->enabled)
		return e;
	w = ep_ws(e);
	w->retrying = true;
	w->cl = cl;
	w->url = xstrdup(url);
	w->x = x;
	w->lim = *lim;
	reconnect_init(&w->rc, rc, loop, ep_ws_again, w);
	return e;
}

struct wsx_ep *
wsx_ep_ws_accepted(struct wsx_conn *c, const struct wsx_conn_ops *watch,
		   void *watch_arg)
{
	struct ep_ws *w = xcalloc(1, sizeof(*w));

	wsx_ep_init(&w->base, &ep_ws_impl, true);
	w->c = c;
	w->watch = watch;
	w->watch_arg = watch_arg;
	w->base.open = true;
	ep_ws_note_conn(w);
	wsx_conn_set_ops(c, &ep_ws_conn_ops, w);
	wsx_conn_pause(c, true);
	wsx_conn_answer_pings(c, false);
	w->paused = true;
	return &w->base;
}

struct wsx_conn *
wsx_ep_ws_conn(struct wsx_ep *e)
{
	return ep_ws(e)->c;
}
