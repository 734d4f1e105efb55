/*
 * wsx relay's setup: its option table, the two endpoint specs, the checks
 * that they and the options go together, which side listens, and the URL
 * each ws:// side connects to. Nothing here opens, prints or exits; see
 * relay.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/relay.h"
#include "io/framing.h"
#include "util/parse.h"
#include "util/xalloc.h"

enum {
	OPT_LOG = WSX_OPTKEY_CMD,
	OPT_RECORD,
	OPT_CONNECT_FIRST,
	OPT_FORWARD_HEADER,
	OPT_FORWARD_PATH,
	OPT_GRACE,
};

static const struct wsx_opt relay_optv[] = {
	{ OPT_LOG, "log", NULL,
	  "print each message on stderr: time, c>u/u>c, size" },
	{ OPT_RECORD, "record", "FILE",
	  "write every event to FILE as JSON lines (--replay)" },
	{ OPT_CONNECT_FIRST, "connect-first", NULL,
	  "ws-l: reach upstream before the handshake, or 502" },
	{ OPT_FORWARD_HEADER, "forward-header", "NAME",
	  "ws-l: pass this request header on (repeatable)" },
	{ OPT_FORWARD_PATH, "forward-path", NULL,
	  "ws-l: append the request's path and query" },
	{ OPT_GRACE, "grace", "SECS",
	  "exec: time a child gets to exit before signals (2)" },
	{ 0 },
};

static int
relay_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	      struct wsx_err *err)
{
	struct relay_opts *o = target;

	switch (opt->key) {
	case OPT_LOG:
		o->log = true;
		break;
	case OPT_RECORD:
		o->record = arg;
		break;
	case OPT_CONNECT_FIRST:
		o->connect_first = true;
		break;
	case OPT_FORWARD_HEADER:
		if (!*arg || strpbrk(arg, ": \t\r\n"))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--forward-header: '%.100s' is not "
					   "a header name",
					   arg);
		o->headers = xrealloc(o->headers,
				      (o->n_headers + 1) * sizeof(*o->headers));
		o->headers[o->n_headers++] = arg;
		break;
	case OPT_FORWARD_PATH:
		o->forward_path = true;
		break;
	case OPT_GRACE:
		return wsx_parse_secs("--grace", arg, &o->grace_us, err);
	}
	return 0;
}

static const struct wsx_optgroup relay_group = {
	.title = "Relay options",
	.opts = relay_optv,
	.set = relay_opt_set,
};

/*
 * the listener's address is in its spec; --user and --origin are the
 * client's (the listener's Origins are --allow-origin)
 */
static const char *const relay_server_except[] = { "port",   "host",   "user",
						   "cacert", "origin", NULL };
static const struct wsx_optgroup relay_server_group = {
	.title = "Listener options (ws-l:, wss-l:)",
	.base = &wsx_server_optgroup,
	.except = relay_server_except,
};

/* --cert and --key are the listener's */
static const char *const relay_client_except[] = { "cert", "key", NULL };
static const struct wsx_optgroup relay_client_group = {
	.title = "Client options (ws://, wss://)",
	.base = &wsx_client_optgroup,
	.except = relay_client_except,
};

/* the framing options, under the title wsx-relay(1) gives them */
static const struct wsx_optgroup relay_framing_group = {
	.title = "Framing of byte streams",
	.base = &wsx_framing_optgroup,
};

/* in the order of relay_setup_parse()'s targets */
const struct wsx_optgroup *const relay_groups[] = {
	&relay_group,
	&relay_server_group,
	&relay_client_group,
	&wsx_conn_optgroup,
	&relay_framing_group,
	&cmd_common_group,
	NULL,
};

void
relay_setup_init(struct relay_setup *s)
{
	memset(s, 0, sizeof(*s));
	s->opts.grace_us = RELAY_DEFAULT_GRACE_US;
	wsx_server_opts_init(&s->server);
	wsx_client_opts_init(&s->client);
	wsx_conn_limits_init(&s->lim);
	/* no framing option given: --raw, or --lines where a side is '-' */
	wsx_framing_opts_init(&s->sopts.framing, (enum wsx_framing) - 1);
}

/* The listener, if one side listens, goes first. */
static int
relay_setup_sides(struct relay_setup *s, struct wsx_err *err)
{
	struct wsx_spec t;

	if (!wsx_spec_listens(&s->spec[1]))
		return 0;
	if (wsx_spec_listens(&s->spec[0]))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "'%s' and '%s' both listen: one side must "
				   "connect",
				   s->spec[0].text, s->spec[1].text);
	t = s->spec[0];
	s->spec[0] = s->spec[1];
	s->spec[1] = t;
	return 0;
}

/* Whether the options fit the sides. */
static int
relay_setup_check(const struct relay_setup *s, struct wsx_err *err)
{
	const struct relay_opts *o = &s->opts;
	const struct wsx_server_opts *server = &s->server;
	const struct wsx_spec *l = &s->spec[0], *up = &s->spec[1];
	bool ws_l = l->kind == WSX_SPEC_WS_LISTEN;

	if (l->kind == WSX_SPEC_STDIO && up->kind == WSX_SPEC_STDIO)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "'-' on both sides: one side must be "
				   "something else");
	if ((o->connect_first || o->n_headers || o->forward_path) && !ws_l)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--connect-first, --forward-header and "
				   "--forward-path go with a ws-l: side");
	if ((o->n_headers || o->forward_path) && up->kind != WSX_SPEC_WS)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--forward-header and --forward-path go "
				   "with a ws:// upstream");
	if (!ws_l && (server->cert || server->n_origins || server->token ||
		      server->max_conns))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "listener options go with a ws-l: or "
				   "wss-l: side");
	if (s->client.origin && ws_l && up->kind != WSX_SPEC_WS)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--origin sends an Origin header to a "
				   "ws:// side; --allow-origin says which "
				   "Origins a ws-l: side lets in");
	if (ws_l && l->tls && !server->cert)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "'%s' needs --cert and --key", l->text);
	if (ws_l && !l->tls && server->cert)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--cert and --key go with wss-l:");
	return 0;
}

/* What the options leave to the sides: --raw unless a side is '-'. */
static void
relay_setup_streams(struct relay_setup *s)
{
	if ((int)s->sopts.framing.mode < 0)
		s->sopts.framing.mode =
			s->spec[0].kind == WSX_SPEC_STDIO ||
					s->spec[1].kind == WSX_SPEC_STDIO
				? WSX_FRAMING_LINES
				: WSX_FRAMING_RAW;
	s->sopts.max_message = s->lim.max_message;
	s->sopts.budget = s->lim.buffer;
	s->sopts.connect_timeout_us = s->client.connect_timeout_us;
}

int
relay_setup_parse(struct relay_setup *s, int argc, char **argv,
		  struct wsx_err *err)
{
	void *const targets[] = { &s->opts, &s->server,	       &s->client,
				  &s->lim,  &s->sopts.framing, &s->common };
	int first = wsx_opt_parse(argc, argv, relay_groups, targets, err);

	if (first < 0)
		return -1;
	if (s->common.help || s->common.list_options)
		return 1;
	if (argc - first != 2)
		return wsx_err_set(err, WSX_EXIT_USAGE, "%s",
				   argc - first < 2
					   ? "expected two endpoints, A and B"
					   : "too many arguments");
	for (int i = 0; i < 2; i++)
		if (wsx_spec_parse(&s->spec[i], argv[first + i], err))
			return -1;
	if (relay_setup_sides(s, err) || relay_setup_check(s, err))
		return -1;
	relay_setup_streams(s);
	return 0;
}

bool
relay_setup_listens(const struct relay_setup *s)
{
	return wsx_spec_listens(&s->spec[0]);
}

char *
relay_setup_url(const struct relay_setup *s, const struct wsx_spec *sp,
		const char *path)
{
	const char *base = sp->url;
	size_t n = strlen(base);
	char *url;

	if (!s->opts.forward_path || !path || !path[0] || !strcmp(path, "/"))
		return xstrdup(base);
	if (n && base[n - 1] == '/')
		n--;
	url = xmalloc(n + strlen(path) + 1);
	memcpy(url, base, n);
	strcpy(url + n, path);
	return url;
}

void
relay_setup_release(struct relay_setup *s)
{
	for (int i = 0; i < 2; i++)
		wsx_spec_release(&s->spec[i]);
	wsx_server_opts_release(&s->server);
	wsx_client_opts_release(&s->client);
	free(s->opts.headers);
	s->opts.headers = NULL;
}
