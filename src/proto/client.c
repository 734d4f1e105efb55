/* WebSocket clients; see client.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "io/net.h"
#include "proto/client.h"
#include "proto/internal.h"
#include "proto/link.h"
#include "proto/tls.h"
#include "proto/tunnel.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/parse.h"
#include "util/url.h"
#include "util/xalloc.h"

struct wsx_client {
	struct wsx_loop *loop;
	const struct wsx_client_opts *opts;
	struct wsx_tls_ctx *tls; /* made for the first wss:// connection */
	struct wsx_tls_ctx *proxy_tls; /* and for an https:// proxy */
	char *auth;		       /* "Basic ...", from --user */
	char *protocols;	       /* comma-joined --subprotocol values */
	unsigned trace_left;	       /* connections -v still shows in full */
};

enum {
	OPT_CACERT = WSX_OPTKEY_CLIENT,
	OPT_CERT,
	OPT_KEY,
	OPT_CONNECT_TIMEOUT,
	OPT_PINNEDPUBKEY,
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
	{ OPT_PINNEDPUBKEY, "pinnedpubkey", "sha256//BASE64",
	  "fail unless the server's public key has this hash" },
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
	case OPT_PINNEDPUBKEY:
		return wsx_tls_pins_parse(&o->pins, arg, err);
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

/* A proxy URL: [scheme://][user:pass@]host[:port][/] */
struct client_proxy {
	enum wsx_tunnel_kind kind;
	bool tls; /* https:// */
	char host[256];
	unsigned port;
	char user[256], password[256];
};

static int
client_parse_proxy(const char *arg, const char *source, struct client_proxy *p,
		   struct wsx_err *err)
{
	static const struct {
		const char *scheme;
		enum wsx_tunnel_kind kind;
		bool tls;
		unsigned port;
	} schemes[] = {
		{ "http://", WSX_TUNNEL_HTTP, false, 1080 },
		{ "https://", WSX_TUNNEL_HTTP, true, 443 },
		{ "socks5://", WSX_TUNNEL_SOCKS5, false, 1080 },
		{ "socks5h://", WSX_TUNNEL_SOCKS5H, false, 1080 },
	};
	const char *s = arg, *at, *end, *colon;
	unsigned long port;
	size_t n;

	memset(p, 0, sizeof(*p));
	p->kind = WSX_TUNNEL_HTTP;
	p->port = 1080; /* curl's default for a proxy without a port */
	if (strstr(s, "://")) {
		size_t i;

		for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
			if (!strncasecmp(s, schemes[i].scheme,
					 strlen(schemes[i].scheme)))
				break;
		if (i == sizeof(schemes) / sizeof(schemes[0]))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "%s: '%.100s': use http://, "
					   "https://, socks5:// or socks5h://",
					   source, arg);
		p->kind = schemes[i].kind;
		p->tls = schemes[i].tls;
		p->port = schemes[i].port;
		s += strlen(schemes[i].scheme);
	}
	end = s + strcspn(s, "/");
	at = memchr(s, '@', (size_t)(end - s));
	if (at) {
		const char *sep = memchr(s, ':', (size_t)(at - s));
		size_t un = sep ? (size_t)(sep - s) : (size_t)(at - s);

		if (http_percent_decode(s, un, p->user, sizeof(p->user)) < 0 ||
		    (sep &&
		     http_percent_decode(sep + 1, (size_t)(at - sep - 1),
					 p->password, sizeof(p->password)) < 0))
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "%s: bad credentials in '%.100s'",
					   source, arg);
		s = at + 1;
	}
	if (*s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (!close)
			goto bad;
		n = (size_t)(close - s - 1);
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
		if (!colon && close + 1 != end)
			goto bad;
		s++;
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		n = (size_t)((colon ? colon : end) - s);
	}
	if (!n || n >= sizeof(p->host))
		goto bad;
	memcpy(p->host, s, n);
	p->host[n] = '\0';
	if (strpbrk(p->host, " \t\r\n"))
		goto bad;
	if (colon) {
		char digits[8];
		size_t dn = (size_t)(end - colon - 1);

		if (!dn || dn >= sizeof(digits))
			goto bad;
		memcpy(digits, colon + 1, dn);
		digits[dn] = '\0';
		if (wsx_parse_uint(source, digits, 1, 65535, &port, err))
			return -1;
		p->port = (unsigned)port;
	}
	if (*end && strcmp(end, "/"))
		goto bad;
	return 0;
bad:
	return wsx_err_set(err, WSX_EXIT_USAGE,
			   "%s: '%.100s' is not SCHEME://HOST:PORT", source,
			   arg);
}

static int
client_check_proxy(const char *arg, struct wsx_err *err)
{
	struct client_proxy p;

	return client_parse_proxy(arg, "--proxy", &p, err);
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
	wsx_tls_pins_release(&o->pins);
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
 * no_proxy. NULL: connect directly.
 */
static const char *
client_proxy_for(const struct wsx_client *cl, const struct wsx_url *u,
		 const char **source)
{
	/* not HTTP_PROXY: a CGI program gets the client's Proxy: header in
	 * it (curl ignores it for that reason) */
	static const char *const tls_vars[] = { "https_proxy", "HTTPS_PROXY",
						"all_proxy", "ALL_PROXY" };
	static const char *const plain_vars[] = { "http_proxy", "all_proxy",
						  "ALL_PROXY" };
	const char *const *vars = u->tls ? tls_vars : plain_vars;
	size_t nvars = u->tls ? 4 : 3;
	const char *proxy = cl->opts->proxy;
	const char *no = cl->opts->noproxy;

	*source = "--proxy";
	if (u->unix_path[0])
		return NULL;
	for (size_t i = 0; !proxy && i < nvars; i++) {
		*source = vars[i];
		proxy = getenv(vars[i]);
	}
	if (!no)
		no = getenv("no_proxy") ? getenv("no_proxy")
					: getenv("NO_PROXY");
	if (!proxy || !*proxy || client_host_listed(no, u->host))
		return NULL;
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
	cl->trace_left = UINT_MAX;
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
wsx_client_trace_first(struct wsx_client *cl, unsigned n)
{
	cl->trace_left = n;
}

void
wsx_client_free(struct wsx_client *cl)
{
	if (!cl)
		return;
	wsx_tls_ctx_free(cl->tls);
	wsx_tls_ctx_free(cl->proxy_tls);
	free(cl->auth);
	free(cl->protocols);
	free(cl);
}

/* The TLS context for wss://, made once: loading the CA store costs. */
static struct wsx_tls_ctx *
client_tls(struct wsx_client *cl, bool proxy, struct wsx_err *err)
{
	struct wsx_tls_ctx **ctx = proxy ? &cl->proxy_tls : &cl->tls;
	struct wsx_tls_client_opts o = { .insecure = cl->opts->insecure };

	if (*ctx)
		return *ctx;
	if (!proxy) { /* the proxy is trusted by the system's CAs */
		o.cacert = cl->opts->cacert;
		o.cert = cl->opts->cert;
		o.key = cl->opts->key;
		o.pins = &cl->opts->pins;
	}
	*ctx = wsx_tls_client_ctx(&o, err);
	return *ctx;
}

/* "Name: value\r\n" lines for the request: credentials, -H, extra. */
static char *
client_header_lines(const struct wsx_conn *c)
{
	const struct wsx_client *cl = c->cc->cli;
	const char *auth =
		cl->auth && !c->cc->other_host ? cl->auth : c->cc->url_auth;
	struct wsx_buf b;
	char *out;

	wsx_buf_init(&b, 0, 1 << 20);
	if (auth) {
		wsx_buf_append(&b, "Authorization: ", 15);
		wsx_buf_append(&b, auth, strlen(auth));
		wsx_buf_append(&b, "\r\n", 2);
	}
	for (size_t i = 0; i < cl->opts->n_headers; i++) {
		const char *h = cl->opts->headers[i];

		/* as curl: credentials do not follow a redirect elsewhere */
		if (c->cc->other_host &&
		    (!strncasecmp(h, "authorization:", 14) ||
		     !strncasecmp(h, "cookie:", 7)))
			continue;
		wsx_buf_append(&b, h, strlen(h));
		wsx_buf_append(&b, "\r\n", 2);
	}
	for (size_t i = 0; i < c->cc->n_extra_headers; i++) {
		wsx_buf_append(&b, c->cc->extra_headers[i],
			       strlen(c->cc->extra_headers[i]));
		wsx_buf_append(&b, "\r\n", 2);
	}
	out = xmalloc(b.len + 1);
	if (b.len)
		memcpy(out, wsx_buf_data(&b), b.len);
	out[b.len] = '\0';
	wsx_buf_release(&b);
	return out;
}

/* Split "a, b,c" into names (at most max), in place. */
static size_t
client_split_protocols(char *list, const char **names, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *t = strtok_r(list, ", \t", &save);
	     t && n < max; t = strtok_r(NULL, ", \t", &save))
		names[n++] = t;
	return n;
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

/* A failure found before connecting: reported from the loop. */
static void
client_fail_early(struct wsx_conn *c, int status, const char *msg)
{
	conn_result(c)->code = 1006;
	conn_result(c)->status = status;
	snprintf(conn_result(c)->msg, sizeof(conn_result(c)->msg), "%s", msg);
	conn_defer_failure(c);
}

/* Connect c to the parsed u: the first attempt, or one after a redirect. */
static int
client_start(struct wsx_conn *c, const struct wsx_url *u, struct wsx_err *err)
{
	struct wsx_client *cl = c->cc->cli;
	const char *source;
	const char *proxy = client_proxy_for(cl, u, &source);
	const char *names[32];
	struct ws_deflate_params deflate = { .client_max_window_bits =
						     WS_DEFLATE_BITS_ANY };
	struct ws_client_hs hs = { 0 };
	struct link_client_opts lo = { 0 };
	struct wsx_tunnel_opts to = { 0 };
	struct client_proxy px;
	struct wsx_err e = { 0, "" };
	char host[300], addr[300], via[300], *protos, *lines;
	int fd, rc;

	if (u->unix_path[0])
		conn_set_peer(c, "unix:%.260s", u->unix_path);
	else if (strchr(u->host, ':'))
		conn_set_peer(c, "[%s]:%u", u->host, u->port);
	else
		conn_set_peer(c, "%s:%u", u->host, u->port);
	conn_set_path(c, u->path);
	free(c->cc->url_auth);
	c->cc->url_auth = NULL;
	if (u->userinfo[0] && !cl->auth)
		c->cc->url_auth = client_basic_auth(u->userinfo);
	snprintf(host, sizeof(host), strchr(u->host, ':') ? "[%s]" : "%s",
		 u->host);
	if (u->port != (u->tls ? 443u : 80u) && !u->unix_path[0])
		snprintf(host + strlen(host), sizeof(host) - strlen(host),
			 ":%u", u->port);
	snprintf(addr, sizeof(addr), "%s", u->host);
	if (cl->opts->family && !u->unix_path[0] &&
	    client_resolve(u->host, cl->opts->family, addr, sizeof(addr))) {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "could not connect to %s: no IPv%d address",
			 c->info.peer, cl->opts->family);
		client_fail_early(c, WSX_EXIT_CONNECT, msg);
		return 0;
	}
	if (u->tls && !(lo.tls = client_tls(cl, false, err)))
		return -1;
	if (proxy) {
		if (client_parse_proxy(proxy, source, &px, err))
			return -1;
		if (px.tls && !(lo.proxy_tls = client_tls(cl, true, err)))
			return -1;
		to.kind = px.kind;
		to.host = u->host;
		to.port = u->port;
		to.user = px.user;
		to.password = px.password;
		/* socks5:// sends an address: the name is resolved here */
		if (px.kind == WSX_TUNNEL_SOCKS5 &&
		    client_resolve(u->host,
				   cl->opts->family ? cl->opts->family : 4,
				   addr, sizeof(addr)) &&
		    client_resolve(u->host, 6, addr, sizeof(addr))) {
			char msg[400];

			snprintf(msg, sizeof(msg),
				 "could not connect to %s: cannot resolve "
				 "the host name",
				 c->info.peer);
			client_fail_early(c, WSX_EXIT_CONNECT, msg);
			return 0;
		}
		to.address = addr;
		lo.tunnel = &to;
		lo.proxy_servername = px.host;
		snprintf(via, sizeof(via),
			 strchr(px.host, ':') ? "[%s]:%u" : "%s:%u", px.host,
			 px.port);
		lo.via = via;
		fd = wsx_net_connect_tcp(px.host, px.port, &e);
	} else {
		fd = u->unix_path[0] ? wsx_net_connect_unix(u->unix_path, &e)
				     : wsx_net_connect_tcp(addr, u->port, &e);
	}
	if (fd < 0) {
		client_fail_early(c, e.code, e.msg);
		return 0;
	}
	protos = xstrdup(c->cc->protocols ? c->cc->protocols
			 : cl->protocols  ? cl->protocols
					  : "");
	lines = client_header_lines(c);
	hs.host = host;
	hs.target = u->path;
	hs.origin = cl->opts->origin;
	hs.subprotocols = names;
	hs.nsubprotocols = client_split_protocols(protos, names, 32);
	hs.deflate = cl->opts->compress ? &deflate : NULL;
	hs.headers = *lines ? lines : NULL;
	lo.peer = c->info.peer;
	lo.connect_timeout_us = cl->opts->connect_timeout_us;
	lo.servername = u->host;
	lo.hs = &hs;
	lo.trace = cl->trace_left > 0;
	if (cl->trace_left && cl->trace_left != UINT_MAX)
		cl->trace_left--;
	rc = link_connect(c, fd, &lo, err);
	free(protos);
	free(lines);
	return rc;
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
		c->cc->extra_headers =
			xrealloc(c->cc->extra_headers,
				 (c->cc->n_extra_headers + 1) *
					 sizeof(*c->cc->extra_headers));
		c->cc->extra_headers[c->cc->n_extra_headers++] =
			xstrdup(x->headers[i]);
	}
	if (x && x->protocols && *x->protocols)
		c->cc->protocols = xstrdup(x->protocols);
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
	c->cc->cli = cl;
	c->cc->url = xstrdup(url);
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
client_redirect_now(void *arg)
{
	struct wsx_conn *c = arg;
	struct wsx_url u;
	struct wsx_err err = { 0, "" };

	if (wsx_url_parse(&u, c->cc->url, &err) || client_start(c, &u, &err))
		client_fail_early(c, err.code, err.msg);
}

bool
client_follows_redirects(const struct wsx_conn *c)
{
	return c->cc->cli->opts->follow_redirects;
}

bool
client_follow_redirect(struct wsx_conn *c, int status)
{
	const struct wsx_client_opts *o = c->cc->cli->opts;
	char next[2048];
	struct wsx_url u;
	struct wsx_err err;

	if (!o->follow_redirects || c->cc->redirects >= o->max_redirs)
		return false;
	if (client_redirect_url(c->cc->url, c->cc->location, next,
				sizeof(next)) ||
	    wsx_url_parse(&u, next, &err))
		return false;
	if (!c->cc->other_host) {
		struct wsx_url was;

		c->cc->other_host = wsx_url_parse(&was, c->cc->url, &err) ||
				    strcasecmp(was.host, u.host) ||
				    was.port != u.port || was.tls != u.tls;
	}
	c->cc->redirects++;
	wsx_info("HTTP %d: following the redirect to %s", status, next);
	free(c->cc->url);
	c->cc->url = xstrdup(next);
	wsx_alarm_set(c->loop, &c->cc->al_redirect, 1, client_redirect_now, c);
	return true;
}
