/*
 * WebSocket connections; see conn.h. The handle, its limits and options,
 * and how an ending is told to the owner; the connection itself, its
 * protocol engine and its socket, is link.c's.
 */
#include "config.h"

#include <stdarg.h>

#include <stdio.h>
#include <string.h>

#include "proto/internal.h"
#include "util/closecode.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

void
wsx_conn_limits_init(struct wsx_conn_limits *lim)
{
	lim->max_message = WSX_DEFAULT_MAX_MESSAGE;
	lim->buffer = WSX_DEFAULT_BUFFER;
	lim->ping_interval_us = 0;
	lim->ping_timeout_us = 0;
	lim->idle_timeout_us = 0;
}

enum {
	OPT_MAX_MESSAGE = WSX_OPTKEY_CLIENT + 0x80,
	OPT_BUFFER,
	OPT_PING_INTERVAL,
	OPT_PING_TIMEOUT,
};

static const struct wsx_opt conn_opts[] = {
	{ OPT_MAX_MESSAGE, "max-message", "BYTES",
	  "largest message taken (16M); larger: close 1009" },
	{ OPT_BUFFER, "buffer", "BYTES",
	  "buffer per direction before reads pause (1M)" },
	{ OPT_PING_INTERVAL, "ping-interval", "SECS",
	  "send a ping every SECS seconds" },
	{ OPT_PING_TIMEOUT, "ping-timeout", "SECS",
	  "drop the peer if no pong by then (= interval)" },
	{ 0 },
};

static int
conn_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	     struct wsx_err *err)
{
	struct wsx_conn_limits *lim = target;
	char name[40];

	snprintf(name, sizeof(name), "--%s", opt->name);
	switch (opt->key) {
	case OPT_MAX_MESSAGE:
		return wsx_parse_size(name, arg, 1, (size_t)1 << 31,
				      &lim->max_message, err);
	case OPT_BUFFER:
		return wsx_parse_size(name, arg, 1024, (size_t)1 << 31,
				      &lim->buffer, err);
	case OPT_PING_INTERVAL:
		return wsx_parse_secs(name, arg, &lim->ping_interval_us, err);
	case OPT_PING_TIMEOUT:
		return wsx_parse_secs(name, arg, &lim->ping_timeout_us, err);
	}
	return 0;
}

const struct wsx_optgroup wsx_conn_optgroup = {
	.title = "Connection options",
	.opts = conn_opts,
	.set = conn_opt_set,
};

struct wsx_conn *
conn_new(struct wsx_loop *loop, bool client, const struct wsx_conn_limits *lim)
{
	struct wsx_conn *c = xcalloc(1, sizeof(*c));

	c->loop = loop;
	c->client = client;
	if (client)
		c->cc = xcalloc(1, sizeof(*c->cc));
	c->lim = *lim;
	if (!c->lim.ping_timeout_us)
		c->lim.ping_timeout_us = c->lim.ping_interval_us;
	wsx_sendq_init(&c->q, 0, c->lim.buffer);
	c->info.peer = "";
	c->info.protocol = "";
	c->info.path = (char *)"";
	return c;
}

void
conn_free(struct wsx_conn *c)
{
	wsx_alarm_cancel(&c->al_ping);
	wsx_alarm_cancel(&c->al_idle);
	wsx_alarm_cancel(&c->al_close);
	wsx_alarm_cancel(&c->al_fail);
	if (c->cc)
		wsx_alarm_cancel(&c->cc->al_redirect);
	if (c->link) {
		struct wsx_link *l = c->link;

		c->link = NULL;
		link_forget_conn(l);
	}
	wsx_sendq_release(&c->q);
	conn_set_path(c, NULL);
	if (c->info.peer[0])
		free((char *)c->info.peer);
	if (c->info.protocol[0])
		free((char *)c->info.protocol);
	free(c->close_reason);
	free(c->result);
	for (size_t i = 0; i < c->info.n_headers; i++)
		free(c->info.headers[i]);
	free(c->info.headers);
	if (c->cc) {
		free(c->cc->url_auth);
		free(c->cc->url);
		free(c->cc->location);
		for (size_t i = 0; i < c->cc->n_extra_headers; i++)
			free(c->cc->extra_headers[i]);
		free(c->cc->extra_headers);
		free(c->cc->protocols);
		free(c->cc);
	}
	free(c);
}

void
wsx_conn_set_ops(struct wsx_conn *c, const struct wsx_conn_ops *ops, void *arg)
{
	c->ops = ops;
	c->arg = arg;
}

struct wsx_close *
conn_result(struct wsx_conn *c)
{
	if (!c->result) {
		c->result = xcalloc(1, sizeof(*c->result));
		c->result->code = 1006;
	}
	return c->result;
}

void
wsx_conn_stamp_reads(struct wsx_conn *c, bool on)
{
	c->stamp_reads = on;
}

uint64_t
wsx_conn_read_ns(const struct wsx_conn *c)
{
	return c->stamp_reads ? c->read_ns : wsx_now_ns();
}

int
conn_http_status(const struct wsx_conn *c)
{
	return c->result ? c->result->http_status : 0;
}

int
conn_status(const struct wsx_conn *c)
{
	return c->result ? c->result->status : 0;
}

void
conn_set_path(struct wsx_conn *c, const char *path)
{
	if (c->info.path[0] && strcmp(c->info.path, "/"))
		free((char *)c->info.path);
	if (!path || !path[0])
		c->info.path = "";
	else if (!strcmp(path, "/"))
		c->info.path = "/";
	else
		c->info.path = xstrdup(path);
}

void
conn_set_protocol(struct wsx_conn *c, const char *name)
{
	if (c->info.protocol[0])
		free((char *)c->info.protocol);
	c->info.protocol = name && name[0] ? xstrdup(name) : "";
}

void
conn_set_peer(struct wsx_conn *c, const char *fmt, ...)
{
	char peer[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(peer, sizeof(peer), fmt, ap);
	va_end(ap);
	if (c->info.peer[0])
		free((char *)c->info.peer);
	c->info.peer = peer[0] ? xstrdup(peer) : "";
}

const struct wsx_conn_info *
wsx_conn_info(const struct wsx_conn *c)
{
	return &c->info;
}

static void conn_idle_tick(void *arg);

void
conn_start_idle_timer(struct wsx_conn *c)
{
	if (!c->lim.idle_timeout_us)
		return;
	c->idle_since_us = c->info.opened_us;
	wsx_alarm_set(c->loop, &c->al_idle, (c->lim.idle_timeout_us / 4 + 1),
		      conn_idle_tick, c);
}

/*
 * --idle-timeout: rather than re-arm a timer per message, look at the
 * message counters four times per period; a connection closes between one
 * and one and a quarter periods after its last message.
 */
static void
conn_idle_tick(void *arg)
{
	struct wsx_conn *c = arg;
	uint64_t now = wsx_now_us(), msgs = c->info.msgs_in + c->info.msgs_out;

	if (msgs != c->idle_msgs) {
		c->idle_msgs = msgs;
		c->idle_since_us = now;
	} else if (now - c->idle_since_us >= c->lim.idle_timeout_us &&
		   !c->close_wanted) {
		wsx_conn_close(c, 1001, "idle timeout");
		return;
	}
	wsx_alarm_set(c->loop, &c->al_idle, (c->lim.idle_timeout_us / 4 + 1),
		      conn_idle_tick, c);
}

int
wsx_conn_send(struct wsx_conn *c, enum wsx_msg_type type, const void *data,
	      size_t len)
{
	if (c->close_wanted || c->finished || !c->link)
		return -1;
	return link_send(c, type, data, len);
}

bool
wsx_conn_drop_oldest(struct wsx_conn *c)
{
	return wsx_sendq_drop_oldest(&c->q);
}

void
wsx_conn_pause(struct wsx_conn *c, bool pause)
{
	c->rx_paused = pause;
	if (c->link)
		link_pause(c);
}

int
wsx_conn_ping(struct wsx_conn *c, const void *data, size_t len)
{
	if (len > 125 || !c->open || c->close_sent || !c->link)
		return -1;
	return link_ping(c, data, len);
}

void
wsx_conn_answer_pings(struct wsx_conn *c, bool answer)
{
	c->manual_pongs = !answer;
	if (c->link)
		link_answer_pings(c);
}

int
wsx_conn_pong(struct wsx_conn *c, const void *data, size_t len)
{
	if (len > 125 || !c->open || c->close_sent || !c->link)
		return -1;
	return link_pong(c, data, len);
}

void
wsx_conn_close(struct wsx_conn *c, int code, const char *reason)
{
	if (c->close_wanted || c->finished)
		return;
	c->close_wanted = true;
	c->close_code = code;
	free(c->close_reason);
	/* what a Close frame holds after its code (RFC 6455 5.5) */
	if (!reason)
		reason = "";
	/* xstrndup copies n bytes: no further than the string's end */
	c->close_reason = xstrndup(reason, strnlen(reason, 122));
	if (c->link)
		link_close(c);
}

/*
 * The exit status follows who chose the close: ours, answered by the peer,
 * is done (0) whatever its code; the peer's follows the DESIGN table (0 for
 * 1000/1001, else 6). Ours unanswered counts as if the peer had chosen it.
 */
static void
conn_describe_close(struct wsx_conn *c)
{
	struct wsx_close *r = conn_result(c);
	size_t n;

	if (!r->by_peer && r->answered)
		r->status = WSX_EXIT_OK;
	else if (r->code == 1000 || r->code == 1001)
		r->status = WSX_EXIT_OK;
	else
		r->status = WSX_EXIT_CLOSED;
	if (r->msg[0])
		return;
	wsx_close_describe(
		r->msg, sizeof(r->msg),
		r->by_peer ? (c->client ? "the server" : "the client") : "wsx",
		r->code, r->reason);
	n = strlen(r->msg);
	if (!r->by_peer && !r->answered && r->code != 1006 && c->close_sent)
		snprintf(r->msg + n, sizeof(r->msg) - n,
			 "; no close frame came back");
}

static void
conn_deferred_fail(void *arg)
{
	conn_finish(arg);
}

void
conn_defer_failure(struct wsx_conn *c)
{
	wsx_alarm_set(c->loop, &c->al_fail, 1, conn_deferred_fail, c);
}

void
conn_closed(struct wsx_conn *c)
{
	if (c->finished)
		return;
	conn_describe_close(c);
	conn_finish(c);
}

void
conn_finish(struct wsx_conn *c)
{
	c->finished = true;
	if (c->server)
		server_forget(c->server, c);
	if (c->ops && c->ops->on_close && !c->loop->destroying)
		c->ops->on_close(c, conn_result(c), c->arg);
	conn_free(c);
}

size_t
wsx_conn_pending(const struct wsx_conn *c)
{
	return c->q.bytes + (c->link ? link_pending(c) : 0);
}
