/*
 * The server's gate: who may open a WebSocket or fetch a file. Checked on
 * the parsed request head, before any WebSocket state exists, and answered
 * with a plain HTTP status: 503 beyond --max-conns, 403 for an Origin not
 * allowed, 401 without the --user credentials or the --token.
 */
#include "config.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/internal.h"
#include "util/base64.h"
#include "util/log.h"
#include "util/xalloc.h"

void
gate_init(struct wsx_gate *g, const struct wsx_server_opts *o)
{
	memset(g, 0, sizeof(*g));
	g->opts = *o;
	if (o->user) {
		size_t n = strlen(o->user);

		g->basic = xmalloc(6 + wsx_base64_encoded_len(n) + 1);
		memcpy(g->basic, "Basic ", 6);
		g->basic[6 + wsx_base64_encode(g->basic + 6, o->user, n)] =
			'\0';
	}
}

void
gate_release(struct wsx_gate *g)
{
	free(g->basic);
	g->basic = NULL;
}

/* Equal strings, in time that depends only on the lengths. */
static bool
gate_secret_equal(const char *got, size_t len, const char *want)
{
	size_t n = strlen(want);

	return len == n && !CRYPTO_memcmp(got, want, n);
}

static bool
gate_origin_allowed(const struct wsx_server_opts *o, const struct ws_http *h)
{
	const char *origin = ws_http_get(h, "Origin", NULL);

	if (!o->n_origins)
		return true;
	if (!origin)
		return false;
	for (size_t i = 0; i < o->n_origins; i++)
		if (!strcasecmp(origin, o->origins[i]))
			return true;
	return false;
}

/* The token=... argument of the target's query, percent-decoded. */
static bool
gate_query_token(const char *target, char *out, size_t cap, size_t *len)
{
	const char *q = strchr(target, '?');

	for (q = q ? q + 1 : NULL; q && *q;
	     q = strchr(q, '&') ? strchr(q, '&') + 1 : NULL) {
		size_t n = strcspn(q, "&");

		if (n >= 6 && !strncmp(q, "token=", 6)) {
			long m = http_percent_decode(q + 6, n - 6, out, cap);

			if (m < 0)
				return false;
			*len = (size_t)m;
			return true;
		}
	}
	return false;
}

static bool
gate_authorized(const struct wsx_gate *g, const struct ws_http *h)
{
	const struct wsx_server_opts *o = &g->opts;
	const char *auth = ws_http_get(h, "Authorization", NULL);
	char token[256];
	size_t n;

	if (!o->user && !o->token)
		return true;
	if (auth) {
		if (g->basic && gate_secret_equal(auth, strlen(auth), g->basic))
			return true;
		if (o->token && !strncasecmp(auth, "Bearer ", 7) &&
		    gate_secret_equal(auth + 7, strlen(auth + 7), o->token))
			return true;
	}
	if (!o->token)
		return false;
	return h->target &&
	       gate_query_token(h->target, token, sizeof(token), &n) &&
	       gate_secret_equal(token, n, o->token);
}

static int
gate_unauthorized(const struct wsx_gate *g, const char **challenge)
{
	*challenge = g->basic ? "Basic realm=\"wsx\"" : "Bearer";
	return 401;
}

int
gate_check(const struct wsx_gate *g, size_t clients, const struct ws_http *h,
	   const char **challenge)
{
	const struct wsx_server_opts *o = &g->opts;

	*challenge = NULL;
	if (o->max_conns && clients >= o->max_conns) {
		wsx_info("refused a client: --max-conns %lu reached",
			 o->max_conns);
		return 503;
	}
	if (!gate_origin_allowed(o, h)) {
		wsx_info("refused a client: its Origin is not allowed");
		return 403;
	}
	if (!gate_authorized(g, h)) {
		wsx_info("refused a client: no valid credentials");
		return gate_unauthorized(g, challenge);
	}
	return 0;
}

/* Files served next to the WebSockets are behind the same credentials. */
int
gate_check_http(const struct wsx_gate *g, const struct ws_http *h,
		const char **challenge)
{
	*challenge = NULL;
	return gate_authorized(g, h) ? 0 : gate_unauthorized(g, challenge);
}
