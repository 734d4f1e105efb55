/*
 * Sockets of our own for byte-stream endpoints: TCP and unix stream
 * clients (connecting without blocking) and listeners.
 */
#ifndef WSX_IO_NET_H
#define WSX_IO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/*
 * Start connecting: a non-blocking socket, connected or connecting (wait
 * for it to be writable, then ask wsx_net_connected()). A refusal seen at
 * once is exit 3; an unknown host, exit 3 too.
 */
int wsx_net_connect_tcp(const char *host, unsigned port, struct wsx_err *err);
int wsx_net_connect_unix(const char *path, struct wsx_err *err);
/* After writable: 0 when connected, else -1 with err naming the peer. */
int wsx_net_connected(int fd, const char *peer, struct wsx_err *err);
/* Connect and wait up to timeout_us: a connected blocking-free socket. */
int wsx_net_connect_wait(int fd, const char *peer, uint64_t timeout_us,
			 struct wsx_err *err);
/*
 * Listening sockets, non-blocking; port 0 picks one (*bound says which).
 * reuseport: several may listen on the port, the kernel spreading the
 * connections (serve --threads).
 */
int wsx_net_listen_tcp(const char *host, unsigned port, bool reuseport,
		       unsigned *bound, struct wsx_err *err);
int wsx_net_listen_unix(const char *path, struct wsx_err *err);
/* Accept one: the new non-blocking socket, or -1 (nothing pending). */
int wsx_net_accept(int lfd, char *peer, size_t peersz);

#endif
