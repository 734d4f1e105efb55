/*
 * The event loop around one libwebsockets context. The context and the
 * pending-signal flag are the only globals in wsx: a signal handler cannot be
 * handed a pointer, so it records the signal and wakes the loop, and the
 * loop delivers it from its own thread.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "proto/fdwatch.h"
#include "proto/internal.h"
#include "util/xalloc.h"

static struct lws_context *volatile loop_signal_ctx;
static volatile sig_atomic_t loop_signal_pending;
static void loop_destroy(struct wsx_loop *loop);

struct wsx_timer {
	lws_sorted_usec_list_t sul;
	struct wsx_loop *loop;
	wsx_timer_cb cb;
	void *arg;
	int tfd;	   /* precise: its timerfd, else -1 */
	struct wsx_fdw *w; /* ... watched */
};

struct wsx_alarm {
	lws_sorted_usec_list_t sul;
	struct wsx_alarm **slot;
	wsx_timer_cb cb;
	void *arg;
};

static void
alarm_fired(lws_sorted_usec_list_t *sul)
{
	struct wsx_alarm *a = lws_container_of(sul, struct wsx_alarm, sul);
	wsx_timer_cb cb = a->cb;
	void *arg = a->arg;

	*a->slot = NULL;
	free(a);
	cb(arg);
}

void
wsx_alarm_set(struct wsx_loop *loop, struct wsx_alarm **slot, uint64_t usec,
	      wsx_timer_cb cb, void *arg)
{
	struct wsx_alarm *a = *slot;

	if (!a) {
		a = xcalloc(1, sizeof(*a));
		a->slot = slot;
		*slot = a;
	}
	a->cb = cb;
	a->arg = arg;
	lws_sul_schedule(loop->ctx, 0, &a->sul, alarm_fired, (lws_usec_t)usec);
}

void
wsx_alarm_cancel(struct wsx_alarm **slot)
{
	struct wsx_alarm *a = *slot;

	if (!a)
		return;
	lws_sul_cancel(&a->sul);
	*slot = NULL;
	free(a);
}

static int loop_ws_callback(struct lws *wsi, enum lws_callback_reasons reason,
			    void *user, void *in, size_t len);

const struct lws_protocols wsx_protocols[] = {
	{
		.name = "wsx",
		.callback = loop_ws_callback,
	},
	{
		.name = WSX_FD_PROTOCOL,
		.callback = fdwatch_callback,
	},
	{ .name = NULL },
};

static void
loop_signal_handler(int signo)
{
	loop_signal_pending = signo;
	if (loop_signal_ctx)
		lws_cancel_service(loop_signal_ctx);
}

void
loop_check_signals(struct wsx_loop *loop)
{
	int signo = loop->owns_signals ? loop_signal_pending : 0;

	if (!signo)
		return;
	loop_signal_pending = 0;
	loop->signals_seen++;
	if (loop->on_signal)
		loop->on_signal(loop, signo, loop->signal_arg);
	else
		wsx_loop_stop(loop);
}

static void
loop_lws_log(int level, const char *line)
{
	(void)level;
	(void)line; /* libwebsockets' own logs stay quiet; we report errors */
}

static struct wsx_loop *
loop_new(bool owns_signals, struct wsx_err *err)
{
	struct lws_context_creation_info info;
	struct wsx_loop *loop = xcalloc(1, sizeof(*loop));
	struct sigaction sa, old;

	lws_set_log_level(LLL_ERR, loop_lws_log);
	memset(&info, 0, sizeof(info));
	/* libwebsockets is the event loop only: sockets, TLS, HTTP and the
	 * WebSocket protocol are ours (link.c, tls.c, src/ws/) */
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.user = loop;
	info.port = CONTEXT_PORT_NO_LISTEN;
	/*
	 * No fd_limit_per_thread: with one, libwebsockets 4.1 finds a
	 * descriptor's wsi by a linear scan of its table (wsi_from_fd was
	 * half of the CPU with 10,000 clients); without, by index. The
	 * listener is ours (server.c), and pauses on EMFILE by itself.
	 */
	loop->ctx = lws_create_context(&info);
	if (!loop->ctx) {
		free(loop);
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot create the event loop");
		return NULL;
	}
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.vhost_name = "base";
	loop->base_vh = loop_vhost_new(loop, &info, err);
	if (!loop->base_vh) {
		loop_destroy(loop);
		return NULL;
	}

	signal(SIGPIPE, SIG_IGN);
	loop->owns_signals = owns_signals;
	if (!owns_signals)
		return loop;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loop_signal_handler;
	sigemptyset(&sa.sa_mask);
	loop_signal_ctx = loop->ctx;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/*
	 * A hang-up (the terminal closed) ends the session as SIGTERM does,
	 * through the loop, so that it closes and cleans up instead of dying
	 * mid-write; unless SIGHUP is ignored (nohup, or serve and relay,
	 * which outlive their terminal).
	 */
	sigaction(SIGHUP, NULL, &old);
	loop->owns_sighup = old.sa_handler != SIG_IGN;
	if (loop->owns_sighup)
		sigaction(SIGHUP, &sa, NULL);
	return loop;
}

struct wsx_loop *
wsx_loop_new(struct wsx_err *err)
{
	return loop_new(true, err);
}

struct wsx_loop *
wsx_loop_new_worker(struct wsx_err *err)
{
	return loop_new(false, err);
}

/*
 * A copy of s that lives as long as the loop. libwebsockets 4.1 keeps the
 * vhost's name and listen address as the pointers it was given and reads
 * them while serving (matching a request's Host to a vhost): strings from
 * the caller's stack were read after it returned (valgrind, bench and
 * relay). Vhosts are never destroyed before the context, nor these.
 */
static const char *
loop_keep_string(struct wsx_loop *loop, const char *s)
{
	char *copy = xstrdup(s);

	loop->vhost_strings = xrealloc(loop->vhost_strings,
				       (loop->n_vhost_strings + 1) *
					       sizeof(*loop->vhost_strings));
	loop->vhost_strings[loop->n_vhost_strings++] = copy;
	return copy;
}

/* The context, then what its vhosts pointed at, then the loop. */
static void
loop_destroy(struct wsx_loop *loop)
{
	lws_context_destroy(loop->ctx);
	free(loop->rx_buf);
	for (size_t i = 0; i < loop->n_vhost_strings; i++)
		free(loop->vhost_strings[i]);
	free(loop->vhost_strings);
	free(loop);
}

struct lws_vhost *
loop_vhost_new(struct wsx_loop *loop, struct lws_context_creation_info *info,
	       struct wsx_err *err)
{
	struct lws_vhost *vh;
	char name[32];

	if (!info->vhost_name) {
		snprintf(name, sizeof(name), "vh%u", ++loop->vhost_seq);
		info->vhost_name = name;
	}
	info->vhost_name = loop_keep_string(loop, info->vhost_name);
	if (info->iface)
		info->iface = loop_keep_string(loop, info->iface);
	info->protocols = wsx_protocols;
	vh = lws_create_vhost(loop->ctx, info);
	if (!vh)
		wsx_err_set(err, WSX_EXIT_FAIL,
			    "cannot create a libwebsockets vhost");
	return vh;
}

void
wsx_loop_free(struct wsx_loop *loop)
{
	if (!loop)
		return;
	if (loop->owns_signals) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (loop->owns_sighup)
			signal(SIGHUP, SIG_DFL);
		loop_signal_ctx = NULL;
	}
	loop->destroying = true;
	/* client connections left over go quietly, before their sockets */
	while (loop->links)
		link_free(loop->links);
	fdwatch_sockets_free(loop);
	loop_destroy(loop);
}

void
wsx_loop_run(struct wsx_loop *loop)
{
	loop->stopping = false;
	while (!loop->stopping) {
		loop_check_signals(loop);
		if (loop->stopping || lws_service(loop->ctx, 0) < 0)
			break;
	}
}

void
wsx_loop_stop(struct wsx_loop *loop)
{
	loop->stopping = true;
	lws_cancel_service(loop->ctx);
}

void
wsx_loop_on_signal(struct wsx_loop *loop, wsx_signal_cb cb, void *arg)
{
	loop->on_signal = cb;
	loop->signal_arg = arg;
}

static void
timer_fire(lws_sorted_usec_list_t *sul)
{
	struct wsx_timer *t = lws_container_of(sul, struct wsx_timer, sul);

	t->cb(t->arg);
}

struct wsx_timer *
wsx_timer_new(struct wsx_loop *loop, wsx_timer_cb cb, void *arg)
{
	struct wsx_timer *t = xcalloc(1, sizeof(*t));

	t->loop = loop;
	t->cb = cb;
	t->arg = arg;
	t->tfd = -1;
	return t;
}

static void
timer_fd_ready(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_timer *t = arg;
	uint64_t expired;

	(void)fd;
	if (wsx_fdw_read(w, &expired, sizeof(expired)) == sizeof(expired))
		t->cb(t->arg);
}

static const struct wsx_fdw_ops timer_fd_ops = {
	.on_readable = timer_fd_ready,
};

struct wsx_timer *
wsx_timer_new_precise(struct wsx_loop *loop, wsx_timer_cb cb, void *arg,
		      struct wsx_err *err)
{
	struct wsx_timer *t = wsx_timer_new(loop, cb, arg);

	t->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->tfd < 0) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot make a timer: %s",
			    strerror(errno));
		free(t);
		return NULL;
	}
	t->w = wsx_fdw_new(loop, t->tfd, true, &timer_fd_ops, t, err);
	if (!t->w) {
		close(t->tfd);
		free(t);
		return NULL;
	}
	return t;
}

void
wsx_timer_arm(struct wsx_timer *t, uint64_t usec)
{
	if (t->w) {
		struct itimerspec its = { 0 };

		if (!usec)
			its.it_value.tv_nsec = 1; /* 0 would disarm it */
		else {
			its.it_value.tv_sec = (time_t)(usec / 1000000);
			its.it_value.tv_nsec = (long)(usec % 1000000) * 1000;
		}
		timerfd_settime(t->tfd, 0, &its, NULL);
		return;
	}
	lws_sul_schedule(t->loop->ctx, 0, &t->sul, timer_fire,
			 (lws_usec_t)usec);
}

void
wsx_timer_cancel(struct wsx_timer *t)
{
	if (t->w) {
		struct itimerspec off = { 0 };

		timerfd_settime(t->tfd, 0, &off, NULL);
		return;
	}
	lws_sul_cancel(&t->sul);
}

void
wsx_timer_free(struct wsx_timer *t)
{
	if (!t)
		return;
	if (t->w) {
		wsx_fdw_free(t->w);
		close(t->tfd);
	}
	lws_sul_cancel(&t->sul);
	free(t);
}

/*
 * The loop's own protocol: libwebsockets wakes the loop through it when a
 * signal cancelled the wait. Connections are link.c's, on fd watchers.
 */
static int
loop_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		 void *in, size_t len)
{
	(void)user;
	(void)in;
	(void)len;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED)
		loop_check_signals(lws_context_user(lws_get_context(wsi)));
	return 0;
}
