/*
 * fd watchers on libwebsockets' raw-file role; see fdwatch.h.
 *
 * libwebsockets closes a raw-file wsi when poll() reports POLLHUP without
 * POLLIN, which is exactly what a pipe whose writer has gone reports while
 * we have POLLIN switched off for flow control, with data still unread. So
 * each adoption gets its own dup() of the caller's fd, and when that wsi is
 * closed under us we adopt a fresh dup the next time reading is wanted.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "proto/fdwatch.h"
#include "proto/internal.h"
#include "util/xalloc.h"

struct wsx_fdw {
	struct wsx_loop *loop;
	struct lws *wsi;
	int fd;	   /* the caller's */
	int dupfd; /* the one lws polls; lws closes it */
	bool read;
	bool paused;
	bool want_write;
	bool freeing;
	int saved_flags; /* to restore O_NONBLOCK as we found it */
	const struct wsx_fdw_ops *ops;
	void *arg;
	lws_sorted_usec_list_t sul_kick; /* deliver a lost hang-up */
};

static int
fdw_adopt(struct wsx_fdw *w)
{
	lws_sock_file_fd_type u;

	w->dupfd = fcntl(w->fd, F_DUPFD_CLOEXEC, 3);
	if (w->dupfd < 0)
		return -1;
	u.filefd = (lws_filefd_type)(intptr_t)w->dupfd;
	w->wsi = lws_adopt_descriptor_vhost(w->loop->base_vh,
					    LWS_ADOPT_RAW_FILE_DESC, u,
					    WSX_FD_PROTOCOL, NULL);
	if (!w->wsi)
		return -1; /* lws closed dupfd */
	lws_set_opaque_user_data(w->wsi, w);
	if (!w->read || w->paused)
		lws_rx_flow_control(w->wsi, 0);
	if (w->want_write)
		lws_callback_on_writable(w->wsi);
	return 0;
}

static void
fdw_kick(lws_sorted_usec_list_t *sul)
{
	struct wsx_fdw *w = lws_container_of(sul, struct wsx_fdw, sul_kick);

	/* the wsi is gone: let the owner's read() or write() see why */
	if (w->read && !w->paused)
		w->ops->on_readable(w, w->fd, w->arg);
	else if (!w->read && w->want_write) {
		w->want_write = false;
		w->ops->on_writable(w, w->fd, w->arg);
	}
}

struct wsx_fdw *
wsx_fdw_new(struct wsx_loop *loop, int fd, bool read,
	    const struct wsx_fdw_ops *ops, void *arg, struct wsx_err *err)
{
	struct wsx_fdw *w = xcalloc(1, sizeof(*w));

	w->loop = loop;
	w->fd = fd;
	w->read = read;
	w->ops = ops;
	w->arg = arg;
	w->saved_flags = fcntl(fd, F_GETFL);
	/* a terminal's flags are shared with the shell: leave them alone */
	if (w->saved_flags >= 0 && !isatty(fd))
		fcntl(fd, F_SETFL, w->saved_flags | O_NONBLOCK);
	if (fdw_adopt(w)) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot watch fd %d: %s", fd,
			    errno ? strerror(errno) : "adoption failed");
		wsx_fdw_free(w);
		return NULL;
	}
	return w;
}

void
wsx_fdw_pause(struct wsx_fdw *w, bool pause)
{
	if (w->paused == pause)
		return;
	w->paused = pause;
	if (w->wsi) {
		lws_rx_flow_control(w->wsi, !pause);
		return;
	}
	if (!pause && fdw_adopt(w))
		lws_sul_schedule(w->loop->ctx, 0, &w->sul_kick, fdw_kick, 1);
}

void
wsx_fdw_want_write(struct wsx_fdw *w)
{
	w->want_write = true;
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
	else
		lws_sul_schedule(w->loop->ctx, 0, &w->sul_kick, fdw_kick, 1);
}

void
wsx_fdw_free(struct wsx_fdw *w)
{
	if (!w)
		return;
	lws_sul_cancel(&w->sul_kick);
	if (w->wsi) {
		w->freeing = true;
		lws_set_opaque_user_data(w->wsi, NULL);
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
				LWS_TO_KILL_ASYNC);
	}
	if (w->saved_flags >= 0 && !isatty(w->fd))
		fcntl(w->fd, F_SETFL, w->saved_flags);
	free(w);
}

int
fdwatch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		 void *in, size_t len)
{
	struct wsx_fdw *w = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	if (!w)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (!w->paused)
			w->ops->on_readable(w, w->dupfd, w->arg);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (w->want_write) {
			w->want_write = false;
			w->ops->on_writable(w, w->dupfd, w->arg);
		}
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		/* closed under us (hang-up): see the comment at the top */
		w->wsi = NULL;
		lws_sul_schedule(w->loop->ctx, 0, &w->sul_kick, fdw_kick, 1);
		return 0;
	default:
		return 0;
	}
}
