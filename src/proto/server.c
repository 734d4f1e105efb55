/* WebSocket listeners; see server.h. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/net.h"
#include "proto/fdwatch.h"
#include "proto/internal.h"
#include "proto/server.h"
#include "proto/tls.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/xalloc.h"

struct wsx_server {
	struct wsx_loop *loop;
	struct wsx_fdw *listener;
	struct wsx_tls_ctx *tls; /* --cert: wss:// */
	unsigned port;		 /* bound */
	struct wsx_gate gate;
	struct wsx_conn_limits lim;
	struct ws_server_hs hs;
	struct ws_deflate_params deflate;
	uint64_t head_timeout_us;
	const struct wsx_server_ops *ops;
	void *arg;
	bool accepting;
	bool keep_headers;
	size_t count;
	struct wsx_conn *conns; /* every open WebSocket */
	struct wsx_link *links; /* every connection, WebSocket or not */
	lws_sorted_usec_list_t sul_accept; /* out of descriptors: retry */
	char url[300];
};

enum {
	OPT_HOST = WSX_OPTKEY_SERVER,
	OPT_CERT,
	OPT_KEY,
	OPT_CACERT,
	OPT_ORIGIN,
	OPT_USER,
	OPT_TOKEN,
	OPT_MAX_CONNS,
	OPT_HANDSHAKE_TIMEOUT,
	OPT_COMPRESS,
};

static const struct wsx_opt server_opts[] = {
	{ 'p', "port", "PORT",
	  "port to listen on (default 8080; 0 picks one)" },
	{ OPT_HOST, "host", "ADDR",
	  "listen address (127.0.0.1); 0.0.0.0 or :: for all" },
	{ OPT_CERT, "cert", "FILE",
	  "serve wss:// with this certificate (PEM)" },
	{ OPT_KEY, "key", "FILE", "private key of --cert (PEM)" },
	{ OPT_CACERT, "cacert", "FILE",
	  "mTLS: require client certificates from this CA" },
	{ OPT_ORIGIN, "allow-origin", "URL",
	  "allow only this Origin (repeatable); others: 403" },
	/*
	 * websocketd's spelling, kept for scripts; hidden because --origin
	 * sends an Origin everywhere else (connect, pipe, relay, bench)
	 */
	{ OPT_ORIGIN, "origin", "URL", NULL },
	{ OPT_USER, "user", "USER:PASS",
	  "require HTTP Basic credentials (401)" },
	{ OPT_TOKEN, "token", "TOKEN",
	  "require 'Bearer TOKEN' or ?token=TOKEN (401)" },
	{ OPT_MAX_CONNS, "max-conns", "N", "at most N clients; more: 503" },
	{ OPT_HANDSHAKE_TIMEOUT, "handshake-timeout", "SECS",
	  "drop a client whose request takes longer (10)" },
	{ OPT_COMPRESS, "compress", NULL,
	  "accept permessage-deflate (RFC 7692) when offered" },
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
	case OPT_CACERT:
		o->cacert = arg;
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
		o->handshake_timeout_s = (unsigned)((usec + 999999) / 1000000);
		break;
	case OPT_COMPRESS:
		o->compress = true;
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

/* Bind to an address literal: "localhost" and co. resolved once. */
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

/* Listen, and accept every connection waiting, from the loop. */
static void server_readable(struct wsx_fdw *w, int fd, void *arg);

static const struct wsx_fdw_ops server_listener_ops = {
	.on_readable = server_readable,
};

static void
server_accept_again(lws_sorted_usec_list_t *sul)
{
	struct wsx_server *s =
		lws_container_of(sul, struct wsx_server, sul_accept);

	wsx_fdw_pause(s->listener, false);
}

static void
server_readable(struct wsx_fdw *w, int fd, void *arg)
{
	struct wsx_server *s = arg;
	char peer[272];

	(void)w;
	for (int i = 0; i < 64; i++) {
		int cfd = wsx_net_accept(fd, peer, sizeof(peer));
		struct wsx_link *l;

		if (cfd < 0) {
			/*
			 * Out of descriptors: the pending connection stays
			 * in the backlog and poll() would report it again at
			 * once, a busy loop. Look again a little later.
			 */
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				wsx_fdw_pause(s->listener, true);
				lws_sul_schedule(s->loop->ctx, 0,
						 &s->sul_accept,
						 server_accept_again, 100000);
			}
			return;
		}
		if (!s->accepting) {
			close(cfd);
			continue;
		}
		l = link_accept(s, s->loop, cfd, peer, s->tls);
		if (!l)
			continue; /* lws closed cfd */
		link_list_add(&s->links, l);
	}
}

struct wsx_server *
wsx_server_new(struct wsx_loop *loop, const struct wsx_server_opts *opts,
	       const struct wsx_conn_limits *lim,
	       const struct wsx_server_ops *ops, void *arg, struct wsx_err *err)
{
	struct wsx_server *s;
	struct wsx_tls_ctx *tls = NULL;
	char addr[INET6_ADDRSTRLEN];
	unsigned bound;
	int fd;

	if (!opts->cert != !opts->key) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--cert and --key go together");
		return NULL;
	}
	if (opts->cacert && !opts->cert) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--cacert (client certificates) needs --cert and "
			    "--key");
		return NULL;
	}
	if (server_resolve(opts->host, addr, sizeof(addr), err))
		return NULL;
	if (opts->cert) {
		struct wsx_tls_server_opts to = { .cert = opts->cert,
						  .key = opts->key,
						  .cacert = opts->cacert,
						  .alpn = "http/1.1" };

		tls = wsx_tls_server_ctx(&to, err);
		if (!tls) {
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			wsx_err_set(err, err->code, "cannot serve TLS: %s",
				    why);
			return NULL;
		}
	}
	fd = wsx_net_listen_tcp(addr, opts->port, opts->reuseport, &bound, err);
	if (fd < 0) {
		wsx_tls_ctx_free(tls);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->lim = *lim;
	s->ops = ops;
	s->arg = arg;
	s->accepting = true;
	s->port = bound;
	s->tls = tls;
	s->head_timeout_us = (uint64_t)opts->handshake_timeout_s * 1000000;
	if (opts->compress)
		s->hs.deflate = &s->deflate; /* RFC 7692's defaults */
	gate_init(&s->gate, opts);
	s->listener =
		wsx_fdw_adopt_socket(loop, fd, &server_listener_ops, s, err);
	if (!s->listener) {
		gate_release(&s->gate);
		wsx_tls_ctx_free(tls);
		free(s);
		return NULL;
	}
	snprintf(s->url, sizeof(s->url),
		 strchr(addr, ':') ? "%s://[%s]:%u" : "%s://%s:%u",
		 opts->cert ? "wss" : "ws", addr, bound);
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
	return s->port;
}

const struct wsx_conn_limits *
server_limits(const struct wsx_server *s)
{
	return &s->lim;
}

const struct ws_server_hs *
server_handshake(const struct wsx_server *s)
{
	return &s->hs;
}

uint64_t
server_head_timeout_us(const struct wsx_server *s)
{
	return s->head_timeout_us;
}

void
server_unlink(struct wsx_server *s, struct wsx_link *l)
{
	link_list_remove(&s->links, l);
}

int
server_gate_upgrade(struct wsx_server *s, const struct ws_http *h,
		    struct server_answer *a)
{
	const char *challenge;
	int status = gate_check(&s->gate, s->count, h, &challenge);

	if (!status && s->ops->on_upgrade)
		status = s->ops->on_upgrade(s, s->arg);
	if (status) {
		a->status = status;
		http_status_answer(a->out, status,
				   challenge ? "WWW-Authenticate" : NULL,
				   challenge, true);
	}
	return status;
}

static const char *
server_method(const struct ws_http *h)
{
	if (!strcmp(h->method, "GET"))
		return "GET";
	if (!strcmp(h->method, "HEAD"))
		return "HEAD";
	return "";
}

static void
server_http_done(struct wsx_server *s, const struct wsx_http_request *req,
		 unsigned status)
{
	if (s->ops->on_http_done)
		s->ops->on_http_done(s, req, status, s->arg);
}

/* A plain HTTP request: the gate, then the owner's answer. */
void
server_http_answer(struct wsx_server *s, const struct ws_http *h,
		   const char *peer, struct server_answer *a)
{
	struct wsx_http_answer ans = { .status = 426 };
	struct wsx_http_request req = { .method = server_method(h),
					.peer = peer };
	char verb[32]; /* any longer is cut: a log line, not a request */
	const char *challenge;
	char path[2048];
	size_t n = strcspn(h->target, "?");
	struct stat st;
	int status;

	/* HTTP/1.0 and "Connection: close" do not keep the connection */
	a->close = h->minor == 0 || ws_http_has_token(h, "Connection", "close");
	snprintf(path, sizeof(path), "%.*s", (int)n, h->target);
	req.path = path;
	wsx_printable(verb, sizeof(verb), h->method, strlen(h->method));
	req.verb = *verb ? verb : "-";
	status = gate_check_http(&s->gate, h, &challenge);
	if (!status &&
	    (h->target[0] != '/' ||
	     http_percent_decode(h->target, n, path, sizeof(path)) < 0)) {
		snprintf(path, sizeof(path), "%.*s", (int)n, h->target);
		status = 400;
	}
	if (status) {
		a->close = true;
		http_status_answer(a->out, status,
				   challenge ? "WWW-Authenticate" : NULL,
				   challenge, true);
		server_http_done(s, &req, (unsigned)status);
		return;
	}
	if (s->ops->on_http)
		s->ops->on_http(s, &req, &ans, s->arg);
	if (ans.status == 200) {
		a->file_fd = open(ans.file, O_RDONLY | O_CLOEXEC);
		if (a->file_fd < 0 || fstat(a->file_fd, &st)) {
			if (a->file_fd >= 0)
				close(a->file_fd);
			a->file_fd = -1;
			ans.status = 404;
		} else {
			a->file_size = (uint64_t)st.st_size;
			if (!http_file_answer(a->out, h, ans.content_type,
					      a->file_size, st.st_mtime,
					      a->close)) {
				ans.status =
					304; /* the client's copy will do */
				close(a->file_fd);
				a->file_fd = -1;
				a->file_size = 0;
			} else if (!strcmp(req.method, "HEAD")) {
				close(a->file_fd);
				a->file_fd = -1;
				a->file_size = 0;
			}
			server_http_done(s, &req, ans.status);
			return;
		}
	}
	if (ans.status == 301) {
		http_redirect_answer(a->out, ans.location, a->close);
		server_http_done(s, &req, ans.status);
		return;
	}
	if (ans.status >= 400)
		a->close = true;
	http_status_answer(a->out, (int)ans.status, NULL, NULL, a->close);
	server_http_done(s, &req, ans.status);
}

void
wsx_server_keep_headers(struct wsx_server *s)
{
	s->keep_headers = true;
}

void
wsx_server_keep_header(struct wsx_server *s, const char *name)
{
	(void)name; /* every header is kept, whatever its name */
	s->keep_headers = true;
}

/* The request's header fields, "Name: value", for --exec and relay. */
void
server_copy_headers(struct wsx_server *s, struct wsx_conn *c,
		    const struct ws_http *h)
{
	if (!s->keep_headers)
		return;
	for (size_t i = 0; i < h->nfields; i++) {
		size_t n = strlen(h->field[i].name) +
			   strlen(h->field[i].value) + 3;
		char *line = xmalloc(n);

		snprintf(line, n, "%s: %s", h->field[i].name,
			 h->field[i].value);
		c->info.headers = xrealloc(c->info.headers,
					   (c->info.n_headers + 1) *
						   sizeof(*c->info.headers));
		c->info.headers[c->info.n_headers++] = line;
	}
}

/* A WebSocket opened: the owner takes it. */
void
server_accept(struct wsx_server *s, struct wsx_conn *c)
{
	c->server = s;
	c->srv_next = s->conns;
	if (s->conns)
		s->conns->srv_prev = c;
	s->conns = c;
	s->count++;
	if (s->ops->on_accept)
		s->ops->on_accept(s, c, s->arg);
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
	/* what is left goes without calling back */
	for (struct wsx_conn *c = s->conns; c; c = c->srv_next) {
		c->server = NULL;
		c->ops = NULL;
	}
	s->conns = NULL;
	while (s->links)
		link_free(s->links);
	lws_sul_cancel(&s->sul_accept);
	wsx_fdw_free(s->listener);
	gate_release(&s->gate);
	wsx_tls_ctx_free(s->tls);
	free(s);
}
