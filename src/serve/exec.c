/* Exec: a child process per connection, each joined to it by a relay; see
 * exec.h. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/ep_exec.h"
#include "relay/ep_stream.h"
#include "relay/ep_ws.h"
#include "relay/relay.h"
#include "serve/exec.h"
#include "util/log.h"
#include "util/xalloc.h"

struct wsx_exec {
	struct wsx_loop *loop;
	const struct wsx_exec_opts *opts;
	struct wsx_ep_stream_opts sopts;
	void (*on_close)(struct wsx_conn *, const struct wsx_close *, void *);
	void *arg;
	struct wsx_procs *procs;
	struct wsx_pairs pairs;
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
	x->sopts.framing = opts->framing;
	x->sopts.max_message = lim->max_message;
	x->sopts.budget = lim->buffer;
	x->on_close = on_close;
	x->arg = arg;
	x->procs = wsx_procs_new();
	return x;
}

size_t
wsx_exec_count(const struct wsx_exec *x)
{
	return wsx_procs_count(x->procs);
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

/* --- a relay per connection ------------------------------------------------
 */

/* the connection's end, for the server's own bookkeeping */
static void
exec_watch_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct wsx_exec *x = arg;

	if (x->on_close)
		x->on_close(c, cl, x->arg);
}

static const struct wsx_conn_ops exec_watch = {
	.on_close = exec_watch_close,
};

void
wsx_exec_attach(struct wsx_exec *x, struct wsx_conn *c)
{
	const struct wsx_conn_info *i = wsx_conn_info(c);
	struct wsx_ep *ws = wsx_ep_ws_accepted(c, &exec_watch, x);
	struct wsx_pair_opts po = { 0 };
	struct wsx_ep *child;
	struct wsx_err err;
	char **env = exec_environment(x, i);

	child = wsx_ep_exec_new(x->loop, x->procs, x->opts->argv, env,
				x->opts->grace_us, &x->sopts, &err);
	env_free(env);
	if (!child) {
		/* the relay closes ws with 1011 */
		wsx_info("%s", err.msg);
		child = wsx_ep_failed_new(x->loop, x->opts->argv[0], &err);
	}
	wsx_debug("%s for %s", child->peer, i->peer);
	wsx_pair_new(x->loop, &x->pairs, ws, child, &po, NULL, NULL);
}

void
wsx_exec_free(struct wsx_exec *x)
{
	if (!x)
		return;
	/* the server is going: SIGTERM, a moment to finish, then SIGKILL */
	wsx_pairs_free_all(&x->pairs);
	wsx_procs_free(x->procs);
	free(x);
}
