/*
 * tcp-echo-server: the raw TCP ceiling for scripts/bench-compare. Echoes
 * every byte back on each connection, with large reads and one epoll loop,
 * so it costs about as little as a TCP echo can; comparing a WebSocket echo
 * server with it shows what the WebSocket layer costs.
 *   tcp-echo-server [-p PORT] [-t SECS]
 * Binds 127.0.0.1 (port 0 picks one), prints "listening on
 * tcp://127.0.0.1:PORT" on stderr, exits after SECS (default 600) or on
 * SIGINT/SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (256 * 1024)

struct conn {
	int fd;
	char *pending; /* bytes read but not yet written back */
	size_t len, off;
};

static volatile sig_atomic_t stop;

static void
on_signal(int s)
{
	(void)s;
	stop = 1;
}

static void
conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->pending);
	free(c);
}

/* Write back what is pending; 1 while some is left, -1 on error. */
static int
conn_flush(struct conn *c)
{
	while (c->off < c->len) {
		ssize_t n = write(c->fd, c->pending + c->off, c->len - c->off);

		if (n < 0)
			return errno == EAGAIN ? 1 : -1;
		c->off += (size_t)n;
	}
	c->len = c->off = 0;
	return 0;
}

static void
conn_event(int ep, struct conn *c, uint32_t ev, char *buf)
{
	struct epoll_event e = { .data.ptr = c };
	int r;

	if (c->len) { /* waiting to write: reading stays off */
		r = conn_flush(c);
		if (r < 0)
			goto drop;
		if (r == 0) {
			e.events = EPOLLIN;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
		}
		return;
	}
	if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (int rounds = 0; rounds < 16; rounds++) {
		ssize_t n = read(c->fd, buf, BUF), w;

		if (n == 0 || (n < 0 && errno != EAGAIN))
			goto drop;
		if (n < 0)
			return;
		w = write(c->fd, buf, (size_t)n);
		if (w < 0 && errno != EAGAIN)
			goto drop;
		if (w < n) {
			size_t done = w > 0 ? (size_t)w : 0;

			c->pending = realloc(c->pending, (size_t)n - done);
			memcpy(c->pending, buf + done, (size_t)n - done);
			c->len = (size_t)n - done;
			c->off = 0;
			e.events = EPOLLOUT;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e);
			return;
		}
		if (n < BUF)
			return;
	}
	return;
drop:
	conn_close(ep, c);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int port = 0, secs = 600, one = 1, lfd, ep, opt;
	struct epoll_event e = { .events = EPOLLIN }, evs[256];
	time_t deadline;
	char *buf = malloc(BUF);

	while ((opt = getopt(argc, argv, "p:t:")) != -1) {
		if (opt == 'p')
			port = atoi(optarg);
		else if (opt == 't')
			secs = atoi(optarg);
		else
			return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 4096)) {
		perror("tcp-echo-server");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&a, &alen);
	fprintf(stderr, "listening on tcp://127.0.0.1:%d\n", ntohs(a.sin_port));
	ep = epoll_create1(0);
	e.data.ptr = NULL;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &e);
	deadline = time(NULL) + secs;
	while (!stop && time(NULL) < deadline) {
		int n = epoll_wait(ep, evs, 256, 500);

		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr) {
				int fd;

				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					struct conn *c = calloc(1, sizeof(*c));
					struct epoll_event ce = { .events = EPOLLIN, .data.ptr = c };

					c->fd = fd;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				}
				continue;
			}
			conn_event(ep, evs[i].data.ptr, evs[i].events, buf);
		}
	}
	free(buf);
	return 0;
}
