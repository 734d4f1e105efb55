/*
 * tcp-pattern: the raw TCP load generator for scripts/bench-compare. It
 * drives the traffic pattern of `wsx bench` (each connection keeps K
 * messages of M bytes in flight; every message that comes back whole is
 * answered with a new one) over plain TCP against an echo server, so the
 * WebSocket numbers can be read against what TCP alone does. Messages due
 * on a connection go out together in one write(), as wsx batches them.
 * Every echoed byte is checked against what was sent.
 *   tcp-pattern [-c CONNS] [-P K] [-m BYTES] [-d SECS] [--warmup SECS]
 *               [--json] tcp://127.0.0.1:PORT
 * Prints "msgs/s=N MB/s=N msgs=N bytes=N secs=N" (MB = 10^6 bytes,
 * counted as they come back), or one JSON object with --json. Exit 1 when
 * an echo differs or the server fails; a hard limit of the duration plus
 * 10 s ends it whatever the server does.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	uint64_t sent_bytes, recv_bytes; /* stream offsets */
	uint64_t owed;			 /* bytes of messages due, not yet written */
};

#define WBUF (256 * 1024)

static size_t msg_size = 32;

static unsigned char
pattern(uint64_t off, int id)
{
	return (unsigned char)(off * 131 + (uint64_t)id * 7 + (off >> 12));
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write what is owed, as much as fits, in one write() each time (as wsx
 * batches its frames); 1 when the socket is full. */
static int
conn_write(struct conn *c, int id, unsigned char *buf, size_t room)
{
	while (c->owed) {
		size_t len = c->owed < room ? (size_t)c->owed : room;
		ssize_t n;

		for (size_t i = 0; i < len; i++)
			buf[i] = pattern(c->sent_bytes + i, id);
		n = write(c->fd, buf, len);
		if (n < 0)
			return errno == EAGAIN ? 1 : -1;
		c->sent_bytes += (uint64_t)n;
		c->owed -= (uint64_t)n;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "warmup", required_argument, NULL, 'W' },
		{ "json", no_argument, NULL, 'J' },
		{ 0 },
	};
	unsigned conns = 64, inflight = 16;
	double secs = 2, warmup = 0.5, t0, t_measure, t_end;
	int json = 0, opt, ep, port, mismatches = 0, failed = 0, one = 1;
	uint64_t msgs = 0, bytes = 0;
	struct conn *cs;
	unsigned char *buf, *rbuf;
	const char *url;
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event evs[256];

	while ((opt = getopt_long(argc, argv, "c:P:m:d:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': conns = (unsigned)atoi(optarg); break;
		case 'P': inflight = (unsigned)atoi(optarg); break;
		case 'm': msg_size = (size_t)atol(optarg); break;
		case 'd': secs = atof(optarg); break;
		case 'W': warmup = atof(optarg); break;
		case 'J': json = 1; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !conns || !inflight || !msg_size) {
		fprintf(stderr, "usage: tcp-pattern [-c N] [-P K] [-m BYTES] [-d SECS] "
				"[--warmup SECS] [--json] tcp://127.0.0.1:PORT\n");
		return 2;
	}
	url = argv[optind];
	if (!strncmp(url, "tcp://", 6))
		url += 6;
	if (strncmp(url, "127.0.0.1:", 10) || (port = atoi(url + 10)) <= 0) {
		fprintf(stderr, "tcp-pattern: only tcp://127.0.0.1:PORT\n");
		return 2;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	buf = malloc(WBUF);
	rbuf = malloc(256 * 1024);
	cs = calloc(conns, sizeof(*cs));
	ep = epoll_create1(0);
	for (unsigned i = 0; i < conns; i++) {
		struct epoll_event e = { .events = EPOLLIN | EPOLLOUT | EPOLLET,
					 .data.u32 = i };

		cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(cs[i].fd, (struct sockaddr *)&a, sizeof(a))) {
			perror("tcp-pattern: connect");
			return 1;
		}
		setsockopt(cs[i].fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		fcntl(cs[i].fd, F_SETFL, O_NONBLOCK);
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &e);
		cs[i].owed = (uint64_t)inflight * msg_size;
	}
	t0 = now_s();
	t_measure = t0 + warmup;
	t_end = t_measure + secs;
	while (!failed) {
		double t = now_s();
		int n;

		if (t >= t_end || t > t_end + 10)
			break;
		n = epoll_wait(ep, evs, 256, 100);
		for (int k = 0; k < n && !failed; k++) {
			unsigned i = evs[k].data.u32;
			struct conn *c = &cs[i];

			if (evs[k].events & EPOLLIN) {
				for (;;) {
					ssize_t r = read(c->fd, rbuf, 256 * 1024);
					uint64_t before = c->recv_bytes / msg_size;

					if (r == 0 || (r < 0 && errno != EAGAIN)) {
						failed = 1;
						break;
					}
					if (r < 0)
						break;
					for (ssize_t j = 0; j < r; j++)
						if (rbuf[j] != pattern(c->recv_bytes + (uint64_t)j, (int)i))
							mismatches++;
					c->recv_bytes += (uint64_t)r;
					if (now_s() >= t_measure) {
						msgs += c->recv_bytes / msg_size - before;
						bytes += (uint64_t)r;
					}
					c->owed += (c->recv_bytes / msg_size - before) * msg_size;
				}
			}
			if (conn_write(c, (int)i, buf, WBUF) < 0)
				failed = 1;
		}
	}
	if (json)
		printf("{\"msgs_per_s\":%.0f,\"mb_per_s\":%.3f,\"msgs\":%llu,\"bytes\":%llu,"
		       "\"secs\":%.3f,\"mismatches\":%d}\n",
		       (double)msgs / secs, (double)bytes / secs / 1e6,
		       (unsigned long long)msgs, (unsigned long long)bytes, secs, mismatches);
	else
		printf("msgs/s=%.0f MB/s=%.3f msgs=%llu bytes=%llu secs=%.3f\n",
		       (double)msgs / secs, (double)bytes / secs / 1e6,
		       (unsigned long long)msgs, (unsigned long long)bytes, secs);
	if (failed)
		fprintf(stderr, "tcp-pattern: a connection failed\n");
	if (mismatches)
		fprintf(stderr, "tcp-pattern: %d echoed bytes differ\n", mismatches);
	return failed || mismatches;
}
