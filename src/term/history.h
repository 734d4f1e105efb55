/*
 * Persistent line history for the interactive session, in
 * $XDG_STATE_HOME/wsx/history (or ~/.local/state/wsx/history), capped.
 * Readline's history list is process-wide, so there is one at a time.
 */
#ifndef WSX_TERM_HISTORY_H
#define WSX_TERM_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define TERM_HISTORY_CAP 1000

struct term_history {
	char *path; /* NULL: in memory only (--no-history, or no home) */
	int cap;
	int added; /* lines appended since the file was last trimmed */
};

/*
 * The history file for these environment values (either may be NULL or
 * empty; a relative XDG_STATE_HOME is ignored, as the spec says). Returns
 * the length written, or 0 when there is nowhere to keep history.
 */
size_t term_history_path(char *out, size_t size, const char *xdg_state_home,
			 const char *home);
/* Start the history list; with path, load it (making its directory). A
 * file that cannot be read or made is reported in err, and history stays in
 * memory: -1 is a warning, not a failure. */
int term_history_open(struct term_history *h, const char *path, int cap,
		      struct wsx_err *err);
/* Remember a line typed (not empty, not a repeat of the last one). */
void term_history_add(struct term_history *h, const char *line);
void term_history_close(struct term_history *h);

#endif
