/* Child-process endpoints; see ep_exec.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/stream.h"
#include "relay/ep_exec.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* how often a child that is ending is checked on */
#define EXEC_TICK_US 20000
/* at exit: how long the children left get between SIGTERM and SIGKILL */
#define EXEC_EXIT_WAIT_US 200000

extern char **environ;

struct wsx_procs {
	pid_t *orphans; /* children whose endpoints were freed before them */
	size_t n_orphans;
	size_t count;
};

struct ep_exec {
	struct wsx_ep base;
	struct wsx_loop *loop;
	struct wsx_procs *procs;
	struct wsx_stream *s;
	int to_child, from_child; /* our pipe ends; the stream uses them */
	struct wsx_timer *tick;
	uint64_t grace_us;
	char prog[64];
	pid_t pid;  /* 0 once reaped */
	int status; /* from waitpid */
	bool pause_wanted;
	bool shutting;	 /* shut: stdin closes once what is queued is written */
	bool stdout_eof; /* the child closed its stdout */
	uint64_t eof_us;
	bool ending;	 /* closing: stdin closes, then signals, until reaped */
	uint64_t end_us; /* closing began, or the child last took input */
	size_t end_pending; /* queued for its stdin at the last tick */
	bool sent_term, sent_kill;
};

struct wsx_procs *
wsx_procs_new(void)
{
	return xcalloc(1, sizeof(struct wsx_procs));
}

size_t
wsx_procs_count(const struct wsx_procs *p)
{
	return p->count;
}

void
wsx_procs_free(struct wsx_procs *p)
{
	uint64_t deadline = wsx_now_us() + EXEC_EXIT_WAIT_US;
	size_t left;

	if (!p)
		return;
	do {
		left = 0;
		for (size_t i = 0; i < p->n_orphans; i++) {
			if (p->orphans[i] && waitpid(p->orphans[i], NULL,
						     WNOHANG) == p->orphans[i])
				p->orphans[i] = 0;
			left += p->orphans[i] != 0;
		}
		if (left)
			usleep(10000);
	} while (left && wsx_now_us() < deadline);
	for (size_t i = 0; i < p->n_orphans; i++)
		if (p->orphans[i] > 0) {
			kill(p->orphans[i], SIGKILL);
			waitpid(p->orphans[i], NULL, 0);
		}
	free(p->orphans);
	free(p);
}

static struct ep_exec *
ep_exec(struct wsx_ep *e)
{
	return (struct ep_exec *)e;
}

/* Stop the stream and close our pipe ends: the child sees EOF on stdin. */
static void
ep_exec_close_pipes(struct ep_exec *x)
{
	wsx_stream_free(x->s);
	x->s = NULL;
	if (x->to_child >= 0)
		close(x->to_child);
	if (x->from_child >= 0)
		close(x->from_child);
	x->to_child = x->from_child = -1;
}

/* Reap the child if it has exited; true when it has. */
static bool
ep_exec_reaped(struct ep_exec *x)
{
	if (x->pid && waitpid(x->pid, &x->status, WNOHANG) == x->pid) {
		x->pid = 0;
		x->procs->count--;
	}
	return !x->pid;
}

static void
ep_exec_report_exit(struct ep_exec *x)
{
	struct wsx_ep_end end;
	bool failed =
		!x->pid && (!WIFEXITED(x->status) || WEXITSTATUS(x->status));

	if (!failed)
		wsx_ep_end_set(&end, 1000, "", WSX_EXIT_OK, NULL);
	else if (WIFEXITED(x->status))
		wsx_ep_end_set(&end, 1011, "program failed", WSX_EXIT_FAIL,
			       "'%s' exited with status %d", x->prog,
			       WEXITSTATUS(x->status));
	else
		wsx_ep_end_set(&end, 1011, "program failed", WSX_EXIT_FAIL,
			       "'%s' was killed by signal %d", x->prog,
			       WTERMSIG(x->status));
	wsx_ep_ended(&x->base, &end);
}

static void
ep_exec_close_stdin(struct ep_exec *x)
{
	x->shutting = false;
	if (x->s)
		wsx_stream_stop_output(x->s);
	if (x->to_child >= 0)
		close(x->to_child);
	x->to_child = -1;
}

static void
ep_exec_tick(void *arg)
{
	struct ep_exec *x = arg;
	uint64_t now = wsx_now_us();

	if (x->shutting && x->s && !wsx_stream_pending(x->s))
		ep_exec_close_stdin(x);
	/* stdout closed: the input ends with how the child exited (or as
	 * normal if it lingers past the grace time) */
	if (x->stdout_eof && !x->base.ended &&
	    (ep_exec_reaped(x) || now - x->eof_us >= x->grace_us))
		ep_exec_report_exit(x);
	if (x->ending && x->s) {
		/* stdin closes once what was queued for it is written; the
		 * grace time runs from the last input the child took, so a
		 * slow reader gets it all and one that stopped reading not */
		size_t pending = wsx_stream_pending(x->s);

		if (pending < x->end_pending)
			x->end_us = now;
		x->end_pending = pending;
		if (!pending || now - x->end_us >= x->grace_us)
			ep_exec_close_pipes(x);
	}
	if (x->ending) {
		if (ep_exec_reaped(x)) {
			wsx_ep_finished(&x->base);
			return;
		}
		/* never kill(0, ...): that would be our whole process group */
		if (x->pid > 0 && !x->sent_term &&
		    now - x->end_us >= x->grace_us) {
			kill(x->pid, SIGTERM);
			x->sent_term = true;
		} else if (x->pid > 0 && !x->sent_kill &&
			   now - x->end_us >= 2 * x->grace_us) {
			kill(x->pid, SIGKILL);
			x->sent_kill = true;
		}
	}
	if (x->ending || (x->stdout_eof && !x->base.ended))
		wsx_timer_arm(x->tick, EXEC_TICK_US);
}

/* --- the child's stdout and stdin ------------------------------------------
 */

static int
ep_exec_message(struct wsx_stream *s, const struct wsx_msg *m, void *arg)
{
	struct ep_exec *x = arg;

	(void)s;
	if (x->base.ev && x->base.ev->on_message)
		x->base.ev->on_message(&x->base, m, x->base.arg);
	return x->pause_wanted;
}

static void
ep_exec_eof(struct wsx_stream *s, void *arg)
{
	struct ep_exec *x = arg;

	(void)s;
	x->stdout_eof = true;
	x->eof_us = wsx_now_us();
	wsx_timer_arm(x->tick, 0);
}

static void
ep_exec_error(struct wsx_stream *s, const struct wsx_err *err, void *arg)
{
	struct ep_exec *x = arg;
	struct wsx_ep_end end;

	(void)s;
	wsx_ep_end_set(&end, 1011, "program output unreadable", err->code,
		       "'%s': %s", x->prog, err->msg);
	wsx_ep_ended(&x->base, &end);
}

static void
ep_exec_drain(struct wsx_stream *s, void *arg)
{
	struct ep_exec *x = arg;

	(void)s;
	if (x->ending || x->shutting)
		wsx_timer_arm(x->tick, 0);
	else if (x->base.ev && x->base.ev->on_drain)
		x->base.ev->on_drain(&x->base, x->base.arg);
}

static const struct wsx_stream_ops ep_exec_stream_ops = {
	.on_message = ep_exec_message,
	.on_eof = ep_exec_eof,
	.on_error = ep_exec_error,
	.on_drain = ep_exec_drain,
};

/* --- the endpoint ------------------------------------------------------------
 */

static int
ep_exec_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	struct ep_exec *x = ep_exec(e);

	return x->s && !x->ending ? wsx_stream_write(x->s, m) : -1;
}

static size_t
ep_exec_pending(const struct wsx_ep *e)
{
	const struct ep_exec *x = (const struct ep_exec *)e;

	return x->s ? wsx_stream_pending(x->s) : 0;
}

static void
ep_exec_pause(struct wsx_ep *e, bool pause)
{
	struct ep_exec *x = ep_exec(e);

	x->pause_wanted = pause;
	if (!pause && x->s)
		wsx_stream_resume(x->s);
}

static void
ep_exec_stop_input(struct wsx_ep *e)
{
	if (ep_exec(e)->s)
		wsx_stream_stop_input(ep_exec(e)->s);
}

static void
ep_exec_close(struct wsx_ep *e, int code, const char *reason)
{
	struct ep_exec *x = ep_exec(e);

	(void)code;
	(void)reason;
	ep_exec_stop_input(e);
	x->ending = true;
	x->end_us = wsx_now_us();
	x->end_pending = x->s ? wsx_stream_pending(x->s) : 0;
	wsx_timer_arm(x->tick, 0);
}

static void
ep_exec_shut(struct wsx_ep *e)
{
	ep_exec(e)->shutting = true;
	wsx_timer_arm(ep_exec(e)->tick, 0);
}

static void
ep_exec_free(struct wsx_ep *e)
{
	struct ep_exec *x = ep_exec(e);
	struct wsx_procs *p = x->procs;

	ep_exec_close_pipes(x);
	wsx_timer_free(x->tick);
	if (x->pid > 0 && !ep_exec_reaped(x)) {
		/* the command is going: wsx_procs_free() sees to the rest */
		kill(x->pid, SIGTERM);
		p->orphans = xrealloc(p->orphans,
				      (p->n_orphans + 1) * sizeof(*p->orphans));
		p->orphans[p->n_orphans++] = x->pid;
		p->count--;
	}
	free(x);
}

static const struct wsx_ep_impl ep_exec_impl = {
	.send = ep_exec_send,
	.pause = ep_exec_pause,
	.stop_input = ep_exec_stop_input,
	.close = ep_exec_close,
	.shut = ep_exec_shut,
	.pending = ep_exec_pending,
	.free = ep_exec_free,
};

static pid_t
ep_exec_spawn(char *const *argv, char *const *env, int *to_child,
	      int *from_child)
{
	int in[2], out[2];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC))
		return -1;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* the child: pipes on 0 and 1, stderr shared with wsx */
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(127);
		execvpe(argv[0], argv, env ? env : environ);
		fprintf(stderr, "wsx: cannot run '%s': %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
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

struct wsx_ep *
wsx_ep_exec_new(struct wsx_loop *loop, struct wsx_procs *procs,
		char *const *argv, char *const *env, uint64_t grace_us,
		const struct wsx_ep_stream_opts *o, struct wsx_err *err)
{
	struct ep_exec *x;
	char in[320], out[320];
	pid_t pid;
	int to_child, from_child;

	pid = ep_exec_spawn(argv, env, &to_child, &from_child);
	if (pid < 0) {
		wsx_err_set(err, WSX_EXIT_FAIL, "cannot start '%s': %s",
			    argv[0], strerror(errno));
		return NULL;
	}
	x = xcalloc(1, sizeof(*x));
	wsx_ep_init(&x->base, &ep_exec_impl, false);
	x->loop = loop;
	x->procs = procs;
	x->pid = pid;
	procs->count++;
	x->to_child = to_child;
	x->from_child = from_child;
	x->grace_us = grace_us;
	x->pause_wanted = true;
	snprintf(x->prog, sizeof(x->prog), "%s", argv[0]);
	snprintf(x->base.peer, sizeof(x->base.peer), "%s[%ld]", argv[0],
		 (long)pid);
	x->tick = wsx_timer_new(loop, ep_exec_tick, x);
	x->s = wsx_stream_new(loop, from_child, to_child, &o->framing,
			      o->max_message, o->budget, &ep_exec_stream_ops, x,
			      err);
	if (!x->s) {
		ep_exec_free(&x->base);
		return NULL;
	}
	snprintf(in, sizeof(in), "the stdout of %s", x->base.peer);
	snprintf(out, sizeof(out), "the stdin of %s", x->base.peer);
	wsx_stream_set_names(x->s, in, out);
	x->base.open = true;
	return &x->base;
}
