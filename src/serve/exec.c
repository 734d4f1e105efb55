/* Exec: a child process per connection; see exec.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/stream.h"
#include "serve/exec.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* how often a child that is ending is checked on */
#define EXEC_TICK_US 20000

extern char **environ;

struct child {
	struct wsx_exec *x;
	struct child *next;
	struct wsx_conn *c; /* NULL once the connection is gone */
	struct wsx_stream *s;
	int to_child, from_child; /* our pipe ends; the stream reads them */
	struct wsx_timer *tick;
	pid_t pid;	 /* 0 once waited for */
	int status;	 /* from waitpid */
	bool stdout_eof; /* the child closed its stdout */
	bool closing;	 /* we asked the connection to close */
	bool ending;	 /* stdin closes, then signals, until it is reaped */
	uint64_t end_us; /* when ending began */
	bool sent_term, sent_kill;
};

struct wsx_exec {
	struct wsx_loop *loop;
	const struct wsx_exec_opts *opts;
	struct wsx_conn_limits lim;
	void (*on_close)(struct wsx_conn *, const struct wsx_close *, void *);
	void *arg;
	struct child *children;
	size_t count;
};

struct wsx_exec *
wsx_exec_new(struct wsx_loop *loop, const struct wsx_exec_opts *opts,
	     const struct wsx_conn_limits *lim,
	     void (*on_close)(struct wsx_conn *c, const struct wsx_close *cl,
			      void *arg),
	     void *arg)
{
	struct wsx_exec *x = xcalloc(1, sizeof(*x));

	x->loop = loop;
	x->opts = opts;
	x->lim = *lim;
	x->on_close = on_close;
	x->arg = arg;
	return x;
}

size_t
wsx_exec_count(const struct wsx_exec *x)
{
	return x->count;
}

/* --- the child's environment --------------------------------------------- */

static void
env_add(char ***env, size_t *n, const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 2;
	char *e = xmalloc(len);

	snprintf(e, len, "%s=%s", name, value);
	*env = xrealloc(*env, (*n + 2) * sizeof(**env));
	(*env)[(*n)++] = e;
	(*env)[*n] = NULL;
}

/* REMOTE_*, SERVER_*, PATH_INFO, QUERY_STRING, HTTP_*, WSX_PROTOCOL and
 * what --passenv lets through: nothing else of the server's environment */
static char **
exec_environment(const struct wsx_exec *x, const struct wsx_conn_info *i)
{
	const char *q = strchr(i->path, '?');
	char **env = NULL, addr[272], port[16], *colon;
	size_t n = 0;

	snprintf(addr, sizeof(addr), "%s", i->peer);
	colon = strrchr(addr, ':');
	snprintf(port, sizeof(port), "%s", colon ? colon + 1 : "");
	if (colon)
		*colon = '\0';
	if (addr[0] == '[') { /* [::1] */
		memmove(addr, addr + 1, strlen(addr));
		addr[strcspn(addr, "]")] = '\0';
	}
	env_add(&env, &n, "REMOTE_ADDR", addr);
	env_add(&env, &n, "REMOTE_PORT", port);
	env_add(&env, &n, "SERVER_NAME", x->opts->server_host);
	snprintf(port, sizeof(port), "%u", x->opts->server_port);
	env_add(&env, &n, "SERVER_PORT", port);
	env_add(&env, &n, "SERVER_SOFTWARE", "wsx/" PACKAGE_VERSION);
	env_add(&env, &n, "GATEWAY_INTERFACE", "websocketd-CGI/0.1");
	{
		char *path = xstrndup(i->path, strcspn(i->path, "?"));

		env_add(&env, &n, "PATH_INFO", path);
		free(path);
	}
	env_add(&env, &n, "QUERY_STRING", q ? q + 1 : "");
	env_add(&env, &n, "WSX_PROTOCOL", i->protocol);
	for (size_t h = 0; h < i->n_headers; h++) {
		const char *line = i->headers[h], *sep = strchr(line, ':');
		char name[128] = "HTTP_";
		size_t k = 5;

		if (!sep)
			continue;
		for (const char *p = line; p < sep && k < sizeof(name) - 1; p++)
			name[k++] = *p == '-'
					    ? '_'
					    : (char)toupper((unsigned char)*p);
		name[k] = '\0';
		env_add(&env, &n, name, sep + 1 + strspn(sep + 1, " "));
	}
	for (size_t p = 0; p < x->opts->n_passenv; p++) {
		const char *v = getenv(x->opts->passenv[p]);

		if (v)
			env_add(&env, &n, x->opts->passenv[p], v);
	}
	return env;
}

static void
env_free(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

/* --- ending --------------------------------------------------------------- */

/* Stop the stream and close our pipe ends: the child sees EOF on stdin. */
static void
child_close_pipes(struct child *ch)
{
	wsx_stream_free(ch->s);
	ch->s = NULL;
	if (ch->to_child >= 0)
		close(ch->to_child);
	if (ch->from_child >= 0)
		close(ch->from_child);
	ch->to_child = ch->from_child = -1;
}

static void
child_free(struct child *ch)
{
	struct wsx_exec *x = ch->x;

	for (struct child **p = &x->children; *p; p = &(*p)->next)
		if (*p == ch) {
			*p = ch->next;
			break;
		}
	x->count--;
	child_close_pipes(ch);
	wsx_timer_free(ch->tick);
	free(ch);
}

/* Reap the child if it has exited; true when it has. */
static bool
child_reaped(struct child *ch)
{
	if (ch->pid && waitpid(ch->pid, &ch->status, WNOHANG) == ch->pid)
		ch->pid = 0;
	return !ch->pid;
}

static void
child_tick(void *arg)
{
	struct child *ch = arg;
	const struct wsx_exec_opts *o = ch->x->opts;
	uint64_t now = wsx_now_us();

	if (ch->c && ch->stdout_eof && !ch->closing) {
		/* the child closed its stdout: close the connection with how
		 * it exited (or 1000 if it lingers past the grace time) */
		if (child_reaped(ch) || now - ch->end_us >= o->grace_us) {
			bool failed = !ch->pid && (!WIFEXITED(ch->status) ||
						   WEXITSTATUS(ch->status));

			ch->closing = true;
			wsx_conn_close(ch->c, failed ? 1011 : 1000,
				       failed ? "program failed" : "");
		}
	}
	if (ch->ending) {
		/* stdin closes once what was queued for it is written */
		if (ch->s && (!wsx_stream_pending(ch->s) ||
			      now - ch->end_us >= o->grace_us))
			child_close_pipes(ch);
		/* the connection's ops point at ch: it goes after them */
		if (child_reaped(ch) && !ch->c) {
			child_free(ch);
			return;
		}
		/* never kill(0, ...): that would be our whole process group */
		if (ch->pid > 0 && !ch->sent_term &&
		    now - ch->end_us >= o->grace_us) {
			kill(ch->pid, SIGTERM);
			ch->sent_term = true;
		} else if (ch->pid > 0 && !ch->sent_kill &&
			   now - ch->end_us >= 2 * o->grace_us) {
			kill(ch->pid, SIGKILL);
			ch->sent_kill = true;
		}
	}
	wsx_timer_arm(ch->tick, EXEC_TICK_US);
}

static void
child_begin_end(struct child *ch)
{
	if (!ch->ending) {
		ch->ending = true;
		ch->end_us = wsx_now_us();
	}
	wsx_timer_arm(ch->tick, 0);
}

/* --- the connection's side ------------------------------------------------ */

static void
exec_conn_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct child *ch = arg;

	if (ch->s && wsx_stream_write(ch->s, m) == 1)
		wsx_conn_pause(c, true); /* the child reads slowly */
}

static void
exec_conn_drain(struct wsx_conn *c, void *arg)
{
	struct child *ch = arg;

	(void)c;
	if (ch->s)
		wsx_stream_resume(ch->s);
}

static void
exec_conn_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct child *ch = arg;
	struct wsx_exec *x = ch->x;

	ch->c = NULL;
	if (ch->s)
		wsx_stream_stop_input(ch->s);
	child_begin_end(ch);
	if (x->on_close)
		x->on_close(c, cl, x->arg);
}

static const struct wsx_conn_ops exec_conn_ops = {
	.on_message = exec_conn_message,
	.on_drain = exec_conn_drain,
	.on_close = exec_conn_close,
};

/* --- the child's side ----------------------------------------------------- */

static int
exec_child_message(struct wsx_stream *s, const struct wsx_msg *m, void *arg)
{
	struct child *ch = arg;

	(void)s;
	if (!ch->c)
		return 1;
	return wsx_conn_send(ch->c, m->type, m->data, m->len) != 0;
}

static void
exec_child_eof(struct wsx_stream *s, void *arg)
{
	struct child *ch = arg;

	(void)s;
	ch->stdout_eof = true;
	ch->end_us = wsx_now_us();
	wsx_timer_arm(ch->tick, 0);
}

static void
exec_child_error(struct wsx_stream *s, const struct wsx_err *err, void *arg)
{
	struct child *ch = arg;

	(void)s;
	wsx_info("child %ld: %s", (long)ch->pid, err->msg);
	if (ch->c && !ch->closing) {
		ch->closing = true;
		wsx_conn_close(ch->c, 1011, "program output unreadable");
	}
}

static void
exec_child_drain(struct wsx_stream *s, void *arg)
{
	struct child *ch = arg;

	(void)s;
	if (ch->c)
		wsx_conn_pause(ch->c, false);
}

static const struct wsx_stream_ops exec_stream_ops = {
	.on_message = exec_child_message,
	.on_eof = exec_child_eof,
	.on_error = exec_child_error,
	.on_drain = exec_child_drain,
};

static pid_t
exec_spawn(const struct wsx_exec *x, const struct wsx_conn_info *i,
	   int *to_child, int *from_child)
{
	int in[2], out[2];
	char **env;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	env = exec_environment(x, i);
	pid = fork();
	if (pid == 0) {
		/* the child: pipes on 0 and 1, stderr shared with the server */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		execvpe(x->opts->argv[0], x->opts->argv, env);
		fprintf(stderr, "wsx: cannot run '%s': %s\n", x->opts->argv[0],
			strerror(errno));
		_exit(127);
	}
	env_free(env);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return -1;
	}
	*to_child = in[1];
	*from_child = out[0];
	return pid;
}

void
wsx_exec_attach(struct wsx_exec *x, struct wsx_conn *c)
{
	struct child *ch = xcalloc(1, sizeof(*ch));
	struct wsx_err err;

	ch->x = x;
	ch->to_child = ch->from_child = -1;
	ch->c = c;
	ch->tick = wsx_timer_new(x->loop, child_tick, ch);
	ch->next = x->children;
	x->children = ch;
	x->count++;
	wsx_conn_set_ops(c, &exec_conn_ops, ch);
	ch->pid =
		exec_spawn(x, wsx_conn_info(c), &ch->to_child, &ch->from_child);
	if (ch->pid < 0) {
		wsx_info("cannot start '%s': %s", x->opts->argv[0],
			 strerror(errno));
		ch->pid = 0;
		wsx_conn_close(c, 1011, "cannot start the program");
		return;
	}
	ch->s = wsx_stream_new(x->loop, ch->from_child, ch->to_child,
			       &x->opts->framing, x->lim.max_message,
			       x->lim.buffer, &exec_stream_ops, ch, &err);
	if (!ch->s) {
		wsx_info("child %ld: %s", (long)ch->pid, err.msg);
		wsx_conn_close(c, 1011, "cannot talk to the program");
		return;
	}
	wsx_debug("child %ld for %s", (long)ch->pid, wsx_conn_info(c)->peer);
	wsx_stream_resume(ch->s);
}

void
wsx_exec_free(struct wsx_exec *x)
{
	uint64_t deadline;

	if (!x)
		return;
	/* the server is going: SIGTERM, a moment to finish, then SIGKILL */
	for (struct child *ch = x->children; ch; ch = ch->next) {
		child_close_pipes(ch);
		if (ch->pid > 0)
			kill(ch->pid, SIGTERM);
	}
	deadline = wsx_now_us() + 200000;
	for (;;) {
		bool left = false;

		for (struct child *ch = x->children; ch; ch = ch->next)
			left |= !child_reaped(ch);
		if (!left || wsx_now_us() >= deadline)
			break;
		usleep(10000);
	}
	while (x->children) {
		struct child *ch = x->children;

		if (ch->pid > 0) {
			kill(ch->pid, SIGKILL);
			waitpid(ch->pid, NULL, 0);
			ch->pid = 0;
		}
		child_free(ch);
	}
	free(x);
}
