/*
 * serve's log of what clients did: a line per connection opened and
 * closed and per plain HTTP request, on stderr, as text ("wsx: open ...")
 * or with --log-json as one JSON object per line.
 */
#ifndef WSX_SERVE_ACCESSLOG_H
#define WSX_SERVE_ACCESSLOG_H

#include <stdbool.h>

#include "proto/conn.h"
#include "proto/server.h"

void wsx_accesslog_json(bool on);
void wsx_accesslog_listening(const char *url);
void wsx_accesslog_open(const struct wsx_conn_info *i);
void wsx_accesslog_close(const struct wsx_conn_info *i,
			 const struct wsx_close *cl);
/* serve --redis: rooms shared through Redis, or not */
enum wsx_redis_state {
	WSX_REDIS_UP,	     /* both connections ready: rooms are shared */
	WSX_REDIS_DOWN,	     /* a connection is lost: rooms are local */
	WSX_REDIS_BEHIND,    /* too much waits for Redis: new messages local */
	WSX_REDIS_CAUGHT_UP, /* it took what waited: shared again */
};

struct wsx_redis_event {
	enum wsx_redis_state state;
	const char *url;	 /* password hidden */
	const char *prefix;	 /* the channels' names start with it */
	const char *error;	 /* DOWN: why */
	bool first;		 /* UP, DOWN: rooms were never shared yet */
	double away_s;		 /* UP again: since they stopped being shared */
	unsigned long long lost; /* UP, CAUGHT_UP: messages meanwhile that
				    reached this instance's clients only */
};

void wsx_accesslog_redis(const struct wsx_redis_event *e);
void wsx_accesslog_http(const struct wsx_http_request *req, unsigned status);

#endif
