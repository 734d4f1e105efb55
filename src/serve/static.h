/*
 * serve --static DIR: plain HTTP files from one directory, next to the
 * WebSockets on the same port. Answers never name a file outside DIR:
 * ".." segments and symlinks that lead out of it are refused.
 */
#ifndef WSX_SERVE_STATIC_H
#define WSX_SERVE_STATIC_H

#include "proto/server.h"
#include "util/err.h"

struct wsx_static;

/* DIR must be a readable directory (else exit 2). */
struct wsx_static *wsx_static_new(const char *dir, struct wsx_err *err);
void wsx_static_free(struct wsx_static *st);
/* The answer to req: 200 with a file, 301 to "path/", 403, 404 or 405. */
void wsx_static_answer(const struct wsx_static *st,
		       const struct wsx_http_request *req,
		       struct wsx_http_answer *ans);
/* "text/html; charset=utf-8" for "index.html"; a default for the unknown. */
const char *wsx_content_type(const char *path);

#endif
