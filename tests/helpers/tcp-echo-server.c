/*
 * tcp-echo-server: the raw TCP ceiling for WebSocket echo benchmarks
 * (scripts/bench-compare). It echoes every byte back on each connection and
 * does as little as a TCP echo can: one epoll loop per thread, 256 KiB
 * reads, each read written straight back. A WebSocket echo server measured
 * under the same traffic (tcp-pattern drives it the way `wsx bench` drives
 * a WebSocket server) shows what the WebSocket layer costs on top of TCP.
 *
 *   tcp-echo-server [-p PORT] [-t SECS] [-T THREADS]
 *
 * Binds 127.0.0.1:PORT (0, the default, picks a free port) and prints
 * "listening on tcp://127.0.0.1:PORT" on stderr once it accepts. With -T N,
 * N threads each run their own epoll loop on their own SO_REUSEPORT
 * listener, and the kernel spreads connections among them. Exits 0 on
 * SIGINT or SIGTERM, and by itself after SECS (default 600) so that it
 * never outlives a benchmark run.
 *
 * Only libc: cc -O2 -pthread -o tcp-echo-server tcp-echo-server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RBUF	    (256 * 1024) /* one read, and at most one pending write */
#define MAX_THREADS 256
#define MAX_EVENTS  256
#define READS_EACH  16 /* reads per readable event, so busy peers share */

struct conn {
	int fd;
	struct conn *prev, *next; /* the worker's connections */
	/* read, not yet written back; no reads meanwhile */
	unsigned char *pend;
	size_t off, len, cap;
};

struct worker {
	pthread_t tid;
	int lfd;   /* this thread's listener */
	int ep;	   /* this thread's epoll */
	int spare; /* given up on EMFILE to accept a connection and shed it */
	unsigned char *buf;
	struct conn *conns;
	unsigned long shed; /* connections closed at once for want of fds */
};

/* Marks the listener and the wakeup eventfd in epoll_event.data.ptr. */
static char listener_tag, wake_tag;
static int wake_fd = -1;
static atomic_int stopping;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: tcp-echo-server [-p PORT] [-t SECS] [-T THREADS]\n"
		"  -p PORT     port on 127.0.0.1 (default 0: pick a free one)\n"
		"  -t SECS     exit after SECS (default 600)\n"
		"  -T THREADS  epoll threads, one SO_REUSEPORT listener each "
		"(default 1)\n");
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void
conn_close(struct worker *w, struct conn *c)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->pend);
	free(c);
}

static int
conn_watch(struct worker *w, struct conn *c, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = c };

	return epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &e);
}

/* Write back what is pending: 0 when all is written, 1 when the socket is
 * full, -1 on error. */
static int
conn_flush(struct conn *c)
{
	while (c->off < c->len) {
		ssize_t n = send(c->fd, c->pend + c->off, c->len - c->off,
				 MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 1 : -1;
		}
		c->off += (size_t)n;
	}
	c->off = c->len = 0;
	return 0;
}

/* Keep what a write left over, and wait for EPOLLOUT instead of EPOLLIN. */
static int
conn_defer(struct worker *w, struct conn *c, const unsigned char *p, size_t n)
{
	if (n > c->cap) {
		unsigned char *m = realloc(c->pend, n);

		if (!m)
			return -1;
		c->pend = m;
		c->cap = n;
	}
	memcpy(c->pend, p, n);
	c->off = 0;
	c->len = n;
	return conn_watch(w, c, EPOLLOUT);
}

/* Read and echo; -1 when the connection is to be closed. */
static int
conn_echo(struct worker *w, struct conn *c)
{
	for (int round = 0; round < READS_EACH; round++) {
		ssize_t n = recv(c->fd, w->buf, RBUF, 0), sent;

		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		sent = send(c->fd, w->buf, (size_t)n, MSG_NOSIGNAL);
		if (sent < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				return -1;
			sent = 0;
		}
		if (sent < n)
			return conn_defer(w, c, w->buf + sent,
					  (size_t)(n - sent));
		if (n < RBUF)
			return 0; /* drained, most likely */
	}
	return 0;
}

static void
conn_event(struct worker *w, struct conn *c, uint32_t events)
{
	int r;

	if (c->len) {
		/* waiting to write: EPOLLOUT, or EPOLLERR/EPOLLHUP, which the
		 * write reports as an error */
		r = conn_flush(c);
		if (r < 0)
			goto drop;
		if (r == 0 && conn_watch(w, c, EPOLLIN))
			goto drop;
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		if (conn_echo(w, c) < 0)
			goto drop;
	return;
drop:
	conn_close(w, c);
}

static void
accept_all(struct worker *w)
{
	static const int one = 1;

	for (;;) {
		int fd = accept4(w->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event e = { .events = EPOLLIN };
		struct conn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) &&
			    w->spare >= 0) {
				/* out of fds: take the connection with the
				 * spare one and close it, or the listener
				 * stays readable and the loop spins */
				if (!w->shed++)
					fprintf(stderr,
						"tcp-echo-server: accept: %s: "
						"connections shed\n",
						strerror(errno));
				close(w->spare);
				fd = accept(w->lfd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				w->spare =
					open("/dev/null", O_RDONLY | O_CLOEXEC);
				if (fd >= 0)
					continue;
			}
			return; /* EAGAIN, or nothing to be done */
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		e.data.ptr = c;
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &e)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];

	while (!atomic_load(&stopping)) {
		int n = epoll_wait(w->ep, evs, MAX_EVENTS, -1);

		if (n < 0 && errno != EINTR) {
			perror("tcp-echo-server: epoll_wait");
			break;
		}
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &wake_tag)
				goto out;
			if (p == &listener_tag)
				accept_all(w);
			else
				conn_event(w, p, evs[i].events);
		}
	}
out:
	while (w->conns)
		conn_close(w, w->conns);
	return NULL;
}

/* A listener on 127.0.0.1:port, SO_REUSEPORT so that threads can share the
 * port; -1 on error. */
static int
listen_on(int port)
{
	static const int one = 1;
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 4096)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int
worker_init(struct worker *w, int lfd)
{
	struct epoll_event l = { .events = EPOLLIN, .data.ptr = &listener_tag };
	struct epoll_event k = { .events = EPOLLIN, .data.ptr = &wake_tag };

	w->lfd = lfd;
	w->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->buf = malloc(RBUF);
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	if (!w->buf || w->ep < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, lfd, &l) ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, wake_fd, &k))
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct worker *ws;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	struct timespec deadline, now;
	sigset_t sigs;
	long port = 0, nthreads = 1, started = 0;
	double secs = 600;
	const char *why = "time limit reached";
	int opt;

	while ((opt = getopt(argc, argv, "p:t:T:h")) != -1) {
		char *end;

		switch (opt) {
		case 'p':
			if (parse_long(optarg, 0, 65535, &port))
				goto bad;
			break;
		case 't':
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs > 0) ||
			    secs > 1e7)
				goto bad;
			break;
		case 'T':
			if (parse_long(optarg, 1, MAX_THREADS, &nthreads))
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc)
		goto bad;

	/* SIGINT/SIGTERM are taken by sigtimedwait() below; workers inherit
	 * the blocked mask and never see them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ws = calloc((size_t)nthreads, sizeof(*ws));
	if (wake_fd < 0 || !ws) {
		perror("tcp-echo-server");
		return 1;
	}
	/* every listener listens before the line that says so */
	for (long i = 0; i < nthreads; i++) {
		int lfd = listen_on((int)port);

		if (lfd < 0) {
			fprintf(stderr, "tcp-echo-server: 127.0.0.1:%ld: %s\n",
				port, strerror(errno));
			return 1;
		}
		if (i == 0) {
			if (getsockname(lfd, (struct sockaddr *)&a, &alen)) {
				perror("tcp-echo-server: getsockname");
				return 1;
			}
			port = ntohs(a.sin_port);
		}
		if (worker_init(&ws[i], lfd)) {
			perror("tcp-echo-server");
			return 1;
		}
	}
	for (long i = 0; i < nthreads; i++) {
		int e = pthread_create(&ws[i].tid, NULL, worker_run, &ws[i]);

		if (e) {
			fprintf(stderr, "tcp-echo-server: threads: %s\n",
				strerror(e));
			why = NULL;
			goto out;
		}
		started++;
	}
	fprintf(stderr, "listening on tcp://127.0.0.1:%ld\n", port);
	fflush(stderr);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)secs;
	deadline.tv_nsec += (long)((secs - (double)(time_t)secs) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct timespec left;
		int s;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		s = sigtimedwait(&sigs, NULL, &left);
		if (s > 0) {
			why = NULL;
			break;
		}
		if (errno != EINTR && errno != EAGAIN) {
			perror("tcp-echo-server: sigtimedwait");
			break;
		}
	}
out:
	if (why)
		fprintf(stderr, "tcp-echo-server: %s\n", why);
	atomic_store(&stopping, 1);
	{
		uint64_t one = 1;

		if (write(wake_fd, &one, sizeof(one)) < 0)
			perror("tcp-echo-server: wake");
	}
	for (long i = 0; i < nthreads; i++) {
		if (i < started)
			pthread_join(ws[i].tid, NULL);
		if (ws[i].shed)
			fprintf(stderr,
				"tcp-echo-server: thread %ld: %lu "
				"connections shed (no fds)\n",
				i + 1, ws[i].shed);
		close(ws[i].lfd);
		close(ws[i].ep);
		if (ws[i].spare >= 0)
			close(ws[i].spare);
		free(ws[i].buf);
	}
	free(ws);
	close(wake_fd);
	return started == nthreads ? 0 : 1;
bad:
	usage(stderr);
	return 2;
}
