/* WebSocket endpoints; see ep_ws.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "relay/ep_ws.h"
#include "util/xalloc.h"

struct ep_ws {
	struct wsx_ep base;
	struct wsx_conn *c; /* NULL once it has closed */
	const struct wsx_conn_ops *watch;
	void *watch_arg;
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

	(void)c;
	ep_ws_note_conn(w);
	wsx_ep_opened(&w->base);
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
ep_ws_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct ep_ws *w = arg;
	struct wsx_ep_end end;

	w->c = NULL;
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
	.on_pong_payload = ep_ws_pong,
	.on_close = ep_ws_close,
};

static int
ep_ws_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	struct wsx_conn *c = ep_ws(e)->c;

	return c ? wsx_conn_send(c, m->type, m->data, m->len) : -1;
}

static void
ep_ws_pause(struct wsx_ep *e, bool pause)
{
	if (ep_ws(e)->c)
		wsx_conn_pause(ep_ws(e)->c, pause);
}

static int
ep_ws_pong_send(struct wsx_ep *e, const void *data, size_t len)
{
	return ep_ws(e)->c ? wsx_conn_pong(ep_ws(e)->c, data, len) : -1;
}

static void
ep_ws_stop_input(struct wsx_ep *e)
{
	ep_ws_pause(e, true);
}

static void
ep_ws_close_ep(struct wsx_ep *e, int code, const char *reason)
{
	if (ep_ws(e)->c)
		wsx_conn_close(ep_ws(e)->c, code, reason);
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
	free(w);
}

static const struct wsx_ep_impl ep_ws_impl = {
	.send = ep_ws_send,
	.pause = ep_ws_pause,
	.pong = ep_ws_pong_send,
	.stop_input = ep_ws_stop_input,
	.close = ep_ws_close_ep,
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
	return &w->base;
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
	return &w->base;
}

struct wsx_conn *
wsx_ep_ws_conn(struct wsx_ep *e)
{
	return ep_ws(e)->c;
}
