/*
 * serve --redis URL: redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] (HOST may be
 * a bracketed IPv6 address; USER and PASSWORD may be percent-encoded) or
 * unix:/path/to/redis.sock. Plain parsing, no connection.
 */
#ifndef WSX_SERVE_REDIS_URL_H
#define WSX_SERVE_REDIS_URL_H

#include <stdbool.h>

#include "util/err.h"

#define WSX_REDIS_DEFAULT_PORT 6379

struct wsx_redis_url {
	char host[256];	     /* without brackets; "" with unix_path */
	unsigned port;	     /* 6379 unless given */
	char unix_path[108]; /* unix:PATH, else "" */
	char user[128];	     /* decoded; "" for AUTH PASSWORD alone */
	char pass[256];	     /* decoded; "" for no AUTH */
	bool has_pass;
	long db; /* SELECT DB; -1: none given */
	/* for logs and errors: the URL with the password as "***" */
	char shown[512];
};

/* On failure err quotes the URL (password hidden) and says why (exit 2). */
int wsx_redis_url_parse(struct wsx_redis_url *u, const char *s,
			struct wsx_err *err);

/* Overwrite the password in s (a command-line argument) with '*'. */
void wsx_redis_url_scrub(char *s);

#endif
