/*
 * The line editor: GNU readline in callback mode on the wsx event loop (fd 0
 * is watched like any other fd; no thread, no blocking read), tab
 * completion of slash commands (and of file names after /file), and output
 * printed above the prompt without disturbing the line being typed.
 * Readline's state is process-wide: one editor at a time.
 *
 * Everything the editor and readline show goes through one wsx_output
 * queue, in order: a slow or stopped terminal delays what is shown but
 * loses none of it and never blocks the loop.
 */
#ifndef WSX_TERM_EDITOR_H
#define WSX_TERM_EDITOR_H

#include <stdio.h>

#include "io/output.h"
#include "proto/loop.h"
#include "util/err.h"

struct term_editor;

struct term_editor_ops {
	/* A line was entered; it is freed when this returns. */
	void (*on_line)(const char *line, void *arg);
	/* Ctrl-D on an empty line: the editor is stopped already. */
	void (*on_eof)(void *arg);
};

/* Start editing on the terminal at fds 0 and 1 with this prompt, showing
 * everything through out (which must outlive the editor). */
struct term_editor *term_editor_new(struct wsx_loop *loop, const char *prompt,
				    struct wsx_output *out,
				    const struct term_editor_ops *ops,
				    void *arg, struct wsx_err *err);
/* Restore the terminal and stop reading. NULL is fine. */
void term_editor_free(struct term_editor *e);
/* Stop reading and restore the terminal, keeping e for term_editor_print. */
void term_editor_stop(struct term_editor *e);
/*
 * Queue len bytes of whole lines (each ending in a newline) for fd, above
 * the prompt; the prompt and the half-typed line are drawn again below
 * them. Returns wsx_output_write()'s answer (1: pause the producer).
 */
int term_editor_print(struct term_editor *e, enum wsx_output_fd fd,
		      const char *text, size_t len);
/* Ctrl-C: show ^C, drop the line being typed and start a fresh one. */
void term_editor_cancel_line(struct term_editor *e);

#endif
