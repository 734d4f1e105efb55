/*
 * serve --broadcast --redis: rooms shared by every wsx serve started with
 * the same Redis, through its pub/sub. A room is the channel
 * PREFIX:room:PATH. Each instance publishes what its clients send, in an
 * envelope that names the instance (so it skips its own messages when
 * they come back: it delivered them already) and the message's type; and
 * subscribes to the channels of the rooms it has clients in. Messages
 * other publishers put on a room's channel (redis-cli PUBLISH) reach its
 * clients too: as text when they are UTF-8, else binary.
 *
 * Two connections, since a subscribing one can do nothing else. When
 * Redis goes away rooms stay local, what is sent meanwhile is counted, and
 * both connections come back by themselves. Like Redis pub/sub itself,
 * delivery to other instances is at most once.
 */
#ifndef WSX_SERVE_REDIS_ROOMS_H
#define WSX_SERVE_REDIS_ROOMS_H

#include <stddef.h>

#include "proto/loop.h"
#include "serve/broadcast.h"
#include "serve/redis_url.h"
#include "util/err.h"

#define WSX_REDIS_DEFAULT_PREFIX "wsx"
/* bytes waiting for Redis beyond which messages stay local (or one
 * --max-message, when that is more) */
#define WSX_REDIS_MAX_PENDING (64u << 20)

struct wsx_redis_rooms;

/* Resolves the host now (exit 1 when it cannot), then connects in the
 * background: rooms are local until Redis answers. */
struct wsx_redis_rooms *
wsx_redis_rooms_new(struct wsx_loop *loop, const struct wsx_redis_url *url,
		    const char *prefix, size_t max_message,
		    struct wsx_broadcast *b, struct wsx_err *err);
void wsx_redis_rooms_free(struct wsx_redis_rooms *r);

#endif
