/*
 * wsx serve: quick WebSocket servers. --echo (the default) sends every
 * message back with its type and exact bytes. With --threads N, N loops
 * on N threads each listen on the port (SO_REUSEPORT) and the kernel
 * spreads the clients; the main thread's loop takes the signals and tells
 * the others.
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "proto/conn.h"
#include "proto/server.h"
#include "serve/broadcast.h"
#include "serve/echo.h"
#include "serve/accesslog.h"
#include "serve/exec.h"
#include "serve/redis_url.h"
#if HAVE_HIREDIS
#include "serve/redis_rooms.h"
#endif
#include "serve/static.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

#define SERVE_DEFAULT_GRACE_US (2 * 1000000ull)
#define SERVE_MAX_THREADS      64
/* how often a --threads loop looks whether it was asked to stop */
#define SERVE_WATCH_US 50000

enum {
	OPT_BROADCAST = WSX_OPTKEY_CMD,
	OPT_ECHO_SELF,
	OPT_SLOW,
	OPT_EXEC,
	OPT_SH,
	OPT_PASSENV,
	OPT_GRACE,
	OPT_MAX_FORKS,
	OPT_STATIC,
	OPT_IDLE_TIMEOUT,
	OPT_LOG_JSON,
	OPT_THREADS,
	OPT_REDIS,
	OPT_REDIS_PREFIX,
};

struct serve_opts {
	bool echo, broadcast, echo_self;
	enum wsx_slow slow;
	const char *exec, *sh;
	const char **passenv;
	size_t n_passenv;
	uint64_t grace_us;
	unsigned long max_forks;
	const char *static_dir;
	uint64_t idle_timeout_us;
	bool log_json;
	unsigned long threads;
	struct wsx_redis_url *redis; /* --redis */
	const char *redis_prefix;
};

struct serve {
	struct wsx_loop *loop;
	struct wsx_server *server;
	struct wsx_broadcast *bc; /* --broadcast */
	struct wsx_exec *exec;	  /* --exec, --sh */
	struct wsx_static *files; /* --static */
	struct wsx_redis_rooms *redis;
	uint64_t grace_us;
	struct wsx_timer *grace;
	bool shutting_down;
	/* --threads: the main thread's serve holds the others */
	struct serve_thread *threads;
	size_t n_threads;
	/* another thread's: asked to stop by the main thread, and the
	 * timer that looks */
	atomic_bool stop_asked;
	struct wsx_timer *watch;
};

struct serve_thread {
	struct serve sv;
	pthread_t tid;
	bool running;
};

static const struct wsx_opt serve_optv[] = {
	{ 'e', "echo", NULL,
	  "send every message back to its sender (default)" },
	{ OPT_BROADCAST, "broadcast", NULL,
	  "each message to the others in its room (URL path)" },
	{ OPT_ECHO_SELF, "echo-self", NULL, "broadcast to the sender too" },
	{ OPT_EXEC, "exec", "PROG",
	  "a PROG [ARGS] per client, on its stdin and stdout" },
	{ OPT_SH, "sh", "COMMAND", "like --exec, with /bin/sh -c COMMAND" },
	{ OPT_PASSENV, "passenv", "NAME",
	  "--exec: pass this variable on (repeatable)" },
	{ OPT_MAX_FORKS, "max-forks", "N",
	  "--exec: at most N children; more: 503" },
	{ OPT_GRACE, "grace", "SECS",
	  "time to close before signals, at exit too (2)" },
	{ OPT_SLOW, "slow", "close|drop",
	  "full queue: close with 1008 (default), drop oldest" },
	{ OPT_STATIC, "static", "DIR",
	  "also serve the files in DIR over plain HTTP" },
	{ OPT_IDLE_TIMEOUT, "idle-timeout", "SECS",
	  "close a client silent this long with 1001" },
	{ OPT_LOG_JSON, "log-json", NULL,
	  "log connections as JSON lines on stderr" },
	{ 'T', "threads", "N",
	  "--echo on N threads, one listener each (1)" },
	{ OPT_REDIS, "redis", "URL",
	  "--broadcast rooms shared by all using this Redis" },
	{ OPT_REDIS_PREFIX, "redis-prefix", "NAME",
	  "--redis: channels are NAME:room:PATH (wsx)" },
	{ 0 },
};

static int
serve_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	      struct wsx_err *err)
{
	struct serve_opts *o = target;

	switch (opt->key) {
	case 'e':
		o->echo = true;
		break;
	case OPT_BROADCAST:
		o->broadcast = true;
		break;
	case OPT_ECHO_SELF:
		o->echo_self = true;
		break;
	case OPT_EXEC:
		o->exec = arg;
		break;
	case OPT_SH:
		o->sh = arg;
		break;
	case OPT_PASSENV:
		o->passenv = xrealloc(o->passenv,
				      (o->n_passenv + 1) * sizeof(*o->passenv));
		o->passenv[o->n_passenv++] = arg;
		break;
	case OPT_GRACE:
		return wsx_parse_secs("--grace", arg, &o->grace_us, err);
	case OPT_MAX_FORKS:
		return wsx_parse_uint("--max-forks", arg, 1, 100000,
				      &o->max_forks, err);
	case OPT_STATIC:
		o->static_dir = arg;
		break;
	case OPT_IDLE_TIMEOUT:
		return wsx_parse_secs("--idle-timeout", arg,
				      &o->idle_timeout_us, err);
	case OPT_LOG_JSON:
		o->log_json = true;
		break;
	case 'T':
		return wsx_parse_uint("--threads", arg, 1, SERVE_MAX_THREADS,
				      &o->threads, err);
	case OPT_REDIS:
		if (!o->redis)
			o->redis = xmalloc(sizeof(*o->redis));
		if (wsx_redis_url_parse(o->redis, arg, err))
			return -1;
		wsx_redis_url_scrub((char *)arg); /* out of ps(1) */
		break;
	case OPT_REDIS_PREFIX:
		if (!*arg || strpbrk(arg, " \t\r\n"))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--redis-prefix: expected a name "
					   "without blanks");
		o->redis_prefix = arg;
		break;
	case OPT_SLOW:
		if (!strcmp(arg, "close"))
			o->slow = WSX_SLOW_CLOSE;
		else if (!strcmp(arg, "drop"))
			o->slow = WSX_SLOW_DROP;
		else
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"--slow: '%.40s' is not close or drop", arg);
		break;
	}
	return 0;
}

static const struct wsx_optgroup serve_group = {
	.title = "Serve options",
	.opts = serve_optv,
	.set = serve_opt_set,
};

static void
serve_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct serve *sv = arg;
	const struct wsx_conn_info *i = wsx_conn_info(c);

	wsx_accesslog_close(i, cl);
	if (cl->status && cl->msg[0])
		wsx_debug("%s: %s", i->peer, cl->msg);
	/* the server forgets c before this call, so the count is current */
	if (sv->shutting_down && !wsx_server_count(sv->server))
		wsx_loop_stop(sv->loop);
}

static const struct wsx_conn_ops echo_ops = {
	.on_message = wsx_echo_message,
	.on_drain = wsx_echo_drain,
	.on_close = serve_close,
};

static void
serve_accept(struct wsx_server *s, struct wsx_conn *c, void *arg)
{
	const struct wsx_conn_info *i = wsx_conn_info(c);
	struct serve *sv = arg;

	(void)s;
	wsx_accesslog_open(i);
	if (sv->bc) {
		wsx_broadcast_join(sv->bc, c);
		return;
	}
	if (sv->exec) {
		wsx_exec_attach(sv->exec, c);
		return;
	}
	wsx_conn_set_ops(c, &echo_ops, arg);
}

static void
serve_http(struct wsx_server *s, const struct wsx_http_request *req,
	   struct wsx_http_answer *ans, void *arg)
{
	struct serve *sv = arg;

	(void)s;
	if (sv->files)
		wsx_static_answer(sv->files, req, ans);
}

static void
serve_http_done(struct wsx_server *s, const struct wsx_http_request *req,
		unsigned status, void *arg)
{
	(void)s;
	(void)arg;
	wsx_accesslog_http(req, status);
}

static const struct wsx_server_ops serve_ops = {
	.on_accept = serve_accept,
	.on_http = serve_http,
	.on_http_done = serve_http_done,
};

static void
serve_grace_over(void *arg)
{
	struct serve *sv = arg;

	wsx_info("%zu clients did not close in time",
		 wsx_server_count(sv->server));
	wsx_loop_stop(sv->loop);
}

/* Stop taking clients, close those there are with 1001, wait --grace. */
static void
serve_shutdown(struct serve *sv)
{
	if (sv->shutting_down) {
		wsx_loop_stop(sv->loop);
		return;
	}
	sv->shutting_down = true;
	wsx_server_stop_accepting(sv->server);
	if (!wsx_server_count(sv->server)) {
		wsx_loop_stop(sv->loop);
		return;
	}
	wsx_server_close_all(sv->server, 1001, "server shutting down");
	wsx_timer_arm(sv->grace, sv->grace_us);
}

static void
serve_signal(struct wsx_loop *loop, int signo, void *arg)
{
	struct serve *sv = arg;

	(void)loop;
	(void)signo;
	for (size_t i = 0; i < sv->n_threads; i++) {
		struct serve *t = &sv->threads[i].sv;

		/* a second signal: now, not after the grace */
		if (sv->shutting_down)
			wsx_loop_stop(t->loop);
		atomic_store(&t->stop_asked, true);
	}
	if (!sv->shutting_down)
		wsx_info("shutting down");
	serve_shutdown(sv);
}

/* --threads: another thread's loop looks whether it was asked to stop */
static void
serve_watch(void *arg)
{
	struct serve *sv = arg;

	if (atomic_load(&sv->stop_asked)) {
		serve_shutdown(sv);
		return;
	}
	wsx_timer_arm(sv->watch, SERVE_WATCH_US);
}

static void *
serve_thread_main(void *arg)
{
	struct serve *sv = arg;

	wsx_timer_arm(sv->watch, SERVE_WATCH_US);
	wsx_loop_run(sv->loop);
	return NULL;
}

/* The other threads of --threads N: a loop and a listener each. */
static int
serve_threads_start(struct serve *sv, unsigned long n,
		    const struct wsx_server_opts *server,
		    const struct wsx_conn_limits *lim, struct wsx_err *err)
{
	struct wsx_server_opts same = *server;

	same.port = wsx_server_port(sv->server);
	sv->threads = xcalloc(n, sizeof(*sv->threads));
	for (size_t i = 0; i < n; i++) {
		struct serve_thread *th = &sv->threads[i];
		struct serve *t = &th->sv;

		sv->n_threads = i + 1;
		atomic_init(&t->stop_asked, false);
		t->files = sv->files; /* read-only: shared */
		t->grace_us = sv->grace_us;
		t->loop = wsx_loop_new_worker(err);
		if (!t->loop)
			return -1;
		t->grace = wsx_timer_new(t->loop, serve_grace_over, t);
		t->watch = wsx_timer_new(t->loop, serve_watch, t);
		t->server =
			wsx_server_new(t->loop, &same, lim, &serve_ops, t, err);
		if (!t->server)
			return -1;
		if (pthread_create(&th->tid, NULL, serve_thread_main, t))
			return wsx_err_set(err, WSX_EXIT_FAIL,
					   "cannot start a thread");
		th->running = true;
	}
	return 0;
}

/* After the main loop: the others finish (they were told), then go. */
static void
serve_threads_end(struct serve *sv)
{
	for (size_t i = 0; i < sv->n_threads; i++) {
		struct serve_thread *th = &sv->threads[i];

		if (!th->running)
			continue;
		atomic_store(&th->sv.stop_asked, true);
		pthread_join(th->tid, NULL);
	}
	for (size_t i = 0; i < sv->n_threads; i++) {
		struct serve *t = &sv->threads[i].sv;

		wsx_timer_free(t->grace);
		wsx_timer_free(t->watch);
		wsx_server_free(t->server);
		wsx_loop_free(t->loop);
	}
	free(sv->threads);
	sv->threads = NULL;
	sv->n_threads = 0;
}

static int
serve_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct serve_opts opts = { .grace_us = SERVE_DEFAULT_GRACE_US };
	struct wsx_server_opts server;
	struct wsx_conn_limits lim;
	struct wsx_framing_opts framing;
	struct wsx_exec_opts exec = { 0 };
	void *const targets[] = { &opts, &server, &lim, &framing, &common };
	struct serve sv = { 0 };
	struct wsx_err err;
	static char sh[] = "/bin/sh", dash_c[] = "-c";
	char *sh_argv[4] = { sh, dash_c, NULL, NULL };
	char **exec_argv = NULL;
	int first, status = WSX_EXIT_OK;
	size_t modes;

	wsx_server_opts_init(&server);
	wsx_conn_limits_init(&lim);
	wsx_framing_opts_init(&framing, WSX_FRAMING_LINES);
	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (first != argc && !opts.exec) {
		status =
			cmd_usage(cmd, "unexpected argument '%s'", argv[first]);
		goto out;
	}
	modes = opts.echo + opts.broadcast + !!opts.exec + !!opts.sh;
	if (modes > 1) {
		status = cmd_usage(cmd, "--echo, --broadcast, --exec and --sh "
					"do not go together");
		goto out;
	}
	if ((opts.n_passenv || opts.max_forks) && !opts.exec && !opts.sh) {
		status = cmd_usage(cmd, "--passenv and --max-forks go with "
					"--exec or --sh");
		goto out;
	}
	if (opts.exec || opts.sh) {
		/* PROG and the operands after it, or sh -c COMMAND */
		if (opts.sh) {
			sh_argv[2] = (char *)opts.sh;
		} else {
			exec_argv = xcalloc((size_t)(argc - first) + 2,
					    sizeof(*exec_argv));
			exec_argv[0] = (char *)opts.exec;
			for (int a = first; a < argc; a++)
				exec_argv[1 + a - first] = argv[a];
		}
		exec.argv = opts.sh ? sh_argv : exec_argv;
		exec.passenv = opts.passenv;
		exec.n_passenv = opts.n_passenv;
		exec.grace_us = opts.grace_us;
		exec.framing = framing;
		exec.server_host = server.host;
		/* children outlive their connections only briefly: one per
		 * connection is the bound the gate can enforce */
		if (opts.max_forks &&
		    (!server.max_conns || opts.max_forks < server.max_conns))
			server.max_conns = opts.max_forks;
	}
	if (opts.threads > 1 && (opts.broadcast || opts.exec || opts.sh)) {
		status = cmd_usage(cmd, "--threads goes with --echo: a room "
					"and a program's children live on one "
					"thread");
		goto out;
	}
	if ((opts.echo_self || opts.slow) && !opts.broadcast) {
		status = cmd_usage(
			cmd, "--echo-self and --slow go with --broadcast");
		goto out;
	}
	if ((opts.redis || opts.redis_prefix) && !opts.broadcast) {
		status = cmd_usage(cmd, "--redis and --redis-prefix go with "
					"--broadcast");
		goto out;
	}
	if (opts.redis_prefix && !opts.redis) {
		status = cmd_usage(cmd, "--redis-prefix goes with --redis");
		goto out;
	}
#if !HAVE_HIREDIS
	if (opts.redis) {
		status = cmd_usage(cmd, "--redis: this wsx was built without "
					"Redis (configure --without-redis)");
		goto out;
	}
#endif

	lim.idle_timeout_us = opts.idle_timeout_us;
	wsx_accesslog_json(opts.log_json);
	if (opts.static_dir) {
		sv.files = wsx_static_new(opts.static_dir, &err);
		if (!sv.files) {
			status = cmd_fail(cmd, &err);
			goto out;
		}
	}

	/* no surprise exit when the terminal goes away (nohup, ssh) */
	signal(SIGHUP, SIG_IGN);
	sv.loop = wsx_loop_new(&err);
	if (!sv.loop) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
	wsx_loop_on_signal(sv.loop, serve_signal, &sv);
	sv.grace = wsx_timer_new(sv.loop, serve_grace_over, &sv);
	sv.grace_us = opts.grace_us;
	if (opts.broadcast)
		sv.bc = wsx_broadcast_new(opts.echo_self, opts.slow,
					  serve_close, &sv);
	server.reuseport = opts.threads > 1;
	sv.server =
		wsx_server_new(sv.loop, &server, &lim, &serve_ops, &sv, &err);
	if (!sv.server) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
#if HAVE_HIREDIS
	if (opts.redis) {
		sv.redis = wsx_redis_rooms_new(
			sv.loop, opts.redis,
			opts.redis_prefix ? opts.redis_prefix
					  : WSX_REDIS_DEFAULT_PREFIX,
			lim.max_message, sv.bc, &err);
		if (!sv.redis) {
			status = cmd_fail(cmd, &err);
			goto out;
		}
	}
#endif
	if (exec.argv) {
		exec.server_port = wsx_server_port(sv.server);
		wsx_server_keep_headers(sv.server);
		sv.exec = wsx_exec_new(sv.loop, &exec, &lim, serve_close, &sv);
	}
	if (opts.threads > 1 &&
	    serve_threads_start(&sv, opts.threads - 1, &server, &lim, &err)) {
		status = cmd_fail(cmd, &err);
		serve_signal(sv.loop, SIGTERM, &sv); /* the ones started */
		serve_threads_end(&sv);
		goto out;
	}
	wsx_accesslog_listening(wsx_server_url(sv.server));
	wsx_loop_run(sv.loop);
	serve_threads_end(&sv);
out:
	wsx_timer_free(sv.grace);
	wsx_server_free(sv.server);
#if HAVE_HIREDIS
	wsx_redis_rooms_free(sv.redis);
#endif
	wsx_broadcast_free(sv.bc);
	wsx_exec_free(sv.exec);
	wsx_static_free(sv.files);
	wsx_loop_free(sv.loop);
	wsx_server_opts_release(&server);
	free(opts.passenv);
	free(opts.redis);
	free(exec_argv);
	return status;
}

/* the framing options, under the title wsx-serve(1) gives them */
static const struct wsx_optgroup serve_framing_group = {
	.title = "Framing of a program's input and output (--exec, --sh)",
	.base = &wsx_framing_optgroup,
};

static const struct wsx_optgroup *const serve_groups[] = {
	&serve_group,	      &wsx_server_optgroup, &wsx_conn_optgroup,
	&serve_framing_group, &cmd_common_group,    NULL,
};

const struct wsx_cmd cmd_serve = {
	.name = "serve",
	.args = "[options]",
	.summary =
		"run a WebSocket server: echo, broadcast, --exec PROG, --static DIR",
	.description =
		"Listen for WebSocket clients and echo every message back with its type\n"
		"and exact bytes, or (--broadcast) send it to every other client in\n"
		"its room, or (--exec) bridge it to a program of its own. Binds\n"
		"127.0.0.1:8080 unless told otherwise; prints\n"
		"\"listening on ws://HOST:PORT\" on stderr once ready, then a line per\n"
		"connection. --static DIR serves files over plain HTTP on the same port.\n"
		"SIGINT or SIGTERM closes every client with 1001 and exits 0.",
	.examples =
		"  wsx serve\n"
		"  wsx serve -p 0             # any free port, printed on stderr\n"
		"  wsx serve --static ./site  # a page and its WebSocket on one port\n"
		"  wsx serve --host :: -p 9000\n"
		"  wsx serve --broadcast -p 9000   # chat: ws://127.0.0.1:9000/room\n",
	.groups = serve_groups,
	.run = serve_run,
};
