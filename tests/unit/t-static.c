#include "config.h"
/* serve/static: what a request path maps to, and what never escapes DIR. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve/static.h"
#include "tap.h"

static char root[64];

static void
put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void
answer(const struct wsx_static *st, const char *method, const char *path,
       unsigned status, const char *file_end)
{
	struct wsx_http_request req = { .method = method,
					.path = path,
					.peer = "test" };
	struct wsx_http_answer ans = { .status = 0 };

	wsx_static_answer(st, &req, &ans);
	is_int((int)ans.status, (int)status, "%s %s: %u", method, path, status);
	if (file_end) {
		size_t n = strlen(ans.file), m = strlen(file_end);

		ok(ans.status == 200 && n >= m &&
			   !strcmp(ans.file + n - m, file_end),
		   "%s %s: sends ...%s", method, path, file_end);
	}
}

int
main(void)
{
	struct wsx_err err = { 0, "" };
	struct wsx_http_request req = { .method = "GET",
					.path = "/sub",
					.peer = "test" };
	struct wsx_http_answer ans = { .status = 0 };
	struct wsx_static *st;
	char path[256];

	snprintf(root, sizeof(root), "/tmp/t-static.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	snprintf(path, sizeof(path), "%s/www", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/www/sub", root);
	mkdir(path, 0755);
	put("www/index.html", "home");
	put("www/sub/a.js", "js");
	put("secret.txt", "secret");
	snprintf(path, sizeof(path), "%s/www/out.txt", root);
	if (symlink("../secret.txt", path))
		return 1;
	snprintf(path, sizeof(path), "%s/www/in.js", root);
	if (symlink("sub/a.js", path))
		return 1;

	is_str(wsx_content_type("/a/b.HTML"), "text/html; charset=utf-8",
	       "content type by extension, any case");
	is_str(wsx_content_type("/x.wasm"), "application/wasm", ".wasm");
	is_str(wsx_content_type("/dir.d/file"), "application/octet-stream",
	       "a dot in a directory name is not an extension");

	snprintf(path, sizeof(path), "%s/nope", root);
	ok(!wsx_static_new(path, &err) && err.code == 2,
	   "a missing directory is a usage error");
	snprintf(path, sizeof(path), "%s/secret.txt", root);
	ok(!wsx_static_new(path, &err) && err.code == 2,
	   "a file is not a directory");

	snprintf(path, sizeof(path), "%s/www", root);
	st = wsx_static_new(path, &err);
	if (!ok(st != NULL, "a directory is taken"))
		return done_testing();
	answer(st, "GET", "/", 200, "/www/index.html");
	answer(st, "HEAD", "/index.html", 200, "/www/index.html");
	answer(st, "GET", "/sub/a.js", 200, "/www/sub/a.js");
	answer(st, "GET", "/in.js", 200, "/www/sub/a.js");
	answer(st, "GET", "/sub/", 404, NULL);
	answer(st, "GET", "/missing", 404, NULL);
	answer(st, "GET", "/out.txt", 403, NULL);
	answer(st, "GET", "/../secret.txt", 404, NULL);
	answer(st, "GET", "/sub/../../secret.txt", 404, NULL);
	answer(st, "GET", "/..", 404, NULL);
	answer(st, "GET", "..", 404, NULL);
	answer(st, "GET", "/sub\\..\\..\\secret.txt", 404, NULL);
	answer(st, "", "/", 405, NULL);
	wsx_static_answer(st, &req, &ans);
	is_int((int)ans.status, 301, "a directory without its slash: 301");
	is_str(ans.location, "/sub/", "... to the path with the slash");
	wsx_static_free(st);

	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	if (system(path))
		diag("could not remove %s", root);
	return done_testing();
}
