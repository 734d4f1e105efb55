/*
 * The line editor; see editor.h. Readline's callbacks take no argument, so
 * the one live editor is found through editor_current: readline's own
 * state is global anyway.
 *
 * Readline writes to rl_outstream, which it assumes blocks: on a stopped
 * terminal the whole loop would stop with it, signals and all. So
 * rl_outstream is a stdio stream of our own (fopencookie, unbuffered)
 * whose writes join the output queue: the prompt, echo and redisplay stay
 * in order with the messages shown, and nothing here ever waits for the
 * terminal.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>

#include "proto/fdwatch.h"
#include "term/editor.h"
#include "term/slash.h"
#include "util/xalloc.h"

struct term_editor {
	struct wsx_fdw *in;
	struct wsx_output *out;
	FILE *rl_out; /* rl_outstream while we edit: writes to out */
	const struct term_editor_ops *ops;
	void *arg;
	char *prompt;
	bool active;  /* the readline handler is installed */
	bool in_line; /* inside on_line: the prompt line is finished */
	unsigned char keys[256]; /* read from the terminal, for readline */
	size_t n_keys, key_pos;
	bool keys_ended; /* the terminal hung up */
};

static struct term_editor *editor_current;

static ssize_t
editor_rl_write(void *cookie, const char *buf, size_t size)
{
	struct term_editor *e = cookie;

	(void)wsx_output_write(e->out, WSX_OUT_STDOUT, buf, size);
	return (ssize_t)size;
}

static const cookie_io_functions_t editor_rl_io = {
	.write = editor_rl_write,
};

/*
 * Keys. Readline would read them itself, with a blocking read() after
 * pselect(); but what poll() saw can be gone by then (Ctrl-C flushes the
 * terminal's input queue), and that read() then stopped the whole loop
 * until the next key. So the loop reads what is there, without blocking,
 * and readline's getc is handed those bytes one by one.
 */
static int
editor_getc(FILE *in)
{
	struct term_editor *e = editor_current;
	struct pollfd p = { .fd = fileno(in), .events = POLLIN };
	unsigned char c;

	if (e && e->key_pos < e->n_keys)
		return e->keys[e->key_pos++];
	if (!e || e->keys_ended)
		return EOF;
	/* readline wants more than had arrived: the rest of a character or
	 * key sequence, on its way; if it does not come, C-@ (set-mark)
	 * does nothing visible */
	if (poll(&p, 1, 1000) > 0 && read(p.fd, &c, 1) == 1)
		return c;
	return 0;
}

static int
editor_input_available(void)
{
	struct term_editor *e = editor_current;

	return e && e->key_pos < e->n_keys;
}

static void
editor_line(char *line)
{
	struct term_editor *e = editor_current;

	if (!e) {
		free(line);
		return;
	}
	if (!line) {
		/* Ctrl-D: readline has ended the prompt line itself */
		e->in_line = true;
		term_editor_stop(e);
		e->in_line = false;
		e->ops->on_eof(e->arg);
		return;
	}
	e->in_line = true;
	e->ops->on_line(line, e->arg);
	e->in_line = false;
	free(line);
}

static void
editor_readable(struct wsx_fdw *w, int fd, void *arg)
{
	struct term_editor *e = arg;
	ssize_t n;

	(void)fd;
	if (!e->active)
		return;
	n = wsx_fdw_read(w, e->keys, sizeof(e->keys));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	e->n_keys = n > 0 ? (size_t)n : 0;
	e->key_pos = 0;
	if (n <= 0) { /* hung up: readline reports the end of input */
		e->keys_ended = true;
		rl_callback_read_char();
		return;
	}
	while (e->active && e->key_pos < e->n_keys) {
		size_t before = e->key_pos;

		rl_callback_read_char();
		if (e->key_pos == before)
			break; /* readline took no key: never spin */
	}
}

static const struct wsx_fdw_ops editor_fd_ops = {
	.on_readable = editor_readable,
};

/* Completion: slash command names for the first word, files after /file. */
static char *
editor_command_names(const char *text, int state)
{
	static size_t next;
	size_t n = strlen(text);

	if (!state)
		next = 0;
	while (slash_commands[next].name) {
		const char *name = slash_commands[next++].name;

		if (!strncmp(name, text, n))
			return xstrdup(name);
	}
	return NULL;
}

/*
 * Readline gives the terminal back to cooked mode once a line is finished
 * and takes it again for the next prompt. A key that arrives in between is
 * cooked by the terminal: a Ctrl-D typed right after Enter becomes the
 * terminal's end of file and reaches readline as a NUL, and the session
 * never closes. So the terminal stays ours from line to line (rl_done: a
 * line was just finished) and term_editor_stop gives it back.
 */
static void
editor_deprep(void)
{
	if (rl_done)
		return;
	rl_deprep_terminal();
}

static char **
editor_complete(const char *text, int start, int end)
{
	(void)end;
	rl_attempted_completion_over = 1;
	if (start == 0 && text[0] == '/')
		return rl_completion_matches(text, editor_command_names);
	if (start > 0 && !strncmp(rl_line_buffer, "/file ", 6)) {
		/*
		 * No space after a completed name (a directory still gets its
		 * '/'): the path is the rest of the line, and Enter should
		 * send the file just completed.
		 */
		rl_completion_append_character = '\0';
		return rl_completion_matches(text,
					     rl_filename_completion_function);
	}
	return NULL;
}

struct term_editor *
term_editor_new(struct wsx_loop *loop, const char *prompt,
		struct wsx_output *out, const struct term_editor_ops *ops,
		void *arg, struct wsx_err *err)
{
	struct term_editor *e = xcalloc(1, sizeof(*e));

	e->out = out;
	e->rl_out = fopencookie(e, "w", editor_rl_io);
	if (!e->rl_out)
		abort(); /* out of memory */
	setvbuf(e->rl_out, NULL, _IONBF, 0);
	e->ops = ops;
	e->arg = arg;
	e->prompt = xstrdup(prompt);
	e->in = wsx_fdw_new(loop, STDIN_FILENO, true, &editor_fd_ops, e, err);
	if (!e->in) {
		fclose(e->rl_out);
		free(e->prompt);
		free(e);
		return NULL;
	}
	editor_current = e;
	/* SIGINT stays with the loop; readline must not take it */
	rl_catch_signals = 0;
	rl_change_environment = 0;
	rl_readline_name = "wsx";
	rl_attempted_completion_function = editor_complete;
	rl_completer_word_break_characters = (char *)" \t";
	rl_outstream = e->rl_out;
	rl_getc_function = editor_getc;
	rl_input_available_hook = editor_input_available;
	rl_deprep_term_function = editor_deprep;
	rl_callback_handler_install(e->prompt, editor_line);
	e->active = true;
	return e;
}

void
term_editor_stop(struct term_editor *e)
{
	if (!e || !e->active)
		return;
	e->active = false;
	/* leave the half-typed line on screen and the cursor below it */
	if (!e->in_line)
		rl_crlf();
	fflush(rl_outstream);
	rl_callback_handler_remove();
	rl_deprep_terminal(); /* when stopped from on_line: see editor_deprep */
	wsx_fdw_free(e->in);
	e->in = NULL;
}

void
term_editor_free(struct term_editor *e)
{
	if (!e)
		return;
	term_editor_stop(e);
	if (editor_current == e)
		editor_current = NULL;
	if (rl_outstream == e->rl_out)
		rl_outstream = stdout;
	fclose(e->rl_out);
	free(e->prompt);
	free(e);
}

int
term_editor_print(struct term_editor *e, enum wsx_output_fd fd,
		  const char *text, size_t len)
{
	int full;

	if (!e->active || e->in_line)
		return wsx_output_write(e->out, fd, text, len);
	rl_clear_visible_line();
	full = wsx_output_write(e->out, fd, text, len);
	rl_forced_update_display();
	return full;
}

void
term_editor_cancel_line(struct term_editor *e)
{
	if (!e || !e->active)
		return;
	rl_point = rl_end;
	rl_redisplay();
	fputs("^C", rl_outstream);
	rl_crlf();
	rl_replace_line("", 0);
	rl_on_new_line();
	rl_redisplay();
}
