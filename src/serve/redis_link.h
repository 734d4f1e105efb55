/*
 * One connection to Redis on wsx's event loop: hiredis' asynchronous API,
 * its socket watched by proto/fdwatch (no thread, no second loop). It
 * connects, says AUTH and SELECT as the URL asks, reports when it is ready
 * and when it is lost, and reconnects with the backoff relay --reconnect
 * uses, for as long as it lives.
 */
#ifndef WSX_SERVE_REDIS_LINK_H
#define WSX_SERVE_REDIS_LINK_H

#include <hiredis/async.h>
#include <stdbool.h>

#include "proto/loop.h"
#include "serve/redis_url.h"

/* a connection attempt, AUTH and SELECT included, takes at most this */
#define WSX_REDIS_CONNECT_TIMEOUT_US (5 * 1000000ull)

struct wsx_redis_link;

struct wsx_redis_link_ops {
	/* Connected and ready for commands on ac. */
	void (*on_up)(struct wsx_redis_link *l, redisAsyncContext *ac,
		      void *arg);
	/* Lost, or an attempt failed (why says how); a new attempt is
	 * scheduled. Commands pending on the connection were called back
	 * with a NULL reply before this. */
	void (*on_down)(struct wsx_redis_link *l, const char *why, void *arg);
};

/*
 * addrs: the addresses HOST resolved to (numeric), n_addrs of them; tried
 * in turn, one per attempt. The URL and addresses must outlive the link.
 */
struct wsx_redis_link *wsx_redis_link_new(struct wsx_loop *loop,
					  const struct wsx_redis_url *url,
					  char *const *addrs, size_t n_addrs,
					  const struct wsx_redis_link_ops *ops,
					  void *arg);
/* The first attempt, now. */
void wsx_redis_link_start(struct wsx_redis_link *l);
/* The connection while it is up, else NULL. */
redisAsyncContext *wsx_redis_link_ctx(const struct wsx_redis_link *l);
/* The arg of the link whose connection ac is (in a command's callback). */
void *wsx_redis_link_owner(const redisAsyncContext *ac);
/* Disconnect (pending commands are called back with NULL) and free. */
void wsx_redis_link_free(struct wsx_redis_link *l);

#endif
