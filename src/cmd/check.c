/*
 * wsx check URL: is this server's WebSocket right? Runs the cases of
 * check/cases.c, each on a fresh connection with its own deadline, one
 * after the other on this thread (check/conn.c says why no event loop),
 * and reports a table, --json or --junit. Exit 1 when any case failed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/conn.h"
#include "check/report.h"
#include "check/run.h"
#include "cmd/cmd.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/url.h"
#include "util/xalloc.h"

#define CHECK_MAX_TIMEOUT_US (600 * 1000000ull)

enum {
	OPT_ECHO = WSX_OPTKEY_CMD,
	OPT_NO_ECHO,
	OPT_TIMEOUT,
	OPT_CASE,
	OPT_SKIP,
	OPT_LIST,
	OPT_JSON,
	OPT_JUNIT,
	OPT_COMPRESS,
	OPT_CACERT,
};

struct check_opts {
	bool no_echo, list, json, compress, insecure;
	const char *cacert;
	uint64_t timeout_us;
	const char **cases, **skips;
	size_t ncases, nskips;
	const char *junit;
};

static const struct wsx_opt check_opts[] = {
	{ OPT_ECHO, "echo", NULL, "the server echoes every message (default)" },
	{ OPT_NO_ECHO, "no-echo", NULL,
	  "it does not: run only the cases that need no echo" },
	{ OPT_TIMEOUT, "timeout", "SECS", "the longest a case may take (2)" },
	{ OPT_CASE, "case", "GLOB", "run only these cases (repeatable)" },
	{ OPT_SKIP, "skip", "GLOB", "leave these cases out (repeatable)" },
	{ OPT_COMPRESS, "compress", NULL,
	  "also check permessage-deflate (RFC 7692)" },
	{ 'k', "insecure", NULL, "wss://: accept any TLS certificate" },
	{ OPT_CACERT, "cacert", "FILE",
	  "wss://: trust the CAs in FILE, not the system's" },
	{ OPT_LIST, "list", NULL, "list the cases and exit" },
	{ OPT_JSON, "json", NULL, "print the report as one JSON document" },
	{ OPT_JUNIT, "junit", "FILE", "also write the report as JUnit XML" },
	{ 0 },
};

static const char **
check_push(const char **list, size_t *n, const char *s)
{
	list = xrealloc(list, (*n + 1) * sizeof(*list));
	list[(*n)++] = s;
	return list;
}

static int
check_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	      struct wsx_err *err)
{
	struct check_opts *o = target;

	switch (opt->key) {
	case OPT_ECHO:
		o->no_echo = false;
		return 0;
	case OPT_NO_ECHO:
		o->no_echo = true;
		return 0;
	case OPT_TIMEOUT:
		if (wsx_parse_secs("--timeout", arg, &o->timeout_us, err))
			return -1;
		if (o->timeout_us < 10000 ||
		    o->timeout_us > CHECK_MAX_TIMEOUT_US)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--timeout: '%s' is not between "
					   "10ms and 600s",
					   arg);
		return 0;
	case OPT_CASE:
		o->cases = check_push(o->cases, &o->ncases, arg);
		return 0;
	case OPT_SKIP:
		o->skips = check_push(o->skips, &o->nskips, arg);
		return 0;
	case OPT_LIST:
		o->list = true;
		return 0;
	case OPT_COMPRESS:
		o->compress = true;
		return 0;
	case 'k':
		o->insecure = true;
		return 0;
	case OPT_CACERT:
		o->cacert = arg;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_JUNIT:
		o->junit = arg;
		return 0;
	}
	return 0;
}

static const struct wsx_optgroup check_group = {
	.title = "Check options",
	.opts = check_opts,
	.set = check_opt_set,
};

/* Selected by --case and --skip, and a compression case only with
 * --compress. */
static bool
check_selected(const struct check_opts *o, const struct chk_case *k)
{
	if (!o->compress && !strcmp(k->group, "compression"))
		return false;
	return chk_selected(k, o->cases, o->ncases, o->skips, o->nskips);
}

static void
check_list(const struct check_opts *o)
{
	for (size_t i = 0; i < chk_ncases; i++) {
		const struct chk_case *k = &chk_cases[i];

		if (check_selected(o, k))
			printf("%-7s %-13s %-6s %s%s\n", k->id, k->group,
			       k->section, k->desc, k->echo ? " [echo]" : "");
	}
}

/* The target of a ws:// URL; -1 with err (exit 2) for what is not yet
 * supported. */
static int
check_target(struct chk_target *t, const char *s, struct wsx_err *err)
{
	struct wsx_url u;

	if (wsx_url_parse(&u, s, err))
		return -1;
	if (u.unix_path[0])
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "'%s': ws+unix: URLs cannot be checked yet",
				   s);
	t->tls = u.tls;
	snprintf(t->host, sizeof(t->host), "%s", u.host);
	t->port = u.port;
	snprintf(t->path, sizeof(t->path), "%s", u.path);
	snprintf(t->hostport, sizeof(t->hostport),
		 strchr(u.host, ':') ? "[%s]:%u" : "%s:%u", u.host, u.port);
	return 0;
}

/* Can the server be reached and does it upgrade at all? 0, or an exit
 * status 3 or 4 with err. */
static int
check_preflight(const struct chk_target *t, uint64_t timeout_us,
		struct wsx_err *err)
{
	struct chk_conn c;
	char req[4096], head[8192];
	int status, rc = 0;

	chk_conn_init(&c);
	c.deadline_us = wsx_now_us() + timeout_us;
	rc = chk_conn_open_tls(&c, t);
	if (rc) {
		rc = wsx_err_set(err,
				 rc == -2 ? WSX_EXIT_TLS : WSX_EXIT_CONNECT,
				 "%s", c.why);
		goto out;
	}
	snprintf(req, sizeof(req),
		 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\n"
		 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
		 "Sec-WebSocket-Version: 13\r\n\r\n",
		 t->path, t->hostport);
	chk_conn_write(&c, req, strlen(req));
	status = chk_conn_http(&c, head, sizeof(head));
	if (status < 0)
		rc = wsx_err_set(err, WSX_EXIT_HANDSHAKE,
				 "handshake refused: %s", c.why);
	else if (status != 101)
		rc = wsx_err_set(err, WSX_EXIT_HANDSHAKE,
				 "handshake refused: HTTP %d", status);
	else
		chk_conn_write(&c, "\x88\x82\0\0\0\0\x03\xe8", 8);
out:
	chk_conn_release(&c);
	return rc;
}

static void
check_progress(size_t done, size_t total, const struct chk_case *k)
{
	fprintf(stderr, "\r\033[K[%3zu/%zu] %s %.60s", done + 1, total, k->id,
		k->desc);
	fflush(stderr);
}

static int
check_run(const struct wsx_cmd *cmd, int argc, char **argv)
{
	struct cmd_common common = { 0 };
	struct check_opts o = { .timeout_us = 2000000 };
	void *const targets[] = { &o, &common };
	struct chk_row *rows = NULL;
	struct chk_target t = { 0 };
	struct wsx_err err;
	size_t n = 0, counts[CHK_NVERDICTS];
	bool progress;
	uint64_t start;
	double secs;
	int first, status;

	first = cmd_parse(cmd, argc, argv, targets, &common, &status);
	if (first < 0)
		goto out;
	if (o.list) {
		status = argc == first ? WSX_EXIT_OK
				       : cmd_usage(cmd, "--list takes no URL");
		if (!status)
			check_list(&o);
		goto out;
	}
	if (argc - first != 1) {
		status = cmd_usage(cmd, argc == first ? "missing URL"
						      : "too many arguments");
		goto out;
	}
	rows = xcalloc(chk_ncases, sizeof(*rows));
	for (size_t i = 0; i < chk_ncases; i++)
		if (check_selected(&o, &chk_cases[i]))
			rows[n++].k = &chk_cases[i];
	if (!n) {
		status = cmd_usage(cmd, "no case matches --case and --skip");
		goto out;
	}
	if (check_target(&t, argv[first], &err)) {
		status = cmd_fail(cmd, &err);
		goto out;
	}
	if (t.tls) {
		char why[160];

		t.ssl_ctx =
			chk_tls_ctx_new(o.cacert, o.insecure, why, sizeof(why));
		if (!t.ssl_ctx) {
			status = cmd_usage(cmd, "--cacert: %s", why);
			goto out;
		}
	}
	if (check_preflight(&t, o.timeout_us, &err)) {
		status = cmd_fail(cmd, &err);
		goto out;
	}

	progress = isatty(STDERR_FILENO) && !common.quiet;
	start = wsx_now_us();
	for (size_t i = 0; i < n; i++) {
		if (progress)
			check_progress(i, n, rows[i].k);
		if (rows[i].k->echo && o.no_echo) {
			rows[i].r.verdict = CHK_SKIPPED;
			snprintf(rows[i].r.got, sizeof(rows[i].r.got),
				 "needs an echo server (--no-echo)");
			continue;
		}
		chk_run_case(&t, o.timeout_us, rows[i].k, &rows[i].r);
		wsx_debug("%s: %s", rows[i].k->id,
			  chk_verdict_name(rows[i].r.verdict));
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	secs = (double)(wsx_now_us() - start) / 1e6;

	if (o.json)
		chk_report_json(stdout, argv[first], rows, n, secs);
	else
		chk_report_table(stdout, rows, n,
				 isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
				 secs);
	if (o.junit) {
		FILE *f = fopen(o.junit, "w");

		if (!f || chk_report_junit(f, argv[first], rows, n, secs) ||
		    fclose(f)) {
			wsx_error("cannot write '%s'", o.junit);
			status = WSX_EXIT_FAIL;
			goto out;
		}
	}
	chk_count(rows, n, counts);
	status = counts[CHK_FAIL] ? WSX_EXIT_FAIL : WSX_EXIT_OK;
out:
	if (t.ssl_ctx)
		chk_tls_ctx_free(t.ssl_ctx);
	free(rows);
	free(o.cases);
	free(o.skips);
	return status;
}

static const struct wsx_optgroup *const check_groups[] = {
	&check_group,
	&cmd_common_group,
	NULL,
};

const struct wsx_cmd cmd_check = {
	.name = "check",
	.args = "[options] URL",
	.summary = "check a server's WebSocket against RFC 6455, case by case",
	.description =
		"Connect to the server at URL many times and run conformance cases\n"
		"grouped like RFC 6455: handshake, framing, pings, reserved bits and\n"
		"opcodes, fragmentation, UTF-8, close, limits. Each case gets a verdict:\n"
		"pass, fail (with what was expected and what came), non-strict (allowed,\n"
		"but weaker) or info. The server must echo (--no-echo runs only the\n"
		"cases that need no echo); --compress adds permessage-deflate. Exit\n"
		"status 1 when any case failed; 3, 4 or 5 when the server cannot be\n"
		"reached, will not upgrade or fails TLS.",
	.examples =
		"  wsx check ws://127.0.0.1:8080/\n"
		"  wsx check --case '6.*' --skip 6.5.2 ws://127.0.0.1:8080/\n"
		"  wsx check --json --junit check.xml ws://127.0.0.1:8080/\n",
	.groups = check_groups,
	.run = check_run,
};
