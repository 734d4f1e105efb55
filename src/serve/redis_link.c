/*
 * A Redis connection on the loop; see redis_link.h.
 *
 * hiredis drives its socket through five callbacks (ac->ev): add or
 * remove read and write interest, and clean up. Reading is always wanted;
 * a write request is one on_writable from the watcher, which hiredis asks
 * for again while it has output left. hiredis reads, writes and closes the
 * socket itself, so the watcher borrows it (wsx_fdw_watch_socket).
 *
 * hiredis frees a context itself when the connection fails or drops, and
 * calls on_connect or on_disconnect; after that the link holds no context
 * until the next attempt. The link frees one only when it gives up on an
 * attempt (timeout) or is freed; `dropping` tells on_disconnect that the
 * link asked for it.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "proto/fdwatch.h"
#include "serve/redis_link.h"
#include "util/backoff.h"
#include "util/log.h"
#include "util/xalloc.h"

enum link_state {
	LINK_DOWN,	 /* waiting for the next attempt */
	LINK_CONNECTING, /* connect(), AUTH, SELECT */
	LINK_UP,
};

struct wsx_redis_link {
	struct wsx_loop *loop;
	const struct wsx_redis_url *url;
	char *const *addrs;
	size_t n_addrs, next_addr;
	const struct wsx_redis_link_ops *ops;
	void *arg;
	enum link_state state;
	redisAsyncContext *ac;
	struct wsx_fdw *fdw;
	struct wsx_timer *timer; /* the next attempt, or the attempt's end */
	struct wsx_backoff backoff;
	bool dropping;	   /* the link frees ac itself */
	char refused[160]; /* AUTH or SELECT said no */
};

static void link_attempt(struct wsx_redis_link *l);

/* --- hiredis' event hooks --------------------------------------------- */

static void
link_readable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_redis_link *l = arg;

	(void)w;
	(void)fd;
	if (l->ac)
		redisAsyncHandleRead(l->ac);
}

static void
link_writable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_redis_link *l = arg;

	(void)w;
	(void)fd;
	if (l->ac)
		redisAsyncHandleWrite(l->ac);
}

static const struct wsx_fdw_ops link_fdw_ops = {
	.on_readable = link_readable,
	.on_writable = link_writable,
};

static void
ev_add_read(void *p)
{
	struct wsx_redis_link *l = p;

	if (l->fdw)
		wsx_fdw_pause(l->fdw, false);
}

static void
ev_del_read(void *p)
{
	struct wsx_redis_link *l = p;

	if (l->fdw)
		wsx_fdw_pause(l->fdw, true);
}

static void
ev_add_write(void *p)
{
	struct wsx_redis_link *l = p;

	if (l->fdw)
		wsx_fdw_want_write(l->fdw);
}

static void
ev_del_write(void *p)
{
	(void)p; /* a write request is one notification: nothing to undo */
}

static void
ev_cleanup(void *p)
{
	struct wsx_redis_link *l = p;

	wsx_fdw_free(l->fdw);
	l->fdw = NULL;
}

/* --- the connection's life -------------------------------------------- */

/* The attempt failed or the connection went: say so, try again later. */
static void
link_down(struct wsx_redis_link *l, const char *why)
{
	l->state = LINK_DOWN;
	l->ac = NULL;
	wsx_timer_arm(l->timer, wsx_backoff_next(&l->backoff));
	l->ops->on_down(l, why, l->arg);
}

/* Give up on the context we have (a timeout), from outside hiredis. */
static void
link_drop(struct wsx_redis_link *l, const char *why)
{
	redisAsyncContext *ac = l->ac;

	l->dropping = true;
	redisAsyncFree(ac);
	l->dropping = false;
	link_down(l, why);
}

static void
link_on_disconnect(const redisAsyncContext *ac, int status)
{
	struct wsx_redis_link *l = ac->data;
	char why[200];

	if (l->dropping)
		return;
	if (l->refused[0])
		snprintf(why, sizeof(why), "%s", l->refused);
	else if (status != REDIS_OK && ac->errstr[0])
		snprintf(why, sizeof(why), "%s", ac->errstr);
	else
		snprintf(why, sizeof(why), "connection closed");
	link_down(l, why);
}

/* AUTH's and SELECT's answers: an error ends this connection. */
static void
link_setup_reply(redisAsyncContext *ac, void *r, void *what)
{
	struct wsx_redis_link *l = ac->data;
	redisReply *reply = r;

	if (!reply || reply->type != REDIS_REPLY_ERROR || l->refused[0])
		return;
	snprintf(l->refused, sizeof(l->refused), "%s refused: %.120s",
		 (const char *)what, reply->str);
	redisAsyncDisconnect(ac);
}

/* PING's answer comes after AUTH's and SELECT's: ready unless refused. */
static void
link_ready(redisAsyncContext *ac, void *r, void *arg)
{
	struct wsx_redis_link *l = ac->data;

	(void)arg;
	if (!r || l->refused[0])
		return;
	l->state = LINK_UP;
	wsx_timer_cancel(l->timer);
	wsx_backoff_reset(&l->backoff);
	l->ops->on_up(l, ac, l->arg);
}

/* what failed, for the message (hiredis wants a mutable privdata) */
static char what_auth[] = "AUTH", what_select[] = "SELECT";

static void
link_on_connect(const redisAsyncContext *cac, int status)
{
	struct wsx_redis_link *l = cac->data;
	redisAsyncContext *ac = l->ac;

	if (status != REDIS_OK) {
		char why[200];

		snprintf(why, sizeof(why), "%s",
			 cac->errstr[0] ? cac->errstr : "cannot connect");
		link_down(l, why); /* hiredis frees the context */
		return;
	}
	/* the connection is quiet for long stretches: find out when the
	 * host went away, not only the server (TCP only: on a unix socket
	 * hiredis takes the refusal for a broken connection) */
	if (!l->url->unix_path[0])
		redisEnableKeepAlive(&ac->c);
	if (l->url->has_pass) {
		if (l->url->user[0])
			redisAsyncCommand(ac, link_setup_reply, what_auth,
					  "AUTH %s %s", l->url->user,
					  l->url->pass);
		else
			redisAsyncCommand(ac, link_setup_reply, what_auth,
					  "AUTH %s", l->url->pass);
	}
	if (l->url->db >= 0)
		redisAsyncCommand(ac, link_setup_reply, what_select,
				  "SELECT %ld", l->url->db);
	redisAsyncCommand(ac, link_ready, NULL, "PING");
}

static void
link_attempt(struct wsx_redis_link *l)
{
	redisAsyncContext *ac;
	struct wsx_err err;

	l->refused[0] = 0;
	l->state = LINK_CONNECTING;
	if (l->url->unix_path[0]) {
		ac = redisAsyncConnectUnix(l->url->unix_path);
	} else {
		const char *addr = l->addrs[l->next_addr++ % l->n_addrs];

		ac = redisAsyncConnect(addr, (int)l->url->port);
	}
	if (!ac) {
		link_down(l, "out of memory");
		return;
	}
	if (ac->err) {
		char why[200];

		snprintf(why, sizeof(why), "%s", ac->errstr);
		redisAsyncFree(ac);
		link_down(l, why);
		return;
	}
	l->ac = ac;
	ac->data = l;
	l->fdw =
		wsx_fdw_watch_socket(l->loop, ac->c.fd, &link_fdw_ops, l, &err);
	if (!l->fdw) {
		link_drop(l, err.msg);
		return;
	}
	ac->ev.data = l;
	ac->ev.addRead = ev_add_read;
	ac->ev.delRead = ev_del_read;
	ac->ev.addWrite = ev_add_write;
	ac->ev.delWrite = ev_del_write;
	ac->ev.cleanup = ev_cleanup;
	redisAsyncSetDisconnectCallback(ac, link_on_disconnect);
	/* after the hooks: this asks for the write that completes connect() */
	redisAsyncSetConnectCallback(ac, link_on_connect);
	wsx_timer_arm(l->timer, WSX_REDIS_CONNECT_TIMEOUT_US);
}

/* The next attempt is due, or this one took too long. */
static void
link_timer(void *arg)
{
	struct wsx_redis_link *l = arg;

	if (l->state == LINK_CONNECTING && l->ac) {
		link_drop(l, "no answer in time");
		return;
	}
	if (l->state == LINK_DOWN)
		link_attempt(l);
}

struct wsx_redis_link *
wsx_redis_link_new(struct wsx_loop *loop, const struct wsx_redis_url *url,
		   char *const *addrs, size_t n_addrs,
		   const struct wsx_redis_link_ops *ops, void *arg)
{
	struct wsx_redis_link *l = xcalloc(1, sizeof(*l));
	struct timespec ts;

	l->loop = loop;
	l->url = url;
	l->addrs = addrs;
	l->n_addrs = n_addrs;
	l->ops = ops;
	l->arg = arg;
	l->timer = wsx_timer_new(loop, link_timer, l);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	wsx_backoff_init(&l->backoff, WSX_BACKOFF_START_US, WSX_BACKOFF_FACTOR,
			 WSX_BACKOFF_CAP_US,
			 (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)l);
	return l;
}

void
wsx_redis_link_start(struct wsx_redis_link *l)
{
	link_attempt(l);
}

redisAsyncContext *
wsx_redis_link_ctx(const struct wsx_redis_link *l)
{
	return l->state == LINK_UP ? l->ac : NULL;
}

void *
wsx_redis_link_owner(const redisAsyncContext *ac)
{
	const struct wsx_redis_link *l = ac->data;

	return l->arg;
}

void
wsx_redis_link_free(struct wsx_redis_link *l)
{
	if (!l)
		return;
	if (l->ac) {
		l->dropping = true;
		redisAsyncFree(l->ac);
		l->ac = NULL;
	}
	wsx_timer_free(l->timer);
	free(l);
}
