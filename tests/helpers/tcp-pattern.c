/*
 * tcp-pattern: the raw TCP load generator for WebSocket echo benchmarks
 * (scripts/bench-compare). It drives an echo server with the traffic
 * pattern of `wsx bench` (CONNS connections, each keeping K messages of
 * BYTES in flight: closed loop, every message that comes back whole is
 * answered with a new one) over plain TCP, so that with tcp-echo-server it
 * gives the ceiling WebSocket numbers can be read against.
 *
 *   tcp-pattern [-c CONNS] [-P K] [-m BYTES] [-d SECS] [--warmup SECS]
 *               [-T THREADS] [--batch] [--json] [tcp://]HOST:PORT
 *
 * Each message goes out with its own send(), as a naive client does it;
 * --batch writes everything that may go out on a connection in one send()
 * instead (as wsx batches its frames). The stream is a fixed pseudo-random
 * pattern, different on each connection, and every byte that comes back is
 * compared with what was sent. After the warmup (default 0.5 s, not
 * counted) it measures for SECS and prints
 *   msgs/s=N MB/s=N msgs=N bytes=N secs=N
 * or, with --json, one JSON object with these fields and a few more. Counts
 * are of echoes received (MB = 10^6 bytes, one way). Exit 0 on a clean
 * run, 1 when an echo differed, a connection failed or nothing came back,
 * 2 on bad usage. It stops at the end of the run whatever the server does,
 * and connecting may take at most 10 s.
 *
 * Only libc: cc -O2 -pthread -o tcp-pattern tcp-pattern.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The pattern repeats every PERIOD bytes: a prime, so that messages of the
 * usual sizes start at different places in it and a message that comes back
 * in the wrong place or twice differs. */
#define PERIOD	     65521u
#define RBUF	     (256 * 1024)	  /* one recv() */
#define WCHUNK	     (1024 * 1024)	  /* largest --batch send() */
#define MAX_SIZE     (64 * 1024 * 1024)	  /* largest message */
#define MAX_INFLIGHT (1024 * 1024 * 1024) /* largest K * BYTES */
#define MAX_CONNS    1000000
#define MAX_THREADS  256
#define MAX_EVENTS   256
#define CONNECT_SECS 10.0

struct conn {
	int fd;
	uint32_t seed;	/* where this connection's stream starts in table */
	uint64_t sent;	/* stream bytes written */
	uint64_t recv;	/* stream bytes echoed back */
	uint64_t limit; /* sent may grow to this (K messages past recv) */
	bool connected, blocked;
};

struct worker {
	pthread_t tid;
	int ep;
	struct conn *cs;
	size_t n;
	unsigned char *rbuf;
	uint64_t msgs, bytes, sends, mismatches;
	double t_stop;
	char err[160]; /* the first error, if any */
};

/* Set up by main before the workers start, read-only afterwards. */
static size_t msg_size = 1024;
static uint64_t inflight = 1;
static bool batch;
static unsigned char *table; /* PERIOD bytes, then repeated up to chunk_max */
static size_t chunk_max;
static struct sockaddr_in peer;
static double t_connect_end, t_measure, t_end;
static pthread_barrier_t ready, go;

static atomic_int stop;	   /* a worker failed: all stop */
static atomic_int aborted; /* connecting failed: no run */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: tcp-pattern [options] [tcp://]HOST:PORT\n"
		"  -c, --connections N  connections (default 64)\n"
		"  -P, --pipeline K     messages in flight per connection "
		"(default 1)\n"
		"  -m, --size BYTES     message size, K/M suffixes binary "
		"(default 1K)\n"
		"  -d, --duration SECS  measure for SECS (default 5)\n"
		"      --warmup SECS    run SECS first, not counted "
		"(default 0.5)\n"
		"  -T, --threads N      threads, each with its own epoll and a "
		"share of the\n"
		"                       connections (default 1)\n"
		"      --batch          one send() for all that may go out on a "
		"connection,\n"
		"                       instead of one per message\n"
		"      --json           print one JSON object\n");
}

/* SIGALRM: the backstop in case something blocks that should not. */
static void
on_alarm(int sig)
{
	static const char msg[] = "tcp-pattern: hard time limit, giving up\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);

	(void)r;
	(void)sig;
	_exit(1);
}

/* Note the first error and stop every worker. */
static void
fail(struct worker *w, const char *what, int e)
{
	if (!w->err[0]) {
		if (e)
			snprintf(w->err, sizeof(w->err), "%s: %s", what,
				 strerror(e));
		else
			snprintf(w->err, sizeof(w->err), "%s", what);
	}
	atomic_store(&stop, 1);
}

static const unsigned char *
pattern_at(const struct conn *c, uint64_t off)
{
	return table + (off + c->seed) % PERIOD;
}

/* Send what the closed loop allows: one send() per message (the rest of the
 * current one, after a short write), or with --batch all of it at once. */
static int
conn_send(struct worker *w, struct conn *c)
{
	while (c->sent < c->limit && !c->blocked) {
		size_t len;
		ssize_t n;

		if (batch)
			len = c->limit - c->sent < WCHUNK
				      ? (size_t)(c->limit - c->sent)
				      : WCHUNK;
		else
			len = msg_size - (size_t)(c->sent % msg_size);
		n = send(c->fd, pattern_at(c, c->sent), len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				c->blocked = true;
				return 0;
			}
			fail(w, "send", errno);
			return -1;
		}
		c->sent += (uint64_t)n;
		w->sends++;
	}
	return 0;
}

static uint64_t
count_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
	uint64_t d = 0;

	for (size_t i = 0; i < n; i++)
		d += a[i] != b[i];
	return d;
}

/* Read all there is (edge-triggered), check it, count it and let as many
 * new messages go as have come back whole. */
static int
conn_recv(struct worker *w, struct conn *c, bool counted)
{
	for (;;) {
		ssize_t n = recv(c->fd, w->rbuf, RBUF, 0);
		uint64_t before, done;
		const unsigned char *want;

		if (n == 0) {
			fail(w, "the server closed a connection", 0);
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			fail(w, "recv", errno);
			return -1;
		}
		if (c->recv + (uint64_t)n > c->sent) {
			fail(w, "the server sent more than it was sent", 0);
			return -1;
		}
		want = pattern_at(c, c->recv);
		if (memcmp(w->rbuf, want, (size_t)n))
			w->mismatches += count_diff(w->rbuf, want, (size_t)n);
		before = c->recv / msg_size;
		c->recv += (uint64_t)n;
		done = c->recv / msg_size - before;
		if (counted) {
			w->msgs += done;
			w->bytes += (uint64_t)n;
		}
		c->limit += done * msg_size;
	}
}

static int
conn_event(struct worker *w, struct conn *c, uint32_t events, bool counted)
{
	if (events & EPOLLERR) {
		int e = 0;
		socklen_t len = sizeof(e);

		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len))
			e = errno;
		fail(w, "connection", e ? e : EIO);
		return -1;
	}
	if (events & EPOLLOUT)
		c->blocked = false;
	if ((events & (EPOLLIN | EPOLLHUP)) && conn_recv(w, c, counted))
		return -1;
	return conn_send(w, c);
}

/* Open this worker's connections and wait until they are all up. */
static int
worker_connect(struct worker *w)
{
	static const int one = 1;
	struct epoll_event evs[MAX_EVENTS];
	size_t up = 0;

	for (size_t i = 0; i < w->n; i++) {
		struct conn *c = &w->cs[i];
		struct epoll_event e = {
			.events = EPOLLIN | EPOLLOUT | EPOLLET,
			.data.ptr = c,
		};

		c->fd = socket(AF_INET,
			       SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd < 0) {
			fail(w, "socket", errno);
			return -1;
		}
		setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(c->fd, (struct sockaddr *)&peer, sizeof(peer)) &&
		    errno != EINPROGRESS) {
			fail(w, "connect", errno);
			return -1;
		}
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &e)) {
			fail(w, "epoll_ctl", errno);
			return -1;
		}
	}
	while (up < w->n) {
		double left = t_connect_end - now_s();
		int n;

		if (left <= 0 || atomic_load(&aborted)) {
			if (left <= 0)
				fail(w, "connecting timed out", 0);
			return -1;
		}
		n = epoll_wait(w->ep, evs, MAX_EVENTS,
			       left > 0.1 ? 100 : (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			fail(w, "epoll_wait", errno);
			return -1;
		}
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			int e = 0;
			socklen_t len = sizeof(e);

			if (c->connected)
				continue;
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len))
				e = errno;
			if (e) {
				fail(w, "connect", e);
				return -1;
			}
			if (evs[k].events & EPOLLOUT) {
				c->connected = true;
				up++;
			}
		}
	}
	return 0;
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];

	if (worker_connect(w))
		atomic_store(&aborted, 1);
	pthread_barrier_wait(&ready);
	pthread_barrier_wait(&go); /* main has set the clock */
	if (atomic_load(&aborted))
		goto out;
	for (size_t i = 0; i < w->n; i++) {
		w->cs[i].limit = inflight * msg_size;
		if (conn_send(w, &w->cs[i]))
			goto out;
	}
	while (!atomic_load(&stop)) {
		double t = now_s(), left = t_end - t;
		int n;

		if (left <= 0)
			break;
		n = epoll_wait(w->ep, evs, MAX_EVENTS,
			       left > 0.1 ? 100 : (int)(left * 1000) + 1);
		if (n < 0 && errno != EINTR) {
			fail(w, "epoll_wait", errno);
			break;
		}
		t = now_s();
		if (t >= t_end)
			break; /* what came in after the end is not counted */
		for (int k = 0; k < n; k++)
			if (conn_event(w, evs[k].data.ptr, evs[k].events,
				       t >= t_measure))
				goto out;
	}
out:
	w->t_stop = now_s();
	for (size_t i = 0; i < w->n; i++)
		if (w->cs[i].fd >= 0)
			close(w->cs[i].fd);
	return NULL;
}

static int
parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || !(v <= max))
		return -1;
	*out = v;
	return 0;
}

/* "65536", "64K", "16M" (binary multiples). */
static int
parse_count(const char *s, uint64_t min, uint64_t max, bool suffix,
	    uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (suffix && (*end == 'k' || *end == 'K') && v <= max >> 10) {
		v <<= 10;
		end++;
	} else if (suffix && (*end == 'm' || *end == 'M') && v <= max >> 20) {
		v <<= 20;
		end++;
	}
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "[tcp://]HOST:PORT[/]" with HOST an IPv4 address or localhost. */
static int
parse_target(const char *arg)
{
	char buf[80], *colon;
	size_t len;
	uint64_t port;

	if (!strncmp(arg, "tcp://", 6))
		arg += 6;
	len = strlen(arg);
	if (len && arg[len - 1] == '/')
		len--;
	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	colon = strrchr(buf, ':');
	if (!colon || parse_count(colon + 1, 1, 65535, false, &port))
		return -1;
	*colon = '\0';
	peer.sin_family = AF_INET;
	peer.sin_port = htons((uint16_t)port);
	if (!strcmp(buf, "localhost"))
		strcpy(buf, "127.0.0.1");
	return inet_pton(AF_INET, buf, &peer.sin_addr) == 1 ? 0 : -1;
}

/* Room for every connection's socket, if the hard limit allows it. */
static void
raise_nofile(uint64_t conns)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= conns + 64)
		return;
	rl.rlim_cur = conns + 64 < rl.rlim_max ? conns + 64 : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static void
make_table(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;

	for (size_t i = 0; i < PERIOD; i++) {
		/* xorshift64* */
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		table[i] = (unsigned char)((x * 0x2545f4914f6cdd1du) >> 56);
	}
	for (size_t i = PERIOD; i < PERIOD + chunk_max; i++)
		table[i] = table[i - PERIOD];
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "connections", required_argument, NULL, 'c' },
		{ "pipeline", required_argument, NULL, 'P' },
		{ "size", required_argument, NULL, 'm' },
		{ "duration", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 'T' },
		{ "warmup", required_argument, NULL, 'W' },
		{ "batch", no_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t conns = 64, nthreads = 1, v;
	uint64_t msgs = 0, bytes = 0, sends = 0, mismatches = 0;
	double secs = 5, warmup = 0.5, t_stop = 0, window, t0;
	struct worker *ws;
	const char *err = NULL;
	bool json = false;
	int opt, e;

	while ((opt = getopt_long(argc, argv, "c:P:m:d:T:h", longopts, NULL)) !=
	       -1) {
		switch (opt) {
		case 'c':
			if (parse_count(optarg, 1, MAX_CONNS, false, &conns))
				goto bad;
			break;
		case 'P':
			if (parse_count(optarg, 1, MAX_INFLIGHT, false,
					&inflight))
				goto bad;
			break;
		case 'm':
			if (parse_count(optarg, 1, MAX_SIZE, true, &v))
				goto bad;
			msg_size = (size_t)v;
			break;
		case 'd':
			if (parse_double(optarg, 0.001, 86400, &secs))
				goto bad;
			break;
		case 'W':
			if (parse_double(optarg, 0, 86400, &warmup))
				goto bad;
			break;
		case 'T':
			if (parse_count(optarg, 1, MAX_THREADS, false,
					&nthreads))
				goto bad;
			break;
		case 'B':
			batch = true;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || parse_target(argv[optind]))
		goto bad;
	if (inflight * msg_size > MAX_INFLIGHT) {
		fprintf(stderr, "tcp-pattern: K * BYTES is over 1 GiB\n");
		return 2;
	}
	if (nthreads > conns)
		nthreads = conns;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(CONNECT_SECS + warmup + secs) + 10);
	raise_nofile(conns);

	chunk_max = msg_size > WCHUNK ? msg_size : WCHUNK;
	table = malloc(PERIOD + chunk_max);
	ws = calloc(nthreads, sizeof(*ws));
	if (!table || !ws) {
		fprintf(stderr, "tcp-pattern: out of memory\n");
		return 1;
	}
	make_table();
	for (uint64_t t = 0; t < nthreads; t++) {
		struct worker *w = &ws[t];

		/* connections t, t + T, t + 2T, ... */
		w->n = (size_t)((conns - t + nthreads - 1) / nthreads);
		w->cs = calloc(w->n, sizeof(*w->cs));
		w->rbuf = malloc(RBUF);
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		if (!w->cs || !w->rbuf || w->ep < 0) {
			perror("tcp-pattern");
			return 1;
		}
		for (size_t i = 0; i < w->n; i++) {
			uint64_t id = t + i * nthreads;

			w->cs[i].fd = -1;
			w->cs[i].seed = (uint32_t)((id * 7919u) % PERIOD);
		}
	}

	pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&go, NULL, (unsigned)nthreads + 1);
	t_connect_end = now_s() + CONNECT_SECS;
	for (uint64_t t = 0; t < nthreads; t++) {
		e = pthread_create(&ws[t].tid, NULL, worker_run, &ws[t]);
		if (e) {
			/* the barriers count on every thread: no way on */
			fprintf(stderr, "tcp-pattern: threads: %s\n",
				strerror(e));
			_exit(1);
		}
	}
	pthread_barrier_wait(&ready); /* all connected, or given up */
	t0 = now_s();
	t_measure = t0 + warmup;
	t_end = t_measure + secs;
	pthread_barrier_wait(&go);
	for (uint64_t t = 0; t < nthreads; t++) {
		struct worker *w = &ws[t];

		pthread_join(w->tid, NULL);
		msgs += w->msgs;
		bytes += w->bytes;
		sends += w->sends;
		mismatches += w->mismatches;
		if (w->t_stop > t_stop)
			t_stop = w->t_stop;
		if (!err && w->err[0])
			err = w->err;
	}
	window = (t_stop < t_end ? t_stop : t_end) - t_measure;
	if (window < 0)
		window = 0;
	if (!err && !atomic_load(&aborted) && !msgs)
		err = "no message came back in the measured time";

	if (json)
		printf("{\"msgs_per_s\":%.0f,\"mb_per_s\":%.3f,\"msgs\":%llu,"
		       "\"bytes\":%llu,\"secs\":%.3f,\"conns\":%llu,"
		       "\"inflight\":%llu,\"size\":%zu,\"threads\":%llu,"
		       "\"batch\":%s,\"sends\":%llu,\"mismatches\":%llu,"
		       "\"error\":%s%s%s}\n",
		       window > 0 ? (double)msgs / window : 0,
		       window > 0 ? (double)bytes / window / 1e6 : 0,
		       (unsigned long long)msgs, (unsigned long long)bytes,
		       window, (unsigned long long)conns,
		       (unsigned long long)inflight, msg_size,
		       (unsigned long long)nthreads, batch ? "true" : "false",
		       (unsigned long long)sends,
		       (unsigned long long)mismatches, err ? "\"" : "",
		       err ? err : "null", err ? "\"" : "");
	else
		printf("msgs/s=%.0f MB/s=%.3f msgs=%llu bytes=%llu secs=%.3f\n",
		       window > 0 ? (double)msgs / window : 0,
		       window > 0 ? (double)bytes / window / 1e6 : 0,
		       (unsigned long long)msgs, (unsigned long long)bytes,
		       window);
	fflush(stdout);
	if (err)
		fprintf(stderr, "tcp-pattern: %s\n", err);
	if (mismatches)
		fprintf(stderr, "tcp-pattern: %llu echoed bytes differ\n",
			(unsigned long long)mismatches);
	e = err || mismatches ? 1 : 0;
	for (uint64_t t = 0; t < nthreads; t++) {
		close(ws[t].ep);
		free(ws[t].cs);
		free(ws[t].rbuf);
	}
	free(ws);
	free(table);
	pthread_barrier_destroy(&ready);
	pthread_barrier_destroy(&go);
	return e;
bad:
	fprintf(stderr, "usage: tcp-pattern [options] [tcp://]HOST:PORT "
			"(-h for the options)\n");
	return 2;
}
