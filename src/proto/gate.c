/*
 * The server's gate: who may open a WebSocket. Checked when a client asks
 * to upgrade, before any WebSocket state exists, and answered with a plain
 * HTTP status: 503 beyond --max-conns, 403 for an Origin not allowed,
 * 401 without the --user credentials or the --token.
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
gate_secret_equal(const char *got, const char *want)
{
	size_t n = strlen(want);

	return strlen(got) == n && !CRYPTO_memcmp(got, want, n);
}

static bool
gate_origin_allowed(const struct wsx_server_opts *o, struct lws *wsi)
{
	char origin[512];

	if (!o->n_origins)
		return true;
	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
		return false;
	for (size_t i = 0; i < o->n_origins; i++)
		if (!strcasecmp(origin, o->origins[i]))
			return true;
	return false;
}

static bool
gate_authorized(const struct wsx_gate *g, struct lws *wsi)
{
	const struct wsx_server_opts *o = &g->opts;
	char auth[512], token[256];
	const char *given;

	if (!o->user && !o->token)
		return true;
	if (lws_hdr_copy(wsi, auth, sizeof(auth),
			 WSI_TOKEN_HTTP_AUTHORIZATION) > 0) {
		if (g->basic && gate_secret_equal(auth, g->basic))
			return true;
		if (o->token && !strncasecmp(auth, "Bearer ", 7) &&
		    gate_secret_equal(auth + 7, o->token))
			return true;
	}
	if (!o->token)
		return false;
	given = lws_get_urlarg_by_name(wsi, "token=", token, sizeof(token));
	return given && gate_secret_equal(given, o->token);
}

/* Answer the upgrade request with status, one optional header, no body. */
int
gate_refuse(struct lws *wsi, unsigned status, const char *header,
	    const char *value)
{
	unsigned char buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start;
	unsigned char *end = buf + sizeof(buf) - 1;

	if (lws_add_http_header_status(wsi, status, &p, end) ||
	    (header &&
	     lws_add_http_header_by_name(wsi, (const unsigned char *)header,
					 (const unsigned char *)value,
					 (int)strlen(value), &p, end)) ||
	    lws_add_http_header_content_length(wsi, 0, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	return 1; /* lws: the answer is written */
}

/*
 * What libwebsockets 4.1 lets through but RFC 6455 4.2.1 does not: another
 * version than 13 (or none) gets 426 naming 13, and a key that is not 16
 * bytes in base64 (a repeated header is joined into one longer value) 400.
 */
static int
gate_check_request(struct lws *wsi)
{
	char version[16], key[64];

	if (lws_hdr_copy(wsi, version, sizeof(version), WSI_TOKEN_VERSION) <=
		    0 ||
	    strcmp(version, "13")) {
		wsx_info("refused a client: WebSocket version is not 13");
		return gate_refuse(wsi, 426, "sec-websocket-version:", "13");
	}
	if (lws_hdr_copy(wsi, key, sizeof(key), WSI_TOKEN_KEY) != 24 ||
	    strcmp(key + 22, "==") ||
	    strspn(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			"0123456789+/") != 22) {
		wsx_info("refused a client: bad Sec-WebSocket-Key");
		return gate_refuse(wsi, 400, NULL, NULL);
	}
	return 0;
}

static int
gate_refuse_unauthorized(const struct wsx_gate *g, struct lws *wsi)
{
	return gate_refuse(wsi, 401, "www-authenticate:",
			   g->basic ? "Basic realm=\"wsx\"" : "Bearer");
}

int
gate_check(const struct wsx_gate *g, size_t clients, struct lws *wsi)
{
	const struct wsx_server_opts *o = &g->opts;
	int rc = gate_check_request(wsi);

	if (rc)
		return rc;
	if (o->max_conns && clients >= o->max_conns) {
		wsx_info("refused a client: --max-conns %lu reached",
			 o->max_conns);
		return gate_refuse(wsi, 503, NULL, NULL);
	}
	if (!gate_origin_allowed(o, wsi)) {
		wsx_info("refused a client: its Origin is not allowed");
		return gate_refuse(wsi, 403, NULL, NULL);
	}
	if (!gate_authorized(g, wsi)) {
		wsx_info("refused a client: no valid credentials");
		return gate_refuse_unauthorized(g, wsi);
	}
	return 0;
}

/* Files served next to the WebSockets are behind the same credentials. */
int
gate_check_http(const struct wsx_gate *g, struct lws *wsi)
{
	return gate_authorized(g, wsi) ? 0 : gate_refuse_unauthorized(g, wsi);
}
