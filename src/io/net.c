/* Sockets for byte-stream endpoints; see net.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "io/net.h"

static int
net_addr(const char *host, unsigned port, bool passive, struct addrinfo **res,
	 struct wsx_err *err)
{
	struct addrinfo hints;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, res);
	if (rc)
		return wsx_err_set(
			err, passive ? WSX_EXIT_USAGE : WSX_EXIT_CONNECT,
			"cannot resolve '%.100s': %s", host, gai_strerror(rc));
	return 0;
}

static int
net_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int
wsx_net_connect_tcp(const char *host, unsigned port, struct wsx_err *err)
{
	struct addrinfo *res, *ai;
	int fd = -1, one = 1, saved = 0;

	if (net_addr(host, port, false, &res, err))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = net_socket(ai->ai_family);
		if (fd < 0)
			continue;
		if (!connect(fd, ai->ai_addr, ai->ai_addrlen) ||
		    errno == EINPROGRESS)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return wsx_err_set(err, WSX_EXIT_CONNECT,
				   "could not connect to %s:%u: %s", host, port,
				   strerror(saved ? saved : errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static int
net_unix_addr(const char *path, struct sockaddr_un *sa, struct wsx_err *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "socket path too long: '%.100s'", path);
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

int
wsx_net_connect_unix(const char *path, struct wsx_err *err)
{
	struct sockaddr_un sa;
	int fd;

	if (net_unix_addr(path, &sa, err))
		return -1;
	fd = net_socket(AF_UNIX);
	if (fd < 0)
		return wsx_err_set(err, WSX_EXIT_FAIL, "socket: %s",
				   strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    errno != EINPROGRESS && errno != EAGAIN) {
		int saved = errno;

		close(fd);
		return wsx_err_set(err, WSX_EXIT_CONNECT,
				   "could not connect to %s: %s", path,
				   strerror(saved));
	}
	return fd;
}

int
wsx_net_connected(int fd, const char *peer, struct wsx_err *err)
{
	int e = 0;
	socklen_t len = sizeof(e);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len))
		e = errno;
	if (!e)
		return 0;
	return wsx_err_set(err, WSX_EXIT_CONNECT, "could not connect to %s: %s",
			   peer, strerror(e));
}

int
wsx_net_connect_wait(int fd, const char *peer, uint64_t timeout_us,
		     struct wsx_err *err)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int rc;

	do
		rc = poll(&p, 1, (int)(timeout_us / 1000));
	while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return wsx_err_set(err, WSX_EXIT_CONNECT,
				   "could not connect to %s: timed out", peer);
	return wsx_net_connected(fd, peer, err);
}

int
wsx_net_listen_tcp(const char *host, unsigned port, bool reuseport,
		   unsigned *bound, struct wsx_err *err)
{
	struct addrinfo *res;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd, one = 1;

	if (net_addr(host, port, true, &res, err))
		return -1;
	fd = net_socket(res->ai_family);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (reuseport &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 512)) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "cannot listen on %s port %u: %s", host,
				   port, strerror(saved));
	}
	freeaddrinfo(res);
	*bound = port;
	if (!getsockname(fd, (struct sockaddr *)&ss, &len))
		*bound = ntohs(ss.ss_family == AF_INET6
				       ? ((struct sockaddr_in6 *)&ss)->sin6_port
				       : ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

int
wsx_net_listen_unix(const char *path, struct wsx_err *err)
{
	struct sockaddr_un sa;
	int fd;

	if (net_unix_addr(path, &sa, err))
		return -1;
	fd = net_socket(AF_UNIX);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 512)) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "cannot listen on %s: %s", path,
				   strerror(saved));
	}
	return fd;
}

int
wsx_net_accept(int lfd, char *peer, size_t peersz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN], port[8];
	int fd, one = 1;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	snprintf(peer, peersz, "local");
	if (ss.ss_family == AF_UNIX)
		return fd;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
			 sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) {
		/* an IPv4 client of a dual-stack listener, as itself */
		if (!strncmp(host, "::ffff:", 7) && strchr(host, '.'))
			memmove(host, host + 7, strlen(host + 7) + 1);
		snprintf(peer, peersz, strchr(host, ':') ? "[%s]:%s" : "%s:%s",
			 host, port);
	}
	return fd;
}
