/*
 * fd watchers on libwebsockets' raw-file role; see fdwatch.h.
 *
 * Whose flags. libwebsockets sets O_NONBLOCK (by F_SETFL, clearing
 * O_APPEND too) on every descriptor it adopts, and file status flags live
 * in the open file description, which a dup() shares: a terminal's with
 * the shell (so the shell's next program finds its terminal non-blocking,
 * and our own stdout writes failed with EAGAIN and were lost), a pipe's
 * with whoever else holds it. So the watcher hands lws a description of
 * its own where it can: pipes, FIFOs and terminals are opened again
 * through /proc/self/fd (a new description of the same pipe or terminal),
 * and only that one becomes non-blocking. Sockets and regular files cannot
 * be reopened: lws gets a dup, whose flags are put back at once, and I/O is
 * made non-blocking per call instead (MSG_DONTWAIT on sockets; regular
 * files never wait; a pipe or terminal that could not be reopened is
 * written at most PIPE_BUF bytes at a time after poll() said it had room,
 * which the kernel takes without blocking, and read only once poll() says
 * it has data or has hung up).
 *
 * Named FIFOs are not reopened for reading: a FIFO opened non-blocking
 * when no writer has it open never reports POLLHUP (Linux keeps it for the
 * next writer), so a FIFO whose writer had already gone, before we started
 * or while reading was paused, was never seen to end and wsx hung at EOF.
 * Anonymous pipes do not do that.
 *
 * Hang-ups. libwebsockets closes a raw-file wsi when poll() reports POLLHUP
 * without POLLIN, which is exactly what a pipe whose writer has gone
 * reports while we have POLLIN switched off for flow control, with data
 * still unread. When that wsi is closed under us we adopt a fresh copy the
 * next time reading is wanted, and meanwhile read the caller's fd (a
 * hung-up pipe answers at once).
 *
 * Writability. After a RAW_WRITEABLE_FILE callback libwebsockets clears
 * POLLOUT, so a writer that asks for more room from inside that callback
 * (a short write, EAGAIN) would never hear again: the request is carried
 * over to the next turn of the loop instead.
 *
 * Sockets of our own (wsx_fdw_adopt_socket: every WebSocket and HTTP
 * connection, listeners) are not libwebsockets': they are on one epoll set
 * per loop, and only that set's descriptor is on libwebsockets' poll list.
 * Libwebsockets 4.1 polls with poll(2), which walks every descriptor on each
 * wakeup, and keeps a wsi of about a kilobyte for each; with 10,000 clients
 * both showed. A write asked for while the set's events are handled is made
 * when they are done (the socket almost always has room), not after another
 * wakeup: what the batch produced goes out in one write per connection, and
 * EPOLLOUT is asked for only when the socket is full.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "proto/fdwatch.h"
#include "proto/internal.h"
#include "util/xalloc.h"

enum fdw_kind {
	FDW_OWN,    /* a description of our own: lws may make it non-blocking */
	FDW_SOCKET, /* a dup of a socket: MSG_DONTWAIT per call */
	FDW_SHARED, /* a dup of anything else: flags left as they were */
};

struct wsx_fdw {
	struct wsx_loop *loop;
	int fd; /* the caller's */
	enum fdw_kind kind;
	bool read;
	bool paused;
	bool want_write;
	bool in_writable; /* inside on_writable */
	bool dead;	  /* freed inside on_writable: free after it */
	/* a socket on the loop's epoll set */
	bool on_set;
	bool queued;	  /* on the batch's write list */
	bool in_readable; /* inside its own on_readable */
	bool parked;	  /* hung up while paused: off the set until resumed */
	bool borrowed;	  /* the owner closes the socket, not the watcher */
	uint32_t events;  /* what the set watches for it now */
	struct wsx_fdw *next_queued;
	const struct wsx_fdw_ops *ops;
	void *arg;
	/*
	 * The rest is for descriptors on libwebsockets' poll list only: a
	 * socket on the epoll set is allocated without it (FDW_SET_SIZE),
	 * which is most of an idle connection's watcher.
	 */
	struct lws *wsi;
	int dupfd;	  /* the one lws polls; lws closes it */
	size_t write_cap; /* FDW_SHARED pipes and terminals: PIPE_BUF */
	int saved_flags;  /* the caller's description's flags */
	lws_sorted_usec_list_t sul_kick;  /* deliver a lost hang-up */
	lws_sorted_usec_list_t sul_rearm; /* POLLOUT again, after a callback */
};

#define FDW_SET_SIZE offsetof(struct wsx_fdw, wsi)

/* /dev/ptmx opened again is a new terminal, not this one */
static bool
fdw_is_ptmx(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 5 &&
	       minor(st->st_rdev) == 2;
}

static int
fdw_above_stdio(int fd)
{
	int high;

	if (fd < 0 || fd > 2)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return high;
}

/* A pipe or terminal opened again: the same one, in a new description. */
static int
fdw_reopen(const struct wsx_fdw *w, const struct stat *st)
{
	char path[40];
	struct stat again;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->fd);
	fd = open(path, (w->read ? O_RDONLY : O_WRONLY) | O_CLOEXEC | O_NOCTTY |
				O_NONBLOCK);
	fd = fdw_above_stdio(fd);
	if (fd < 0)
		return -1;
	if (fstat(fd, &again) || again.st_dev != st->st_dev ||
	    again.st_ino != st->st_ino || again.st_rdev != st->st_rdev) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A FIFO in the file system, not a pipe (whose fd links to "pipe:[N]") */
static bool
fdw_is_named_fifo(const struct wsx_fdw *w, const struct stat *st)
{
	char path[40], link[8];
	ssize_t n;

	if (!S_ISFIFO(st->st_mode))
		return false;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", w->fd);
	n = readlink(path, link, sizeof(link));
	return n < 5 || memcmp(link, "pipe:", 5);
}

/* The descriptor lws will poll, and how to do I/O on it. */
static int
fdw_copy(struct wsx_fdw *w)
{
	struct stat st;
	int fd;

	w->kind = FDW_SHARED;
	w->write_cap = 0;
	if (fstat(w->fd, &st))
		return -1;
	if (S_ISSOCK(st.st_mode)) {
		w->kind = FDW_SOCKET;
	} else if ((S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) &&
		   !fdw_is_ptmx(&st) &&
		   !(w->read && fdw_is_named_fifo(w, &st))) {
		fd = fdw_reopen(w, &st);
		if (fd >= 0) {
			w->kind = FDW_OWN;
			return fd;
		}
		if (!(w->saved_flags & O_NONBLOCK))
			w->write_cap = PIPE_BUF;
	}
	return fcntl(w->fd, F_DUPFD_CLOEXEC, 3);
}

static int
fdw_adopt(struct wsx_fdw *w)
{
	lws_sock_file_fd_type u;

	w->dupfd = fdw_copy(w);
	if (w->dupfd < 0)
		return -1;
	u.filefd = (lws_filefd_type)(intptr_t)w->dupfd;
	w->wsi = lws_adopt_descriptor_vhost(w->loop->base_vh,
					    LWS_ADOPT_RAW_FILE_DESC, u,
					    WSX_FD_PROTOCOL, NULL);
	/* lws made the description non-blocking: put a shared one back */
	if (w->kind != FDW_OWN && w->saved_flags >= 0)
		fcntl(w->fd, F_SETFL, w->saved_flags);
	if (!w->wsi)
		return -1; /* lws closed dupfd */
	lws_set_opaque_user_data(w->wsi, w);
	if (!w->read || w->paused)
		lws_rx_flow_control(w->wsi, 0);
	if (w->want_write)
		lws_callback_on_writable(w->wsi);
	return 0;
}

/* The fd to do I/O on: the copy, or the caller's once lws closed that. */
static int
fdw_io_fd(const struct wsx_fdw *w)
{
	if (w->on_set)
		return w->fd;
	return w->wsi ? w->dupfd : w->fd;
}

static void
fdw_rearm(lws_sorted_usec_list_t *sul)
{
	struct wsx_fdw *w = lws_container_of(sul, struct wsx_fdw, sul_rearm);

	if (w->want_write && w->wsi)
		lws_callback_on_writable(w->wsi);
}

static void
fdw_writable(struct wsx_fdw *w)
{
	w->want_write = false;
	w->in_writable = true;
	w->ops->on_writable(w, fdw_io_fd(w), w->arg);
	w->in_writable = false;
	if (w->dead)
		free(w);
	else if (w->want_write && w->wsi)
		lws_sul_schedule(w->loop->ctx, 0, &w->sul_rearm, fdw_rearm, 1);
}

static void
fdw_kick(lws_sorted_usec_list_t *sul)
{
	struct wsx_fdw *w = lws_container_of(sul, struct wsx_fdw, sul_kick);

	/* the wsi is gone: let the owner's read() or write() see why */
	if (w->read && !w->paused)
		w->ops->on_readable(w, fdw_io_fd(w), w->arg);
	else if (!w->read && w->want_write)
		fdw_writable(w);
}

/* --- sockets of our own, on the loop's epoll set ---------------------------
 */

struct fdw_set {
	int epfd;
	struct wsx_fdw *watch; /* epfd on libwebsockets' poll list */
	bool in_batch;	       /* its events are being handled */
	struct wsx_fdw *queue; /* writes asked for during the batch */
	struct wsx_fdw **tail;
	struct wsx_fdw **dead; /* freed during the batch: free after it */
	size_t n_dead, cap_dead;
};

static void
fdw_sock_sync(struct wsx_fdw *w)
{
	struct fdw_set *set = w->loop->sockets;
	uint32_t want = 0;
	struct epoll_event ev;

	if (w->parked || w->dead)
		return;
	if (!w->paused)
		want |= EPOLLIN | EPOLLRDHUP;
	if (w->want_write && !w->queued)
		want |= EPOLLOUT;
	if (want == w->events)
		return;
	ev.events = want;
	ev.data.ptr = w;
	if (!epoll_ctl(set->epfd, EPOLL_CTL_MOD, w->fd, &ev))
		w->events = want;
}

static void
fdw_sock_writable(struct wsx_fdw *w)
{
	w->want_write = false;
	w->in_writable = true;
	w->ops->on_writable(w, w->fd, w->arg);
	w->in_writable = false;
	fdw_sock_sync(w); /* EPOLLOUT if it asked again: the socket is full */
}

static void
fdw_sock_flush(struct fdw_set *set)
{
	struct wsx_fdw *w;

	while ((w = set->queue)) {
		set->queue = w->next_queued;
		if (!set->queue)
			set->tail = &set->queue;
		w->queued = false;
		if (!w->dead && w->want_write)
			fdw_sock_writable(w);
	}
}

static void
fdw_sock_event(struct wsx_fdw *w, uint32_t e)
{
	struct fdw_set *set = w->loop->sockets;

	if ((e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && w->want_write &&
	    !w->queued)
		fdw_sock_writable(w);
	if (w->dead || !(e & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		return;
	if (!w->paused) {
		/*
		 * What its own input produced (an echo, a reply) is written
		 * at once, while it is still in the cache; writes it caused
		 * elsewhere wait for the end of the batch.
		 */
		w->in_readable = true;
		w->ops->on_readable(w, w->fd, w->arg);
		w->in_readable = false;
		if (!w->dead && w->want_write && !w->queued)
			fdw_sock_writable(w);
		return;
	}
	/* a hang-up is reported whatever is asked for: off the set until
	 * reading resumes, when it is reported again */
	if (!w->want_write || (e & EPOLLERR)) {
		epoll_ctl(set->epfd, EPOLL_CTL_DEL, w->fd, NULL);
		w->parked = true;
		w->events = 0;
	}
}

static void
fdw_set_ready(struct wsx_fdw *watch, int fd, void *arg)
{
	struct wsx_loop *loop = arg;
	struct fdw_set *set = loop->sockets;
	struct epoll_event ev[256];
	int n;

	(void)watch;
	(void)fd;
	n = epoll_wait(set->epfd, ev, 256, 0);
	set->in_batch = true;
	for (int i = 0; i < n; i++) {
		struct wsx_fdw *w = ev[i].data.ptr;

		if (!w->dead)
			fdw_sock_event(w, ev[i].events);
	}
	fdw_sock_flush(set);
	set->in_batch = false;
	for (size_t i = 0; i < set->n_dead; i++)
		free(set->dead[i]);
	set->n_dead = 0;
}

static const struct wsx_fdw_ops fdw_set_ops = {
	.on_readable = fdw_set_ready,
};

static struct fdw_set *
fdw_set_get(struct wsx_loop *loop, struct wsx_err *err)
{
	struct fdw_set *set = loop->sockets;

	if (set)
		return set;
	set = xcalloc(1, sizeof(*set));
	set->tail = &set->queue;
	set->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (set->epfd < 0) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot watch sockets: %s",
			    strerror(errno));
		free(set);
		return NULL;
	}
	set->watch =
		wsx_fdw_new(loop, set->epfd, true, &fdw_set_ops, loop, err);
	if (!set->watch) {
		close(set->epfd);
		free(set);
		return NULL;
	}
	loop->sockets = set;
	return set;
}

void
fdwatch_sockets_free(struct wsx_loop *loop)
{
	struct fdw_set *set = loop->sockets;

	if (!set)
		return;
	wsx_fdw_free(set->watch);
	close(set->epfd);
	for (size_t i = 0; i < set->n_dead; i++)
		free(set->dead[i]);
	free(set->dead);
	free(set);
	loop->sockets = NULL;
}

static void
fdw_sock_free(struct wsx_fdw *w)
{
	struct fdw_set *set = w->loop->sockets;

	if (!w->parked)
		epoll_ctl(set->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	if (!w->borrowed)
		close(w->fd);
	w->dead = true;
	if (!set->in_batch && !w->in_writable) {
		free(w);
		return;
	}
	/* events of this batch, or the write list, may still name it */
	if (set->n_dead == set->cap_dead) {
		set->cap_dead = set->cap_dead ? 2 * set->cap_dead : 16;
		set->dead =
			xrealloc(set->dead, set->cap_dead * sizeof(*set->dead));
	}
	set->dead[set->n_dead++] = w;
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
	if (fdw_adopt(w)) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot watch fd %d: %s", fd,
			    errno ? strerror(errno) : "adoption failed");
		wsx_fdw_free(w);
		return NULL;
	}
	return w;
}

static struct wsx_fdw *
fdw_sock_new(struct wsx_loop *loop, int fd, bool borrowed,
	     const struct wsx_fdw_ops *ops, void *arg, struct wsx_err *err)
{
	struct fdw_set *set = fdw_set_get(loop, err);
	struct wsx_fdw *w;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };

	if (!set) {
		if (!borrowed)
			close(fd);
		return NULL;
	}
	w = xcalloc(1, FDW_SET_SIZE);
	w->loop = loop;
	w->fd = fd;
	w->read = true;
	w->on_set = true;
	w->borrowed = borrowed;
	w->kind = FDW_SOCKET;
	w->ops = ops;
	w->arg = arg;
	ev.data.ptr = w;
	if (epoll_ctl(set->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot watch a socket: %s",
			    strerror(errno));
		if (!borrowed)
			close(fd);
		free(w);
		return NULL;
	}
	w->events = ev.events;
	return w;
}

struct wsx_fdw *
wsx_fdw_adopt_socket(struct wsx_loop *loop, int fd,
		     const struct wsx_fdw_ops *ops, void *arg,
		     struct wsx_err *err)
{
	return fdw_sock_new(loop, fd, false, ops, arg, err);
}

struct wsx_fdw *
wsx_fdw_watch_socket(struct wsx_loop *loop, int fd,
		     const struct wsx_fdw_ops *ops, void *arg,
		     struct wsx_err *err)
{
	return fdw_sock_new(loop, fd, true, ops, arg, err);
}

void
wsx_fdw_pause(struct wsx_fdw *w, bool pause)
{
	if (w->paused == pause)
		return;
	w->paused = pause;
	if (w->on_set) {
		if (!pause && w->parked) {
			struct epoll_event ev = { .events =
							  EPOLLIN | EPOLLRDHUP,
						  .data.ptr = w };

			w->parked = false;
			if (w->want_write && !w->queued)
				ev.events |= EPOLLOUT;
			if (!epoll_ctl(w->loop->sockets->epfd, EPOLL_CTL_ADD,
				       w->fd, &ev))
				w->events = ev.events;
			return;
		}
		fdw_sock_sync(w);
		return;
	}
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
	if (w->on_set) {
		struct fdw_set *set = w->loop->sockets;

		if (w->in_writable || w->in_readable || w->queued || w->dead)
			return; /* fdw_sock_writable() syncs after it, or
				   fdw_sock_event() writes after the read */
		if (!set->in_batch) {
			fdw_sock_sync(w); /* EPOLLOUT wakes the loop */
			return;
		}
		w->queued = true;
		w->next_queued = NULL;
		*set->tail = w;
		set->tail = &w->next_queued;
		return;
	}
	if (w->in_writable)
		return; /* fdw_writable() asks again once lws is done */
	if (w->wsi)
		lws_callback_on_writable(w->wsi);
	else
		lws_sul_schedule(w->loop->ctx, 0, &w->sul_kick, fdw_kick, 1);
}

int
wsx_fdw_fd(const struct wsx_fdw *w)
{
	return fdw_io_fd(w);
}

ssize_t
wsx_fdw_read(struct wsx_fdw *w, void *buf, size_t len)
{
	struct pollfd p = { .fd = fdw_io_fd(w), .events = POLLIN };

	if (w->on_set)
		return recv(w->fd, buf, len, MSG_DONTWAIT);
	if (w->kind == FDW_SOCKET)
		return recv(p.fd, buf, len, MSG_DONTWAIT);
	/* a shared description may block: read only what is there */
	if (w->kind == FDW_SHARED && poll(&p, 1, 0) == 0) {
		errno = EAGAIN;
		return -1;
	}
	return read(p.fd, buf, len);
}

ssize_t
wsx_fdw_write(struct wsx_fdw *w, const void *buf, size_t len)
{
	if (w->on_set)
		return send(w->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w->kind == FDW_SOCKET)
		return send(fdw_io_fd(w), buf, len,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w->write_cap && len > w->write_cap)
		len = w->write_cap;
	return write(fdw_io_fd(w), buf, len);
}

void
wsx_fdw_free(struct wsx_fdw *w)
{
	if (!w || w->dead)
		return;
	if (w->on_set) {
		fdw_sock_free(w);
		return;
	}
	lws_sul_cancel(&w->sul_kick);
	lws_sul_cancel(&w->sul_rearm);
	if (w->wsi) {
		lws_set_opaque_user_data(w->wsi, NULL);
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_AWAITING_PROXY_RESPONSE,
				LWS_TO_KILL_ASYNC);
		w->wsi = NULL;
	}
	if (w->in_writable)
		w->dead = true; /* fdw_writable() frees it */
	else
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
		if (w->want_write)
			fdw_writable(w);
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
