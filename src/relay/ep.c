/* The endpoint interface; see ep.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay/ep.h"

void
wsx_ep_init(struct wsx_ep *e, const struct wsx_ep_impl *impl, bool messages)
{
	e->impl = impl;
	e->messages = messages;
}

void
wsx_ep_set_events(struct wsx_ep *e, const struct wsx_ep_events *ev, void *arg)
{
	e->ev = ev;
	e->arg = arg;
}

int
wsx_ep_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	if (e->gone || e->closing)
		return -1;
	return e->impl->send(e, m);
}

size_t
wsx_ep_pending(const struct wsx_ep *e)
{
	return e->impl->pending && !e->gone ? e->impl->pending(e) : 0;
}

void
wsx_ep_pause(struct wsx_ep *e, bool pause)
{
	if (!e->gone)
		e->impl->pause(e, pause);
}

int
wsx_ep_pong(struct wsx_ep *e, const void *data, size_t len)
{
	if (e->gone || e->closing || !e->impl->pong)
		return -1;
	return e->impl->pong(e, data, len);
}

int
wsx_ep_ping(struct wsx_ep *e, const void *data, size_t len)
{
	if (e->gone || e->closing || !e->impl->ping)
		return -1;
	return e->impl->ping(e, data, len);
}

void
wsx_ep_show(struct wsx_ep *e, const char *kind, const void *data, size_t len)
{
	if (!e->gone && !e->closing && e->impl->show)
		e->impl->show(e, kind, data, len);
}

void
wsx_ep_stop_input(struct wsx_ep *e)
{
	if (!e->gone)
		e->impl->stop_input(e);
}

void
wsx_ep_close(struct wsx_ep *e, int code, const char *reason)
{
	if (e->gone || e->closing)
		return;
	e->closing = true;
	e->impl->close(e, code, reason ? reason : "");
}

void
wsx_ep_shut(struct wsx_ep *e)
{
	if (e->gone || e->closing)
		return;
	if (e->impl->shut)
		e->impl->shut(e);
	else
		wsx_ep_close(e, 1000, "");
}

void
wsx_ep_free(struct wsx_ep *e)
{
	if (e)
		e->impl->free(e);
}

void
wsx_ep_opened(struct wsx_ep *e)
{
	e->open = true;
	if (e->ev && e->ev->on_open)
		e->ev->on_open(e, e->arg);
}

void
wsx_ep_ended(struct wsx_ep *e, const struct wsx_ep_end *end)
{
	if (e->ended) {
		if (end->status && e->ev && e->ev->on_late_failure)
			e->ev->on_late_failure(e, end, e->arg);
		return;
	}
	e->ended = true;
	if (e->ev && e->ev->on_end)
		e->ev->on_end(e, end, e->arg);
}

void
wsx_ep_finished(struct wsx_ep *e)
{
	if (e->gone)
		return;
	e->gone = true;
	if (e->ev && e->ev->on_gone)
		e->ev->on_gone(e, e->arg);
}

void
wsx_ep_end_set(struct wsx_ep_end *end, int code, const char *reason, int status,
	       const char *fmt, ...)
{
	va_list ap;

	end->code = code;
	snprintf(end->reason, sizeof(end->reason), "%s", reason ? reason : "");
	end->status = status;
	end->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(end->msg, sizeof(end->msg), fmt, ap);
		va_end(ap);
	}
}
