/* Persistent history; see history.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>

#include "term/history.h"
#include "util/xalloc.h"

size_t
term_history_path(char *out, size_t size, const char *xdg_state_home,
		  const char *home)
{
	int n;

	if (xdg_state_home && xdg_state_home[0] == '/')
		n = snprintf(out, size, "%s/wsx/history", xdg_state_home);
	else if (home && home[0] == '/')
		n = snprintf(out, size, "%s/.local/state/wsx/history", home);
	else
		return 0;
	if (n < 0 || (size_t)n >= size)
		return 0;
	return (size_t)n;
}

/* mkdir -p of the directories above path, private to the user. */
static int
history_make_dirs(const char *path)
{
	char dir[4096];
	size_t n = strlen(path);

	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, path, n + 1);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int
term_history_open(struct term_history *h, const char *path, int cap,
		  struct wsx_err *err)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->cap = cap;
	using_history();
	stifle_history(cap);
	if (!path)
		return 0;
	if (history_make_dirs(path))
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "cannot make the directory for '%s': %s; "
				   "history is not kept",
				   path, strerror(errno));
	rc = read_history(path);
	if (rc && rc != ENOENT)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "cannot read history '%s': %s", path,
				   strerror(rc));
	h->path = xstrdup(path);
	return 0;
}

void
term_history_add(struct term_history *h, const char *line)
{
	HIST_ENTRY *last;

	if (!*line)
		return;
	last = history_length ? history_get(history_base + history_length - 1)
			      : NULL;
	if (last && !strcmp(last->line, line))
		return;
	add_history(line);
	if (!h->path)
		return;
	if (append_history(1, h->path) == ENOENT && !write_history(h->path))
		chmod(h->path, 0600); /* what people type may be secret */
	/* trim now and then, not at every line */
	if (++h->added >= 100) {
		history_truncate_file(h->path, h->cap);
		h->added = 0;
	}
}

void
term_history_close(struct term_history *h)
{
	if (h->path && h->added)
		history_truncate_file(h->path, h->cap);
	clear_history();
	free(h->path);
	h->path = NULL;
}
