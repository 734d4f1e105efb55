/* WebSocket listeners; see server.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/internal.h"
#include "proto/server.h"
#include "util/parse.h"
#include "util/xalloc.h"

struct wsx_server {
	struct wsx_loop *loop;
	struct lws_vhost *vh;
	struct wsx_gate gate;
	struct wsx_conn_limits lim;
	const struct wsx_server_ops *ops;
	void *arg;
	bool accepting;
	bool keep_headers;
	char **custom_headers; /* wsx_server_keep_header(): "name:" */
	size_t n_custom_headers;
	size_t count;
	struct wsx_conn *conns; /* every open connection */
	char url[300];
};

enum {
	OPT_HOST = WSX_OPTKEY_SERVER,
	OPT_CERT,
	OPT_KEY,
	OPT_ORIGIN,
	OPT_USER,
	OPT_TOKEN,
	OPT_MAX_CONNS,
	OPT_HANDSHAKE_TIMEOUT,
};

static const struct wsx_opt server_opts[] = {
	{ 'p', "port", "PORT",
	  "port to listen on (default 8080; 0 picks one)" },
	{ OPT_HOST, "host", "ADDR",
	  "listen address (127.0.0.1); 0.0.0.0 or :: for all" },
	{ OPT_CERT, "cert", "FILE",
	  "serve wss:// with this certificate (PEM)" },
	{ OPT_KEY, "key", "FILE", "private key of --cert (PEM)" },
	{ OPT_ORIGIN, "origin", "URL",
	  "allow only this Origin (repeatable); others: 403" },
	{ OPT_USER, "user", "USER:PASS",
	  "require HTTP Basic credentials (401)" },
	{ OPT_TOKEN, "token", "TOKEN",
	  "require 'Bearer TOKEN' or ?token=TOKEN (401)" },
	{ OPT_MAX_CONNS, "max-conns", "N", "at most N clients; more: 503" },
	{ OPT_HANDSHAKE_TIMEOUT, "handshake-timeout", "SECS",
	  "drop a client whose request takes longer (10)" },
	{ 0 },
};

static int
server_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	       struct wsx_err *err)
{
	struct wsx_server_opts *o = target;
	unsigned long port;
	uint64_t usec;

	switch (opt->key) {
	case 'p':
		if (wsx_parse_uint("--port", arg, 0, 65535, &port, err))
			return -1;
		o->port = (unsigned)port;
		break;
	case OPT_HOST:
		o->host = arg;
		break;
	case OPT_CERT:
		o->cert = arg;
		break;
	case OPT_KEY:
		o->key = arg;
		break;
	case OPT_ORIGIN:
		o->origins = xrealloc(o->origins,
				      (o->n_origins + 1) * sizeof(*o->origins));
		o->origins[o->n_origins++] = arg;
		break;
	case OPT_USER:
		if (!strchr(arg, ':'))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--user: expected USER:PASS");
		free(o->user);
		o->user = xstrdup(arg);
		memset((char *)arg, '*', strlen(arg)); /* out of ps(1) */
		break;
	case OPT_TOKEN:
		if (!*arg)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--token: must not be empty");
		free(o->token);
		o->token = xstrdup(arg);
		memset((char *)arg, '*', strlen(arg));
		break;
	case OPT_MAX_CONNS:
		return wsx_parse_uint("--max-conns", arg, 1, 1000000,
				      &o->max_conns, err);
	case OPT_HANDSHAKE_TIMEOUT:
		if (wsx_parse_secs("--handshake-timeout", arg, &usec, err))
			return -1;
		if (!usec || usec > 3600 * 1000000ull)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--handshake-timeout: from 1 to "
					   "3600 seconds");
		/* libwebsockets counts whole seconds */
		o->handshake_timeout_s = (unsigned)((usec + 999999) / 1000000);
		break;
	}
	return 0;
}

const struct wsx_optgroup wsx_server_optgroup = {
	.title = "Server options",
	.opts = server_opts,
	.set = server_opt_set,
};

void
wsx_server_opts_init(struct wsx_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = WSX_DEFAULT_PORT;
	o->handshake_timeout_s = WSX_DEFAULT_HANDSHAKE_TIMEOUT_S;
}

void
wsx_server_opts_release(struct wsx_server_opts *o)
{
	free(o->origins);
	free(o->user);
	free(o->token);
	o->origins = NULL;
	o->n_origins = 0;
	o->user = o->token = NULL;
}

/* libwebsockets binds to an address literal; resolve "localhost" and co. */
static int
server_resolve(const char *host, char *out, size_t outsz, struct wsx_err *err)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--host: cannot resolve '%.100s': %s", host,
				   gai_strerror(rc));
	rc = getnameinfo(res->ai_addr, res->ai_addrlen, out, (socklen_t)outsz,
			 NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	if (rc)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--host: bad address '%.100s'", host);
	return 0;
}

struct wsx_server *
wsx_server_new(struct wsx_loop *loop, const struct wsx_server_opts *opts,
	       const struct wsx_conn_limits *lim,
	       const struct wsx_server_ops *ops, void *arg, struct wsx_err *err)
{
	struct lws_context_creation_info info;
	struct wsx_server *s;
	char addr[INET6_ADDRSTRLEN];
	bool v6;

	if (!opts->cert != !opts->key) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--cert and --key go together");
		return NULL;
	}
	if (server_resolve(opts->host, addr, sizeof(addr), err))
		return NULL;
	v6 = strchr(addr, ':') != NULL;
	s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->lim = *lim;
	s->ops = ops;
	s->arg = arg;
	s->accepting = true;
	gate_init(&s->gate, opts);
	memset(&info, 0, sizeof(info));
	info.port = (int)opts->port;
	info.iface = addr;
	info.user = s;
	/*
	 * A client has this long from connecting to a complete request: lws
	 * does not restart the clock per byte, so one dribbling a byte at a
	 * time (slowloris) cannot hold a slot.
	 */
	info.timeout_secs_ah_idle = opts->handshake_timeout_s;
	info.ssl_cert_filepath = opts->cert;
	info.ssl_private_key_filepath = opts->key;
	/* TLS only when asked for: see client_vhost() in client.c */
	if (opts->cert)
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	if (!v6)
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	else if (!strcmp(addr, "::"))
		info.options |= LWS_SERVER_OPTION_IPV6_V6ONLY_MODIFY;
	s->vh = loop_vhost_new(loop, &info, err);
	if (!s->vh) {
		if (opts->cert)
			wsx_err_set(
				err, WSX_EXIT_USAGE,
				"cannot serve TLS with --cert '%s' and --key '%s'",
				opts->cert, opts->key);
		else
			wsx_err_set(
				err, WSX_EXIT_FAIL,
				"cannot listen on %s port %u (in use, or not an address of this host)",
				addr, opts->port);
		gate_release(&s->gate);
		free(s);
		return NULL;
	}
	snprintf(s->url, sizeof(s->url), v6 ? "%s://[%s]:%d" : "%s://%s:%d",
		 opts->cert ? "wss" : "ws", addr,
		 lws_get_vhost_listen_port(s->vh));
	return s;
}

const char *
wsx_server_url(const struct wsx_server *s)
{
	return s->url;
}

unsigned
wsx_server_port(const struct wsx_server *s)
{
	return (unsigned)lws_get_vhost_listen_port(s->vh);
}

int
server_filter(struct wsx_server *s, struct lws *wsi)
{
	(void)wsi;
	return s && s->accepting ? 0 : -1;
}

int
server_confirm_upgrade(struct wsx_server *s, struct lws *wsi)
{
	int rc, status;

	if (!s)
		return 0;
	rc = gate_check(&s->gate, s->count, wsi);
	if (rc || !s->ops->on_upgrade)
		return rc;
	status = s->ops->on_upgrade(s, s->arg);
	return status ? gate_refuse(wsi, (unsigned)status, NULL, NULL) : 0;
}

static void
server_peer_name(struct lws *wsi, char *out, size_t outsz)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char host[INET6_ADDRSTRLEN], port[8];

	snprintf(out, outsz, "?");
	if (getpeername(lws_get_socket_fd(wsi), (struct sockaddr *)&sa, &len) ||
	    getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host), port,
			sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV))
		return;
	if (!strncmp(host, "::ffff:", 7))
		memmove(host, host + 7, strlen(host + 7) + 1);
	snprintf(out, outsz, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
		 port);
}

/* After an answer without a body: keep the connection for the next one. */
static int
server_http_done(struct lws *wsi)
{
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int
server_http_redirect(struct lws *wsi, const char *location)
{
	unsigned char buf[LWS_PRE + 2400], *start = buf + LWS_PRE, *p = start;

	if (lws_http_redirect(wsi, HTTP_STATUS_MOVED_PERMANENTLY,
			      (const unsigned char *)location,
			      (int)strlen(location), &p,
			      buf + sizeof(buf) - 1) < 0)
		return -1;
	return server_http_done(wsi);
}

static const char *
server_http_method(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
		return "GET";
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0)
		return "HEAD";
	return "";
}

int
server_http(struct wsx_server *s, struct lws *wsi, const char *path)
{
	struct wsx_http_answer ans = { .status = 426 };
	struct wsx_http_request req;
	char peer[272];
	int rc;

	if (!s)
		return -1;
	rc = gate_check_http(&s->gate, wsi);
	if (rc)
		return rc < 0 ? -1 : server_http_done(wsi);
	server_peer_name(wsi, peer, sizeof(peer));
	req.method = server_http_method(wsi);
	req.path = path && *path ? path : "/";
	req.peer = peer;
	if (s->ops->on_http)
		s->ops->on_http(s, &req, &ans, s->arg);
	switch (ans.status) {
	case 200:
		/* lws sends it from the loop; FILE_COMPLETION ends it */
		rc = lws_serve_http_file(wsi, ans.file, ans.content_type, NULL,
					 0);
		return rc < 0 ? -1 : 0;
	case 301:
		return server_http_redirect(wsi, ans.location);
	default:
		if (lws_return_http_status(wsi, ans.status, NULL))
			return -1;
		return server_http_done(wsi);
	}
}

void
wsx_server_keep_headers(struct wsx_server *s)
{
	s->keep_headers = true;
}

void
wsx_server_keep_header(struct wsx_server *s, const char *name)
{
	size_t n = strlen(name);
	char *h = xmalloc(n + 2);

	for (size_t i = 0; i < n; i++) /* lws keeps them lower case */
		h[i] = (char)tolower((unsigned char)name[i]);
	memcpy(h + n, ":", 2);
	s->custom_headers =
		xrealloc(s->custom_headers, (s->n_custom_headers + 1) *
						    sizeof(*s->custom_headers));
	s->custom_headers[s->n_custom_headers++] = h;
	s->keep_headers = true;
}

static void
server_add_header(struct wsx_conn *c, const char *name, size_t n,
		  const char *value)
{
	char line[1100];

	snprintf(line, sizeof(line), "%.*s %s", (int)n, name, value);
	c->info.headers =
		xrealloc(c->info.headers,
			 (c->info.n_headers + 1) * sizeof(*c->info.headers));
	c->info.headers[c->info.n_headers++] = xstrdup(line);
}

/* The request headers, while libwebsockets still has them. */
static void
server_copy_headers(struct wsx_server *s, struct wsx_conn *c, struct lws *wsi)
{
	char value[1024];

	for (int t = 0; t < WSI_TOKEN_COUNT; t++) {
		const char *name = (const char *)lws_token_to_string(
			(enum lws_token_indexes)t);
		size_t n = name ? strlen(name) : 0;

		/* real headers only: "name:", not ":path" or "get " */
		if (n < 2 || name[0] == ':' || name[n - 1] != ':' ||
		    lws_hdr_copy(wsi, value, sizeof(value),
				 (enum lws_token_indexes)t) <= 0)
			continue;
		server_add_header(c, name, n, value);
	}
	for (size_t i = 0; i < s->n_custom_headers; i++) {
		const char *name = s->custom_headers[i];
		int n = (int)strlen(name);

		if (lws_hdr_custom_length(wsi, name, n) > 0 &&
		    lws_hdr_custom_copy(wsi, value, sizeof(value), name, n) >=
			    0)
			server_add_header(c, name, (size_t)n, value);
	}
}

struct wsx_conn *
server_accept(struct wsx_server *s, struct lws *wsi)
{
	struct wsx_conn *c;
	char path[2048], args[200];

	if (!s || !s->accepting)
		return NULL;
	c = conn_new(s->loop, false, &s->lim);
	c->wsi = wsi;
	c->server = s;
	lws_set_opaque_user_data(wsi, c);
	server_peer_name(wsi, c->info.peer, sizeof(c->info.peer));
	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) < 0)
		snprintf(path, sizeof(path), "/");
	if (lws_hdr_copy(wsi, args, sizeof(args), WSI_TOKEN_HTTP_URI_ARGS) > 0)
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "?%s", args);
	/* sized to fit: thousands of idle clients each keep one */
	free(c->info.path);
	c->info.path = xstrdup(path);
	if (s->keep_headers)
		server_copy_headers(s, c, wsi);
	conn_note_subprotocol(c, wsi); /* on_accept sees the whole info */
	c->srv_next = s->conns;
	if (s->conns)
		s->conns->srv_prev = c;
	s->conns = c;
	s->count++;
	if (s->ops->on_accept)
		s->ops->on_accept(s, c, s->arg);
	return c;
}

void
server_forget(struct wsx_server *s, struct wsx_conn *c)
{
	if (c->srv_prev)
		c->srv_prev->srv_next = c->srv_next;
	else
		s->conns = c->srv_next;
	if (c->srv_next)
		c->srv_next->srv_prev = c->srv_prev;
	c->server = NULL;
	s->count--;
}

void
wsx_server_stop_accepting(struct wsx_server *s)
{
	s->accepting = false;
}

void
wsx_server_close_all(struct wsx_server *s, int code, const char *reason)
{
	for (struct wsx_conn *c = s->conns; c; c = c->srv_next)
		wsx_conn_close(c, code, reason);
}

size_t
wsx_server_count(const struct wsx_server *s)
{
	return s->count;
}

void
wsx_server_free(struct wsx_server *s)
{
	if (!s)
		return;
	/* connections left are freed with the loop; they must not call back */
	for (struct wsx_conn *c = s->conns; c; c = c->srv_next) {
		c->server = NULL;
		c->ops = NULL;
	}
	gate_release(&s->gate);
	for (size_t i = 0; i < s->n_custom_headers; i++)
		free(s->custom_headers[i]);
	free(s->custom_headers);
	free(s);
}
