/*
 * wsx connect URL: the interactive client. On a terminal, a readline prompt
 * whose lines are sent as text messages, slash commands, and received
 * messages printed above the prompt. With -x, messages from the command
 * line. With stdin not a terminal, it is `wsx pipe`.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <readline/tilde.h>

#include "cmd/pipe.h"
#include "io/output.h"
#include "relay/reconnect.h"
#include "proto/loop.h"
#include "term/editor.h"
#include "term/history.h"
#include "term/render.h"
#include "term/slash.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define C_MARK "\033[1m"
#define C_INFO "\033[2m"

struct connect_opts {
	const char *url; /* -c URL, wscat's spelling */
	char **execute;
	size_t n_execute;
	bool show_ping_pong;
	bool timestamps;
	bool no_history;
	bool no_color;
};

struct session {
	const struct wsx_cmd *cmd;
	const struct connect_opts *opts;
	const struct pipe_opts *popts;
	const struct wsx_conn_limits *lim;
	const char *url;
	struct wsx_loop *loop;
	struct wsx_client *client;
	struct wsx_conn *conn; /* NULL between attempts and at the end */
	bool open;
	struct term_editor *ed; /* NULL with -x */
	struct term_history hist;
	struct reconnect rc;
	struct wsx_timer *wait;	   /* -x: close once -w has passed */
	struct wsx_timer *grace;   /* after a signal: the most we wait */
	struct wsx_output *output; /* stdout and stderr, in order */
	struct wsx_buf out;	   /* one rendered message */
	bool tty;		   /* stdout is a terminal */
	bool colour, json, hex, timestamps, quiet;
	unsigned long hidden; /* messages not shown while quiet */
	bool ping_asked;      /* a /ping waits for its pong */
	bool closing;	      /* we asked for the close */
	bool interrupted;     /* SIGTERM or Ctrl-C twice: closing with 1001 */
	bool finishing;	      /* closed: exit once the output is out */
	bool rx_paused;	      /* the output is over budget */
	int interrupts;	      /* Ctrl-C since the last line */
	int status;
};

enum {
	OPT_TIMESTAMPS = WSX_OPTKEY_CMD,
	OPT_NO_HISTORY,
	OPT_NO_COLOR,
};

static const struct wsx_opt connect_optv[] = {
	{ 'c', "connect", "URL", "the URL, as wscat -c takes it" },
	{ 'x', "execute", "MSG",
	  "send MSG (repeatable), wait -w SECS (2), close" },
	{ 'P', "show-ping-pong", NULL, "show pings received and every pong" },
	{ OPT_TIMESTAMPS, "timestamps", NULL, "time of day before messages" },
	{ OPT_NO_HISTORY, "no-history", NULL, "keep no history file" },
	{ OPT_NO_COLOR, "no-color", NULL,
	  "no colour (also when NO_COLOR is set)" },
	{ 0 },
};

static int
connect_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
		struct wsx_err *err)
{
	struct connect_opts *o = target;

	(void)err;
	switch (opt->key) {
	case 'c':
		o->url = arg;
		break;
	case 'x':
		o->execute = xrealloc(o->execute,
				      (o->n_execute + 1) * sizeof(char *));
		o->execute[o->n_execute++] = (char *)arg;
		break;
	case 'P':
		o->show_ping_pong = true;
		break;
	case OPT_TIMESTAMPS:
		o->timestamps = true;
		break;
	case OPT_NO_HISTORY:
		o->no_history = true;
		break;
	case OPT_NO_COLOR:
		o->no_color = true;
		break;
	}
	return 0;
}

static const struct wsx_optgroup connect_group = {
	.title = "Session options",
	.opts = connect_optv,
	.set = connect_opt_set,
};

/* Output: everything goes above the prompt. */

/* Queue whole lines for fd; over the budget, stop reading the peer. */
static void
session_write(struct session *s, enum wsx_output_fd fd, const char *data,
	      size_t len)
{
	int full = s->ed ? term_editor_print(s->ed, fd, data, len)
			 : wsx_output_write(s->output, fd, data, len);

	if (full && s->conn && !s->rx_paused) {
		s->rx_paused = true;
		wsx_conn_pause(s->conn, true);
	}
}

/* text and a newline */
static void
session_print(struct session *s, enum wsx_output_fd fd, const char *text)
{
	char line[1024];
	size_t n = strlen(text);

	if (n < sizeof(line)) {
		memcpy(line, text, n);
		line[n] = '\n';
		session_write(s, fd, line, n + 1);
		return;
	}
	wsx_buf_clear(&s->out);
	(void)wsx_buf_append(&s->out, text, n);
	(void)wsx_buf_append(&s->out, "\n", 1);
	session_write(s, fd, (const char *)wsx_buf_data(&s->out), s->out.len);
}

static void
session_log_sink(const char *line, void *arg)
{
	struct session *s = arg;

	session_print(s, WSX_OUT_STDERR, line);
}

static void session_say(struct session *s, const char *fmt, ...)
	WSX_PRINTF(2, 3);

/* A status line of ours on stderr, like every diagnostic. */
static void
session_say(struct session *s, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	memcpy(line, "wsx: ", 5);
	va_start(ap, fmt);
	vsnprintf(line + 5, sizeof(line) - 5, fmt, ap);
	va_end(ap);
	session_print(s, WSX_OUT_STDERR, line);
}

static void
put(struct wsx_buf *b, const char *str)
{
	(void)wsx_buf_append(b, str, strlen(str));
}

/* "12:34:56.789 " when timestamps are on */
static void
session_stamp(struct session *s, char *indent, size_t size)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	indent[0] = '\0';
	if (!s->timestamps)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	snprintf(stamp + strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm),
		 sizeof(stamp) - 8, ".%03ld ", ts.tv_nsec / 1000000);
	if (s->colour)
		put(&s->out, C_INFO);
	put(&s->out, stamp);
	if (s->colour)
		put(&s->out, RENDER_C_RESET);
	snprintf(indent, size, "%*s", (int)strlen(stamp), "");
}

/* The start of a line shown: time, then a direction mark. */
static void
session_begin(struct session *s, const char *mark, char *indent, size_t size)
{
	size_t n;

	wsx_buf_clear(&s->out);
	session_stamp(s, indent, size);
	if (s->colour)
		put(&s->out, C_MARK);
	put(&s->out, mark);
	if (s->colour)
		put(&s->out, RENDER_C_RESET);
	put(&s->out, " ");
	n = strlen(indent);
	snprintf(indent + n, size - n, "  ");
}

static void
session_flush(struct session *s)
{
	(void)wsx_buf_append(&s->out, "\n", 1);
	session_write(s, WSX_OUT_STDOUT, (const char *)wsx_buf_data(&s->out),
		      s->out.len);
}

static void
session_show_message(struct session *s, const struct wsx_msg *m)
{
	char indent[64];

	session_begin(s, "<", indent, sizeof(indent));
	if (m->type == WSX_MSG_TEXT) {
		if (!s->json || !render_json(&s->out, (const char *)m->data,
					     m->len, s->colour, indent))
			render_text(&s->out, m->data, m->len, s->colour,
				    indent);
	} else if (s->hex) {
		render_hexdump(&s->out, m->data, m->len, indent);
	} else {
		char what[48];

		snprintf(what, sizeof(what), "(binary, %zu bytes) ", m->len);
		put(&s->out, what);
		render_text(&s->out, m->data, m->len, s->colour, indent);
	}
	session_flush(s);
}

/* -x without a terminal: the payload alone, one message a line. */
static void
session_write_raw(struct session *s, const struct wsx_msg *m)
{
	wsx_buf_clear(&s->out);
	(void)wsx_buf_append(&s->out, m->data, m->len);
	session_flush(s);
}

/* Sending */

static bool
session_can_send(struct session *s)
{
	if (s->conn && s->open && !s->closing)
		return true;
	session_say(s, "not connected: nothing sent");
	return false;
}

static void
session_send(struct session *s, enum wsx_msg_type type, const void *data,
	     size_t len)
{
	if (!session_can_send(s))
		return;
	if (type == WSX_MSG_TEXT && !wsx_utf8_valid(data, len)) {
		session_say(s, "the line is not valid UTF-8: nothing sent "
			       "(/binary sends bytes)");
		return;
	}
	if (wsx_conn_send(s->conn, type, data, len) < 0)
		session_say(s, "the send queue is full: nothing sent");
}

static void
session_send_file(struct session *s, const char *arg)
{
	char *path = tilde_expand(arg);
	FILE *f = fopen(path, "rb");
	struct stat st;
	unsigned char *data = NULL;
	size_t n = 0;

	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		session_say(s, "/file: cannot read '%s': %s", path,
			    f ? "not a regular file" : strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size > s->lim->max_message) {
		session_say(s,
			    "/file: '%s' is larger than --max-message (%zu "
			    "bytes): nothing sent",
			    path, s->lim->max_message);
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = fread(data, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		session_say(s, "/file: cannot read '%s': %s", path,
			    strerror(errno));
		goto out;
	}
	if (session_can_send(s)) {
		session_send(s, WSX_MSG_BINARY, data, n);
		session_say(s, "sent '%s' as a binary message of %zu bytes",
			    path, n);
	}
out:
	if (f)
		fclose(f);
	free(data);
	free(path);
}

static void
session_toggle(struct session *s, bool *flag, int toggle, const char *what)
{
	*flag = toggle < 0 ? !*flag : toggle;
	session_say(s, "%s %s", what, *flag ? "on" : "off");
}

static void
session_help(struct session *s)
{
	char line[160];

	for (size_t i = 0; slash_commands[i].name; i++) {
		snprintf(line, sizeof(line), "  %-12s %-16s %s",
			 slash_commands[i].name, slash_commands[i].args,
			 slash_commands[i].help);
		session_print(s, WSX_OUT_STDOUT, line);
	}
	session_print(s, WSX_OUT_STDOUT,
		      "  Other lines are sent as text messages; Ctrl-D "
		      "closes, Ctrl-C twice quits.");
}

/* The end: leave once what is shown has been written. */
static void
session_finish(struct session *s)
{
	term_editor_stop(s->ed);
	s->finishing = true;
	if (!wsx_output_pending(s->output))
		wsx_loop_stop(s->loop);
}

static void
session_close(struct session *s, int code, const char *reason)
{
	s->closing = true;
	if (!s->conn) {
		if (!s->interrupted)
			s->status = WSX_EXIT_OK;
		session_finish(s);
		return;
	}
	wsx_conn_close(s->conn, code, reason);
}

static void
session_line(const char *line, void *arg)
{
	struct session *s = arg;
	struct slash_cmd c;
	bool quiet;

	s->interrupts = 0;
	term_history_add(&s->hist, line);
	switch (slash_parse(line, &c)) {
	case SLASH_SEND:
		session_send(s, WSX_MSG_TEXT, c.text, c.len);
		break;
	case SLASH_PING:
		if (session_can_send(s)) {
			/* never empty: libwebsockets 4.1 does not report
			 * empty pongs (see conn_ping_tick) */
			if (wsx_conn_ping(s->conn, c.len ? c.text : "wsx",
					  c.len ? c.len : 3))
				session_say(s, "/ping: cannot ping now");
			else
				s->ping_asked = true;
		}
		break;
	case SLASH_PONG:
		if (session_can_send(s) &&
		    wsx_conn_pong(s->conn, c.text, c.len))
			session_say(s, "/pong: cannot send a pong now");
		break;
	case SLASH_CLOSE:
		session_say(s, "closing with %d%s%.*s", c.code,
			    c.len ? " " : "", (int)c.len, c.text);
		session_close(s, c.code, c.text);
		break;
	case SLASH_BINARY:
		session_send(s, WSX_MSG_BINARY, c.bytes, c.n_bytes);
		break;
	case SLASH_FILE:
		session_send_file(s, c.text);
		break;
	case SLASH_JSON:
		session_toggle(s, &s->json, c.toggle, "JSON pretty-printing");
		break;
	case SLASH_HEX:
		session_toggle(s, &s->hex, c.toggle, "hex dump of binary");
		break;
	case SLASH_TIMESTAMPS:
		session_toggle(s, &s->timestamps, c.toggle, "timestamps");
		break;
	case SLASH_QUIET:
		quiet = s->quiet;
		session_toggle(s, &s->quiet, c.toggle,
			       "hiding received messages");
		if (quiet && !s->quiet && s->hidden)
			session_say(s, "%lu message%s hidden", s->hidden,
				    s->hidden == 1 ? " was" : "s were");
		if (!quiet)
			s->hidden = 0;
		break;
	case SLASH_HELP:
		session_help(s);
		break;
	case SLASH_ERROR:
		session_say(s, "%s", c.msg);
		break;
	}
	slash_cmd_release(&c);
}

static void
session_eof(void *arg)
{
	struct session *s = arg;

	session_say(s, "closing with 1000");
	session_close(s, 1000, "");
}

static const struct term_editor_ops session_editor_ops = {
	.on_line = session_line,
	.on_eof = session_eof,
};

/* The connection */

static void
session_execute(struct session *s)
{
	char indent[64];

	for (size_t i = 0; i < s->opts->n_execute; i++) {
		const char *m = s->opts->execute[i];

		if (s->tty) {
			session_begin(s, ">", indent, sizeof(indent));
			render_text(&s->out, (const unsigned char *)m,
				    strlen(m), s->colour, indent);
			session_flush(s);
		}
		session_send(s, WSX_MSG_TEXT, m, strlen(m));
	}
	wsx_timer_arm(s->wait, s->popts->wait_us ? s->popts->wait_us : 2000000);
}

static void
session_wait_over(void *arg)
{
	struct session *s = arg;

	session_close(s, 1000, "");
}

static void
session_open(struct wsx_conn *c, void *arg)
{
	struct session *s = arg;
	const struct wsx_conn_info *info = wsx_conn_info(c);
	struct wsx_err err;

	s->open = true;
	reconnect_opened(&s->rc);
	if (s->opts->n_execute) {
		wsx_info("connected to %s", info->peer);
		session_execute(s);
		return;
	}
	if (!s->ed) {
		s->ed = term_editor_new(s->loop, "> ", s->output,
					&session_editor_ops, s, &err);
		if (!s->ed) {
			wsx_error("%s", err.msg);
			s->status = err.code;
			session_close(s, 1001, "");
			return;
		}
	}
	if (!wsx_log_level() || wsx_log_level() > 0)
		session_say(s,
			    "connected to %s%s%s (/help lists commands, "
			    "Ctrl-D closes)",
			    s->url, info->protocol[0] ? ", subprotocol " : "",
			    info->protocol);
}

static void
session_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct session *s = arg;

	(void)c;
	if (s->opts->n_execute && !s->tty) {
		session_write_raw(s, m);
		return;
	}
	if (s->quiet) {
		s->hidden++;
		return;
	}
	session_show_message(s, m);
}

static void
session_pong(struct wsx_conn *c, uint64_t rtt_us, void *arg)
{
	struct session *s = arg;
	char indent[64], text[64];

	(void)c;
	if (!s->ping_asked && !s->opts->show_ping_pong)
		return;
	s->ping_asked = false;
	session_begin(s, "<", indent, sizeof(indent));
	snprintf(text, sizeof(text), "pong, round trip %.3f ms",
		 (double)rtt_us / 1000.0);
	put(&s->out, text);
	session_flush(s);
}

/* -P: the server's pings too (already answered) */
static void
session_ping(struct wsx_conn *c, const void *data, size_t len, void *arg)
{
	struct session *s = arg;
	char indent[64], text[4 * 125 + 32];
	int n;

	(void)c;
	if (!s->opts->show_ping_pong)
		return;
	session_begin(s, "<", indent, sizeof(indent));
	n = snprintf(text, sizeof(text), "ping (%zu bytes)%s", len,
		     len ? ": " : "");
	wsx_printable(text + n, sizeof(text) - (size_t)n, data, len);
	put(&s->out, text);
	session_flush(s);
}

static void
session_closed(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct session *s = arg;

	(void)c;
	s->conn = NULL;
	s->open = false;
	s->ping_asked = false;
	s->rx_paused = false;
	if (!s->closing && reconnect_schedule(&s->rc, cl))
		return;
	if (!s->status || s->status == WSX_EXIT_OK)
		s->status = cl->status;
	term_editor_stop(s->ed);
	/* a close we chose and the server answered was said when asked */
	if (cl->status)
		wsx_error("%s", cl->msg);
	else if (!s->closing)
		wsx_notice("%s", cl->msg);
	session_finish(s);
}

static const struct wsx_conn_ops session_ws_ops = {
	.on_open = session_open,
	.on_message = session_message,
	.on_ping = session_ping,
	.on_pong = session_pong,
	.on_close = session_closed,
};

static void
session_reconnect(void *arg)
{
	struct session *s = arg;
	struct wsx_err err;

	s->conn = wsx_client_connect(s->client, s->url, s->lim, &session_ws_ops,
				     s, &err);
	if (!s->conn) {
		wsx_error("%s", err.msg);
		s->status = err.code;
		wsx_loop_stop(s->loop);
	}
}

/*
 * Ctrl-C at the prompt drops the line typed. SIGTERM, a second Ctrl-C, or
 * any signal with -x: close with 1001 and leave once the close is answered
 * and the output written, or when --grace runs out, with status 130. One
 * more signal: leave at once.
 */
static void
session_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct session *s = arg;

	if (s->interrupted || s->finishing) {
		wsx_loop_stop(loop);
		return;
	}
	if (signo == SIGINT && s->ed && s->conn && ++s->interrupts < 2) {
		term_editor_cancel_line(s->ed);
		session_say(s, "press Ctrl-C again to quit, Ctrl-D to close");
		return;
	}
	s->interrupted = true;
	s->status = WSX_EXIT_INTERRUPTED;
	wsx_timer_arm(s->grace, s->popts->grace_us);
	if (s->conn && !s->closing)
		session_close(s, 1001, "interrupted");
	else if (!s->conn)
		session_finish(s);
}

static void
session_grace_over(void *arg)
{
	struct session *s = arg;

	wsx_loop_stop(s->loop);
}

/* Output */

static void
session_output_drained(struct wsx_output *o, void *arg)
{
	struct session *s = arg;

	(void)o;
	if (s->rx_paused && s->conn) {
		s->rx_paused = false;
		wsx_conn_pause(s->conn, false);
	}
}

static void
session_output_empty(struct wsx_output *o, void *arg)
{
	struct session *s = arg;

	(void)o;
	if (s->finishing)
		wsx_loop_stop(s->loop);
}

/* stdout went away (| head): nothing more can be shown */
static void
session_output_failed(struct wsx_output *o, const struct wsx_err *err,
		      void *arg)
{
	struct session *s = arg;

	(void)o;
	wsx_log_set_sink(NULL, NULL);
	wsx_error("%s", err->msg);
	if (!s->status || s->status == WSX_EXIT_OK)
		s->status = err->code;
	if (s->conn && !s->closing)
		session_close(s, 1001, "");
	else
		session_finish(s);
}

static const struct wsx_output_ops session_output_ops = {
	.on_drain = session_output_drained,
	.on_empty = session_output_empty,
	.on_error = session_output_failed,
};

static void
session_open_history(struct session *s)
{
	char path[4096];
	struct wsx_err err;
	const char *p = NULL;

	if (!s->opts->no_history &&
	    term_history_path(path, sizeof(path), getenv("XDG_STATE_HOME"),
			      getenv("HOME")))
		p = path;
	if (term_history_open(&s->hist, p, TERM_HISTORY_CAP, &err))
		wsx_notice("%s", err.msg);
}

/* Leaving with output the terminal or pipe has not taken: say so. */
static void
session_abandon_output(struct session *s)
{
	char line[100];
	size_t n;

	if (!s->output || !wsx_output_pending(s->output))
		return;
	n = wsx_output_pending(s->output);
	/* on a terminal, from a new line: we may be in the middle of one */
	snprintf(line, sizeof(line),
		 "\nwsx: %zu bytes of output were not written\n", n);
	/* a terminal that stopped taking output may not show even this */
	wsx_output_abandon(s->output, s->tty ? line : line + 1, 500);
}

static int
session_run(struct session *s, const struct wsx_client_opts *client,
	    const struct reconnect_opts *rc)
{
	struct wsx_err err;
	const char *no_color = getenv("NO_COLOR");

	s->tty = isatty(STDOUT_FILENO);
	s->colour = s->tty && !s->opts->no_color && !(no_color && *no_color);
	s->json = s->hex = true;
	s->timestamps = s->opts->timestamps;
	wsx_buf_init(&s->out, 0, (size_t)1 << 30);
	if (!s->opts->n_execute)
		session_open_history(s);
	s->loop = wsx_loop_new(&err);
	if (!s->loop)
		goto fail;
	wsx_loop_on_signal(s->loop, session_signal, s);
	s->output = wsx_output_new(s->loop, s->lim->buffer, &session_output_ops,
				   s, &err);
	if (!s->output)
		goto fail;
	wsx_log_set_sink(session_log_sink, s);
	s->wait = wsx_timer_new(s->loop, session_wait_over, s);
	s->grace = wsx_timer_new(s->loop, session_grace_over, s);
	reconnect_init(&s->rc, rc, s->loop, session_reconnect, s);
	s->client = wsx_client_new(s->loop, client, &err);
	if (!s->client)
		goto fail;
	s->conn = wsx_client_connect(s->client, s->url, s->lim, &session_ws_ops,
				     s, &err);
	if (!s->conn)
		goto fail;
	wsx_loop_run(s->loop);
	goto out;
fail:
	wsx_log_set_sink(NULL, NULL);
	s->status = cmd_fail(s->cmd, &err);
out:
	wsx_log_set_sink(NULL, NULL);
	term_editor_free(s->ed);
	session_abandon_output(s);
	wsx_output_free(s->output);
	wsx_timer_free(s->grace);
	if (!s->opts->n_execute)
		term_history_close(&s->hist);
	wsx_timer_free(s->wait);
	reconnect_release(&s->rc);
	wsx_client_free(s->client);
	wsx_loop_free(s->loop);
	wsx_buf_release(&s->out);
	return s->status;
}

static int
connect_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct connect_opts opts = { 0 };
	struct pipe_opts popts;
	struct wsx_client_opts client;
	struct wsx_conn_limits lim;
	struct wsx_framing_opts framing;
	struct reconnect_opts rc = { 0 };
	void *const targets[] = { &opts, &popts, &client,  &client,
				  &rc,	 &lim,	 &framing, &common };
	struct session s = {
		.cmd = cmd, .opts = &opts, .popts = &popts, .lim = &lim
	};
	int first, status;

	pipe_opts_init(&popts);
	wsx_client_opts_init(&client);
	wsx_conn_limits_init(&lim);
	wsx_framing_opts_init(&framing, WSX_FRAMING_LINES);
	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (argc == first && !opts.url) {
		status = cmd_usage(cmd, "missing URL");
		goto out;
	}
	if (argc - first > !opts.url) {
		status = cmd_usage(cmd, opts.url ? "-c URL and a URL: give one"
						 : "too many arguments");
		goto out;
	}
	status = pipe_check_opts(cmd, &popts);
	if (status)
		goto out;
	if (opts.n_execute && (popts.one_message || popts.no_close)) {
		status = cmd_usage(cmd, "-x does not go with -1 or -n");
		goto out;
	}
	s.url = opts.url ? opts.url : argv[first];
	if (opts.n_execute && popts.replay) {
		status = cmd_usage(cmd, "-x does not go with --replay");
		goto out;
	}
	/* a recording replayed is a pipe session, on a terminal too */
	if (popts.replay || (!opts.n_execute && !(isatty(STDIN_FILENO) &&
						  isatty(STDOUT_FILENO)))) {
		status = pipe_session(cmd, &popts, &client, &lim, &framing, &rc,
				      s.url);
		goto out;
	}
	status = session_run(&s, &client, &rc);
out:
	free(opts.execute);
	wsx_client_opts_release(&client);
	return status;
}

static const struct wsx_optgroup *const connect_groups[] = {
	&connect_group,		  &cmd_pipe_group,	   &wsx_client_optgroup,
	&wsx_client_net_optgroup, &wsx_reconnect_optgroup, &wsx_conn_optgroup,
	&wsx_framing_optgroup,	  &cmd_common_group,	   NULL,
};

const struct wsx_cmd cmd_connect = {
	.name = "connect",
	.args = "[options] URL",
	.summary = "interactive WebSocket session (like wscat -c)",
	.description =
		"On a terminal: each line typed is sent as a text message and\n"
		"each message received is shown above the prompt (JSON\n"
		"pretty-printed, binary as a hex dump). Lines starting with /\n"
		"are commands: /ping /pong /close /binary /file /json /hex\n"
		"/timestamps /quiet /help; //TEXT sends /TEXT. Ctrl-D closes\n"
		"with 1000, Ctrl-C twice quits. History is kept in\n"
		"$XDG_STATE_HOME/wsx/history. With -x, send the messages\n"
		"given and close. When stdin or stdout is not a terminal,\n"
		"this is 'wsx pipe' and the pipe and framing options apply.",
	.examples =
		"  wsx connect ws://127.0.0.1:8080/\n"
		"  wsx connect -c ws://127.0.0.1:8080/   (wscat's spelling)\n"
		"  wsx connect -H 'Authorization: Bearer T' wss://example.org/ws\n"
		"  wsx connect -x '{\"op\":\"ping\"}' -w 1 wss://example.org/api\n"
		"  wsx connect --reconnect --timestamps ws+unix:/run/app.sock:/ws\n",
	.groups = connect_groups,
	.run = connect_run,
};
