/* Files for serve --static; see static.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/static.h"
#include "util/xalloc.h"

struct wsx_static {
	char *root; /* the real path of DIR, no trailing slash */
	size_t root_len;
};

struct wsx_static *
wsx_static_new(const char *dir, struct wsx_err *err)
{
	struct wsx_static *st;
	struct stat sb;
	char *root = realpath(dir, NULL);

	if (!root || stat(root, &sb) || !S_ISDIR(sb.st_mode) ||
	    access(root, R_OK | X_OK)) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--static: '%.200s' is not a readable directory",
			    dir);
		free(root);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	/* "/" stays "/": then every real path is under it */
	st->root_len = strcmp(root, "/") ? strlen(root) : 0;
	st->root = root;
	return st;
}

void
wsx_static_free(struct wsx_static *st)
{
	if (!st)
		return;
	free(st->root);
	free(st);
}

static const struct {
	const char *ext, *type;
} static_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "xml", "application/xml" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "wasm", "application/wasm" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "pdf", "application/pdf" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "wav", "audio/wav" },
};

const char *
wsx_content_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');

	if (dot)
		for (size_t i = 0;
		     i < sizeof(static_types) / sizeof(static_types[0]); i++)
			if (!strcasecmp(dot + 1, static_types[i].ext))
				return static_types[i].type;
	return "application/octet-stream";
}

/* A ".." segment, or anything else a path in a URL has no business with. */
static bool
static_path_suspect(const char *path)
{
	if (path[0] != '/' || strchr(path, '\\'))
		return true;
	for (const char *seg = path; seg; seg = strchr(seg + 1, '/')) {
		size_t n = strcspn(seg + 1, "/");

		if (n == 2 && !strncmp(seg + 1, "..", 2))
			return true;
	}
	return false;
}

void
wsx_static_answer(const struct wsx_static *st,
		  const struct wsx_http_request *req,
		  struct wsx_http_answer *ans)
{
	char want[PATH_MAX + 16], *real;
	struct stat sb;
	size_t n;

	if (!*req->method) {
		ans->status = 405;
		return;
	}
	ans->status = 404;
	if (static_path_suspect(req->path))
		return;
	n = (size_t)snprintf(want, sizeof(want), "%s%s", st->root, req->path);
	if (n >= sizeof(want) - 16 || stat(want, &sb))
		return;
	if (S_ISDIR(sb.st_mode)) {
		if (req->path[strlen(req->path) - 1] != '/') {
			if (strlen(req->path) + 2 > sizeof(ans->location))
				return;
			snprintf(ans->location, sizeof(ans->location), "%s/",
				 req->path);
			ans->status = 301;
			return;
		}
		strcat(want, "index.html");
	}
	real = realpath(want, NULL);
	if (!real) {
		ans->status = errno == EACCES ? 403 : 404;
		return;
	}
	/* a symlink may lead out of the directory: refuse what lands outside */
	if (strncmp(real, st->root, st->root_len) ||
	    real[st->root_len] != '/') {
		ans->status = 403;
	} else if (stat(real, &sb) || !S_ISREG(sb.st_mode)) {
		ans->status = 404;
	} else if (access(real, R_OK) || strlen(real) >= sizeof(ans->file)) {
		ans->status = 403;
	} else {
		ans->status = 200;
		strcpy(ans->file, real);
		ans->content_type = wsx_content_type(real);
	}
	free(real);
}
