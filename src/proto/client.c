/* WebSocket clients; see client.h. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "proto/client.h"
#include "proto/internal.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/url.h"
#include "util/xalloc.h"

struct wsx_client {
	struct wsx_loop *loop;
	/* made at the first connection that needs each; see client_vhost():
	 * [tls][through the proxy] */
	struct lws_vhost *vh[2][2];
	const struct wsx_client_opts *opts;
	char *auth;	 /* "Basic ...", from --user */
	char *protocols; /* comma-joined --subprotocol values */
};

enum {
	OPT_CACERT = WSX_OPTKEY_CLIENT,
	OPT_CERT,
	OPT_KEY,
	OPT_CONNECT_TIMEOUT,
};

static const struct wsx_opt client_opts[] = {
	{ 'H', "header", "'NAME: VALUE'", "add a request header (repeatable)" },
	{ 'o', "origin", "ORIGIN", "send this Origin header" },
	{ 's', "subprotocol", "NAME", "offer a subprotocol (repeatable)" },
	{ 'u', "user", "USER:PASS", "HTTP Basic credentials" },
	{ 'k', "insecure", NULL, "accept any TLS certificate" },
	{ OPT_CACERT, "cacert", "FILE",
	  "trust the CA certificates in FILE (PEM)" },
	{ OPT_CERT, "cert", "FILE", "client certificate (PEM)" },
	{ OPT_KEY, "key", "FILE", "client certificate's private key (PEM)" },
	{ OPT_CONNECT_TIMEOUT, "connect-timeout", "SECS",
	  "give up connecting after SECS (default 10)" },
	{ 0 },
};

static void
strv_push(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

static int
client_check_header(const char *h, struct wsx_err *err)
{
	const char *colon = strchr(h, ':');

	if (!colon || colon == h || strpbrk(h, "\r\n") ||
	    strcspn(h, " \t") < (size_t)(colon - h))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--header: '%.100s' is not 'Name: value'",
				   h);
	return 0;
}

static int
client_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
	       struct wsx_err *err)
{
	struct wsx_client_opts *o = target;

	switch (opt->key) {
	case 'H':
		if (client_check_header(arg, err))
			return -1;
		strv_push(&o->headers, &o->n_headers, arg);
		break;
	case 'o':
		o->origin = arg;
		break;
	case 's':
		if (!*arg || strpbrk(arg, ", \t\r\n"))
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"--subprotocol: '%.100s' is not a token", arg);
		strv_push(&o->protocols, &o->n_protocols, arg);
		break;
	case 'u':
		if (!strchr(arg, ':'))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--user: expected USER:PASS");
		free(o->user);
		o->user = xstrdup(arg);
		/* keep the password out of ps(1) */
		memset((char *)arg, '*', strlen(arg));
		break;
	case 'k':
		o->insecure = true;
		break;
	case OPT_CACERT:
		o->cacert = arg;
		break;
	case OPT_CERT:
		o->cert = arg;
		break;
	case OPT_KEY:
		o->key = arg;
		break;
	case OPT_CONNECT_TIMEOUT:
		return wsx_parse_secs("--connect-timeout", arg,
				      &o->connect_timeout_us, err);
	}
	return 0;
}

const struct wsx_optgroup wsx_client_optgroup = {
	.title = "Client options",
	.opts = client_opts,
	.set = client_opt_set,
};

enum {
	OPT_MAX_REDIRS = WSX_OPTKEY_CLIENT + 0x40,
	OPT_PROXY,
	OPT_NOPROXY,
	OPT_COMPRESS,
};

static const struct wsx_opt client_net_opts[] = {
	{ 'L', "location", NULL, "follow 301/302/303/307/308 redirects" },
	{ OPT_MAX_REDIRS, "max-redirs", "N",
	  "follow at most N redirects (default 5)" },
	{ OPT_PROXY, "proxy", "http://HOST:PORT",
	  "connect through this HTTP proxy (CONNECT)" },
	{ OPT_NOPROXY, "noproxy", "HOSTS",
	  "comma list of hosts not proxied ('*': none)" },
	{ '4', "ipv4", NULL, "connect over IPv4 only" },
	{ '6', "ipv6", NULL, "connect over IPv6 only" },
	{ OPT_COMPRESS, "compress", NULL, "offer permessage-deflate" },
	{ 0 },
};

/* "http://[user:pass@]host[:port][/]" or "host:port": the part lws wants */
static int
client_check_proxy(const char *arg, struct wsx_err *err)
{
	const char *p = arg;

	if (!strncasecmp(p, "http://", 7))
		p += 7;
	else if (strstr(p, "://"))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--proxy: '%.100s': only http:// proxies "
				   "are supported",
				   arg);
	if (!*p || *p == ':' || *p == '/' || strpbrk(p, " \t\r\n"))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--proxy: '%.100s' is not http://HOST:PORT",
				   arg);
	return 0;
}

static int
client_net_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
		   struct wsx_err *err)
{
	struct wsx_client_opts *o = target;

	switch (opt->key) {
	case 'L':
		o->follow_redirects = true;
		break;
	case OPT_MAX_REDIRS:
		o->follow_redirects = true;
		return wsx_parse_uint("--max-redirs", arg, 0, 100,
				      &o->max_redirs, err);
	case OPT_PROXY:
		if (client_check_proxy(arg, err))
			return -1;
		o->proxy = arg;
		break;
	case OPT_NOPROXY:
		o->noproxy = arg;
		break;
	case '4':
	case '6':
		if (o->family && o->family != opt->key - '0')
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "-4 and -6 do not go together");
		o->family = opt->key - '0';
		break;
	case OPT_COMPRESS:
		o->compress = true;
		break;
	}
	return 0;
}

const struct wsx_optgroup wsx_client_net_optgroup = {
	.title = "Routing options",
	.opts = client_net_opts,
	.set = client_net_opt_set,
};

void
wsx_client_opts_init(struct wsx_client_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_us = WSX_DEFAULT_CONNECT_TIMEOUT_US;
	o->max_redirs = WSX_DEFAULT_MAX_REDIRS;
}

void
wsx_client_opts_release(struct wsx_client_opts *o)
{
	for (size_t i = 0; i < o->n_headers; i++)
		free(o->headers[i]);
	for (size_t i = 0; i < o->n_protocols; i++)
		free(o->protocols[i]);
	free(o->headers);
	free(o->protocols);
	free(o->user);
	wsx_client_opts_init(o);
}

static int
client_check_file(const char *opt, const char *path, struct wsx_err *err)
{
	FILE *f;

	if (!path)
		return 0;
	f = fopen(path, "r");
	if (!f)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "%s: cannot read '%s': %s", opt, path,
				   strerror(errno));
	fclose(f);
	return 0;
}

static char *
client_basic_auth(const char *userpass)
{
	size_t n = strlen(userpass);
	char *out = xmalloc(6 + wsx_base64_encoded_len(n) + 1);

	memcpy(out, "Basic ", 6);
	out[6 + wsx_base64_encode(out + 6, userpass, n)] = '\0';
	return out;
}

/*
 * The vhost for ws:// or wss:// connections, direct or through the proxy,
 * made on first use. Only wss:// gets TLS (and so an OpenSSL context with
 * the CA store): libwebsockets 4.1 ties each SSL_CTX to an OpenSSL ex-data
 * index that every new lws context renumbers, so SSL_CTXs made before the
 * last lws context was created leak at exit. bench creates all its
 * contexts first; TLS vhosts come later.
 *
 * libwebsockets takes the proxy from the vhost, and reads $http_proxy
 * itself when a vhost names none: a direct vhost names "" (no proxy) so
 * that the choice stays ours (client_proxy_for()).
 */
static struct lws_vhost *
client_vhost(struct wsx_client *cl, bool tls, const char *proxy,
	     struct wsx_err *err)
{
	struct lws_vhost **vh = &cl->vh[tls][proxy != NULL];
	struct lws_context_creation_info info;

	if (*vh)
		return *vh;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.user = cl;
	info.http_proxy_address = proxy ? proxy : "";
	if (tls) {
		info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.client_ssl_ca_filepath = cl->opts->cacert;
		info.client_ssl_cert_filepath = cl->opts->cert;
		info.client_ssl_private_key_filepath = cl->opts->key;
	}
	if (cl->opts->compress)
		info.extensions = wsx_extensions;
	*vh = loop_vhost_new(cl->loop, &info, err);
	if (!*vh && tls)
		wsx_err_set(
			err, WSX_EXIT_TLS,
			"cannot set up TLS with the given --cacert/--cert/--key");
	return *vh;
}

/* Whether host is in a no_proxy style list: "*", names, ".domain"s. */
static bool
client_host_listed(const char *list, const char *host)
{
	size_t hn = strlen(host);

	while (list && *list) {
		size_t n = strcspn(list, ",");
		const char *w = list;

		while (n && (*w == ' ' || *w == '.')) {
			w++;
			n--;
		}
		while (n && w[n - 1] == ' ')
			n--;
		if (n == 1 && *w == '*')
			return true;
		if (n && hn >= n && !strncasecmp(host + hn - n, w, n) &&
		    (hn == n || host[hn - n - 1] == '.'))
			return true;
		list += strcspn(list, ",");
		if (*list == ',')
			list++;
	}
	return false;
}

/*
 * The proxy for a URL, as curl chooses it: --proxy, else https_proxy
 * (wss://) or http_proxy (ws://), except for hosts in --noproxy or
 * no_proxy. The result is what lws wants: [user:pass@]host:port.
 */
static const char *
client_proxy_for(const struct wsx_client *cl, const struct wsx_url *u)
{
	const char *proxy = cl->opts->proxy;
	const char *no = cl->opts->noproxy;

	if (u->unix_path[0])
		return NULL;
	if (!proxy) {
		proxy = getenv(u->tls ? "https_proxy" : "http_proxy");
		if (!proxy && u->tls)
			proxy = getenv("HTTPS_PROXY");
	}
	if (!no)
		no = getenv("no_proxy") ? getenv("no_proxy")
					: getenv("NO_PROXY");
	if (!proxy || !*proxy || client_host_listed(no, u->host))
		return NULL;
	if (!strncasecmp(proxy, "http://", 7))
		proxy += 7;
	return proxy;
}

struct wsx_client *
wsx_client_new(struct wsx_loop *loop, const struct wsx_client_opts *opts,
	       struct wsx_err *err)
{
	struct wsx_client *cl;
	size_t n = 1;

	if (client_check_file("--cacert", opts->cacert, err) ||
	    client_check_file("--cert", opts->cert, err) ||
	    client_check_file("--key", opts->key, err))
		return NULL;
	if (!opts->cert != !opts->key) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--cert and --key go together");
		return NULL;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->loop = loop;
	cl->opts = opts;
	if (opts->user)
		cl->auth = client_basic_auth(opts->user);
	for (size_t i = 0; i < opts->n_protocols; i++)
		n += strlen(opts->protocols[i]) + 2;
	if (opts->n_protocols) {
		cl->protocols = xcalloc(1, n);
		for (size_t i = 0; i < opts->n_protocols; i++) {
			if (i)
				strcat(cl->protocols, ", ");
			strcat(cl->protocols, opts->protocols[i]);
		}
	}
	return cl;
}

void
wsx_client_free(struct wsx_client *cl)
{
	if (!cl)
		return;
	free(cl->auth);
	free(cl->protocols);
	free(cl);
}

static int
client_add_header(struct lws *wsi, const char *name, size_t name_len,
		  const char *value, unsigned char **p, unsigned char *end)
{
	char key[128];

	if (name_len + 2 > sizeof(key))
		return -1;
	memcpy(key, name, name_len);
	key[name_len] = ':';
	key[name_len + 1] = '\0';
	return lws_add_http_header_by_name(wsi, (const unsigned char *)key,
					   (const unsigned char *)value,
					   (int)strlen(value), p, end);
}

int
client_append_headers(struct wsx_conn *c, unsigned char **p, unsigned char *end)
{
	const struct wsx_client *cl = c->cli;
	const char *auth = cl->auth && !c->other_host ? cl->auth : c->url_auth;

	if (auth &&
	    client_add_header(c->wsi, "Authorization", 13, auth, p, end))
		return -1;
	for (size_t i = 0; i < cl->opts->n_headers; i++) {
		const char *h = cl->opts->headers[i];
		const char *colon = strchr(h, ':');
		const char *v = colon + 1;

		/* as curl: credentials do not follow a redirect elsewhere */
		if (c->other_host && (!strncasecmp(h, "authorization:", 14) ||
				      !strncasecmp(h, "cookie:", 7)))
			continue;
		while (*v == ' ' || *v == '\t')
			v++;
		if (client_add_header(c->wsi, h, (size_t)(colon - h), v, p,
				      end))
			return -1;
	}
	for (size_t i = 0; i < c->n_extra_headers; i++) {
		const char *h = c->extra_headers[i], *colon = strchr(h, ':');
		const char *v = colon + strspn(colon + 1, " \t") + 1;

		if (client_add_header(c->wsi, h, (size_t)(colon - h), v, p,
				      end))
			return -1;
	}
	return 0;
}

/* -4/-6: the host's first address of that family, as text. */
static int
client_resolve(const char *host, int family, char *out, size_t size)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family == 6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc || !res)
		return -1;
	if (res->ai_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
			  out, (socklen_t)size);
	else
		inet_ntop(AF_INET,
			  &((struct sockaddr_in *)res->ai_addr)->sin_addr, out,
			  (socklen_t)size);
	freeaddrinfo(res);
	return 0;
}

/* A failure found before libwebsockets was asked: reported from the loop. */
static void
client_fail_early(struct wsx_conn *c, int status, const char *msg)
{
	c->result.code = 1006;
	c->result.status = status;
	snprintf(c->result.msg, sizeof(c->result.msg), "%s", msg);
	c->wsi = NULL;
	conn_defer_failure(c);
}

/* Connect c to the parsed u: the first attempt, or one after a redirect. */
static int
client_start(struct wsx_conn *c, const struct wsx_url *u, struct wsx_err *err)
{
	struct wsx_client *cl = c->cli;
	const char *proxy = client_proxy_for(cl, u);
	struct lws_client_connect_info i;
	struct lws_vhost *vh;
	char host[300], addr[300], msg[400];

	vh = client_vhost(cl, u->tls, proxy, err);
	if (!vh)
		return -1;
	if (u->unix_path[0])
		snprintf(c->info.peer, sizeof(c->info.peer), "unix:%.260s",
			 u->unix_path);
	else
		snprintf(c->info.peer, sizeof(c->info.peer), "%s:%u", u->host,
			 u->port);
	free(c->info.path);
	c->info.path = xstrdup(u->path);
	free(c->url_auth);
	c->url_auth = NULL;
	if (u->userinfo[0] && !cl->auth)
		c->url_auth = client_basic_auth(u->userinfo);
	if (strchr(u->host, ':'))
		snprintf(host, sizeof(host), "[%s]", u->host);
	else
		snprintf(host, sizeof(host), "%s", u->host);
	if (u->port != (u->tls ? 443u : 80u) && !u->unix_path[0])
		snprintf(host + strlen(host), sizeof(host) - strlen(host),
			 ":%u", u->port);
	if (u->unix_path[0])
		snprintf(addr, sizeof(addr), "+%s", u->unix_path);
	else
		snprintf(addr, sizeof(addr), "%s", u->host);
	conn_close_timeout_arm(c, cl->opts->connect_timeout_us);
	if (cl->opts->family && !proxy && !u->unix_path[0] &&
	    client_resolve(u->host, cl->opts->family, addr, sizeof(addr))) {
		snprintf(msg, sizeof(msg),
			 "could not connect to %s: no IPv%d address",
			 c->info.peer, cl->opts->family);
		client_fail_early(c, WSX_EXIT_CONNECT, msg);
		return 0;
	}

	memset(&i, 0, sizeof(i));
	i.context = cl->loop->ctx;
	i.vhost = vh;
	i.address = addr;
	i.port = (int)u->port;
	i.path = u->path;
	i.host = host;
	i.origin = cl->opts->origin;
	i.protocol = c->protocols ? c->protocols : cl->protocols;
	i.local_protocol_name = wsx_protocols[0].name;
	i.ietf_version_or_minus_one = -1;
	i.opaque_user_data = c;
	i.pwsi = &c->wsi;
	/* redirects are ours to follow (-L), so their limit is ours */
	i.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
	if (u->tls) {
		i.ssl_connection |= LCCSCF_USE_SSL;
		if (cl->opts->insecure)
			i.ssl_connection |=
				LCCSCF_ALLOW_SELFSIGNED |
				LCCSCF_ALLOW_INSECURE | LCCSCF_ALLOW_EXPIRED |
				LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	}
	c->in_callback = true;
	if (!lws_client_connect_via_info(&i) && !c->fail_deferred)
		conn_connect_failed(c, "cannot resolve the host name");
	c->in_callback = false;
	if (c->fail_deferred) {
		c->fail_deferred = false;
		c->wsi = NULL;
		conn_defer_failure(c);
	}
	return 0;
}

struct wsx_conn *
wsx_client_connect(struct wsx_client *cl, const char *url,
		   const struct wsx_conn_limits *lim,
		   const struct wsx_conn_ops *ops, void *arg,
		   struct wsx_err *err)
{
	return wsx_client_connect_extra(cl, url, NULL, lim, ops, arg, err);
}

/* Keep x's headers and subprotocols on c (well-formed headers only). */
static void
client_take_extra(struct wsx_conn *c, const struct wsx_client_extra *x)
{
	for (size_t i = 0; x && i < x->n_headers; i++) {
		if (client_check_header(x->headers[i], NULL))
			continue;
		c->extra_headers = xrealloc(c->extra_headers,
					    (c->n_extra_headers + 1) *
						    sizeof(*c->extra_headers));
		c->extra_headers[c->n_extra_headers++] = xstrdup(x->headers[i]);
	}
	if (x && x->protocols && *x->protocols)
		c->protocols = xstrdup(x->protocols);
}

struct wsx_conn *
wsx_client_connect_extra(struct wsx_client *cl, const char *url,
			 const struct wsx_client_extra *x,
			 const struct wsx_conn_limits *lim,
			 const struct wsx_conn_ops *ops, void *arg,
			 struct wsx_err *err)
{
	struct wsx_url u;
	struct wsx_conn *c;

	if (wsx_url_parse(&u, url, err))
		return NULL;
	c = conn_new(cl->loop, true, lim);
	/* with an extension (deflate) lws must frame every message itself */
	c->batch = !cl->opts->compress;
	c->cli = cl;
	c->url = xstrdup(url);
	wsx_conn_set_ops(c, ops, arg);
	client_take_extra(c, x);
	if (client_start(c, &u, err)) {
		conn_free(c);
		return NULL;
	}
	return c;
}

/* Resolve a Location against the URL it answered, into out. */
static int
client_redirect_url(const char *base, const char *loc, char *out, size_t size)
{
	struct wsx_url b;
	struct wsx_err err;
	const char *open = "", *close = "";
	int n;

	if (strstr(loc, "://")) {
		n = snprintf(out, size, "%s", loc);
		return n < 0 || (size_t)n >= size ? -1 : 0;
	}
	if (wsx_url_parse(&b, base, &err) || b.unix_path[0])
		return -1;
	if (strchr(b.host, ':')) {
		open = "[";
		close = "]";
	}
	if (loc[0] == '/' && loc[1] == '/') { /* scheme-relative */
		n = snprintf(out, size, "%s:%s", b.tls ? "wss" : "ws", loc);
	} else {
		char *slash = strrchr(b.path, '/');

		if (loc[0] == '/')
			b.path[0] = '\0';
		else if (slash)
			slash[1] = '\0';
		n = snprintf(out, size, "%s://%s%s%s:%u%s%s",
			     b.tls ? "wss" : "ws", open, b.host, close, b.port,
			     b.path, loc);
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void
client_redirect_now(lws_sorted_usec_list_t *sul)
{
	struct wsx_conn *c =
		lws_container_of(sul, struct wsx_conn, sul_redirect);
	struct wsx_url u;
	struct wsx_err err;

	if (wsx_url_parse(&u, c->url, &err) || client_start(c, &u, &err)) {
		client_fail_early(c, err.code, err.msg);
		return;
	}
}

bool
client_follow_redirect(struct wsx_conn *c)
{
	const struct wsx_client_opts *o = c->cli->opts;
	char next[2048];
	struct wsx_url u;
	struct wsx_err err;

	if (!o->follow_redirects || c->redirects >= o->max_redirs)
		return false;
	if (client_redirect_url(c->url, c->location, next, sizeof(next)) ||
	    wsx_url_parse(&u, next, &err))
		return false;
	if (!c->other_host) {
		struct wsx_url was;

		c->other_host = wsx_url_parse(&was, c->url, &err) ||
				strcasecmp(was.host, u.host) ||
				was.port != u.port || was.tls != u.tls;
	}
	c->redirects++;
	wsx_info("HTTP %d: following the redirect to %s",
		 (int)lws_http_client_http_response(c->wsi), next);
	free(c->url);
	c->url = xstrdup(next);
	/* the old wsi is closed by lws after this callback: let go of it */
	lws_set_opaque_user_data(c->wsi, NULL);
	c->wsi = NULL;
	lws_sul_cancel(&c->sul_close);
	lws_sul_schedule(c->loop->ctx, 0, &c->sul_redirect, client_redirect_now,
			 1);
	return true;
}
