/* WebSocket clients; see client.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/client.h"
#include "proto/internal.h"
#include "util/base64.h"
#include "util/parse.h"
#include "util/url.h"
#include "util/xalloc.h"

struct wsx_client {
	struct wsx_loop *loop;
	/* made at the first connection that needs each; see client_vhost() */
	struct lws_vhost *vh_plain, *vh_tls;
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

void
wsx_client_opts_init(struct wsx_client_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_us = WSX_DEFAULT_CONNECT_TIMEOUT_US;
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
 * The vhost for ws:// or wss:// connections, made on first use. Only wss://
 * gets TLS (and so an OpenSSL context with the CA store): libwebsockets 4.1
 * ties each SSL_CTX to an OpenSSL ex-data index that every new lws context
 * renumbers, so SSL_CTXs made before the last lws context was created leak
 * at exit. bench creates all its contexts first; TLS vhosts come later.
 */
static struct lws_vhost *
client_vhost(struct wsx_client *cl, bool tls, struct wsx_err *err)
{
	struct lws_vhost **vh = tls ? &cl->vh_tls : &cl->vh_plain;
	struct lws_context_creation_info info;

	if (*vh)
		return *vh;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.user = cl;
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
	const char *auth = cl->auth ? cl->auth : c->url_auth;

	if (auth &&
	    client_add_header(c->wsi, "Authorization", 13, auth, p, end))
		return -1;
	for (size_t i = 0; i < cl->opts->n_headers; i++) {
		const char *h = cl->opts->headers[i];
		const char *colon = strchr(h, ':');
		const char *v = colon + 1;

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

struct wsx_conn *
wsx_client_connect(struct wsx_client *cl, const char *url,
		   const struct wsx_conn_limits *lim,
		   const struct wsx_conn_ops *ops, void *arg,
		   struct wsx_err *err)
{
	return wsx_client_connect_extra(cl, url, NULL, lim, ops, arg, err);
}

/* Keep x's headers on c (well-formed ones only) for the handshake. */
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
}

struct wsx_conn *
wsx_client_connect_extra(struct wsx_client *cl, const char *url,
			 const struct wsx_client_extra *x,
			 const struct wsx_conn_limits *lim,
			 const struct wsx_conn_ops *ops, void *arg,
			 struct wsx_err *err)
{
	struct lws_client_connect_info i;
	struct lws_vhost *vh;
	struct wsx_url u;
	struct wsx_conn *c;
	char host[300];

	if (wsx_url_parse(&u, url, err))
		return NULL;
	vh = client_vhost(cl, u.tls, err);
	if (!vh)
		return NULL;
	c = conn_new(cl->loop, true, lim);
	/* with an extension (deflate) lws must frame every message itself */
	c->batch = !cl->opts->compress;
	c->cli = cl;
	wsx_conn_set_ops(c, ops, arg);
	client_take_extra(c, x);
	free(c->info.path);
	c->info.path = xstrdup(u.path);
	snprintf(c->info.peer, sizeof(c->info.peer), "%s:%u", u.host, u.port);
	if (u.userinfo[0] && !cl->auth)
		c->url_auth = client_basic_auth(u.userinfo);
	if (strchr(u.host, ':'))
		snprintf(host, sizeof(host), "[%s]", u.host);
	else
		snprintf(host, sizeof(host), "%s", u.host);
	if (u.port != (u.tls ? 443u : 80u))
		snprintf(host + strlen(host), sizeof(host) - strlen(host),
			 ":%u", u.port);

	memset(&i, 0, sizeof(i));
	i.context = cl->loop->ctx;
	i.vhost = vh;
	i.address = u.host;
	i.port = (int)u.port;
	i.path = u.path;
	i.host = host;
	i.origin = cl->opts->origin;
	i.protocol = x && x->protocols && *x->protocols ? x->protocols
							: cl->protocols;
	i.local_protocol_name = wsx_protocols[0].name;
	i.ietf_version_or_minus_one = -1;
	i.opaque_user_data = c;
	i.pwsi = &c->wsi;
	if (u.tls) {
		i.ssl_connection = LCCSCF_USE_SSL;
		if (cl->opts->insecure)
			i.ssl_connection |=
				LCCSCF_ALLOW_SELFSIGNED |
				LCCSCF_ALLOW_INSECURE | LCCSCF_ALLOW_EXPIRED |
				LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	}
	conn_close_timeout_arm(c, cl->opts->connect_timeout_us);
	c->in_callback = true;
	if (!lws_client_connect_via_info(&i) && !c->fail_deferred)
		conn_connect_failed(c, "cannot resolve the host name");
	c->in_callback = false;
	if (c->fail_deferred) {
		c->wsi = NULL;
		conn_defer_failure(c);
	}
	return c;
}
