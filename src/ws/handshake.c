/*
 * The opening handshake; see handshake.h. The server side checks every
 * MUST of RFC 6455 4.2.1 and answers the first one broken with the status
 * the RFC (or RFC 7231) gives it; the client side checks every MUST of
 * 4.1 on the answer, since a proxy or a half-WebSocket server in between
 * is exactly what a debugging tool has to report clearly.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "util/base64.h"
#include "ws/handshake.h"

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

static void hs_printf(struct wsx_buf *out, const char *fmt, ...)
	WSX_PRINTF(2, 3);

/* Append formatted text to out (silently cut at the buffer's cap). */
static void
hs_printf(struct wsx_buf *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || wsx_buf_reserve(out, (size_t)n + 1))
		return;
	va_start(ap, fmt);
	vsnprintf((char *)wsx_buf_tail(out), (size_t)n + 1, fmt, ap);
	va_end(ap);
	wsx_buf_commit(out, (size_t)n);
}

void
ws_handshake_accept_key(char out[WS_ACCEPT_LEN], const char *key)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char buf[128];
	size_t kl = strlen(key);

	if (kl > sizeof(buf) - sizeof(ws_guid))
		kl = sizeof(buf) - sizeof(ws_guid);
	memcpy(buf, key, kl);
	memcpy(buf + kl, ws_guid, sizeof(ws_guid) - 1);
	EVP_Digest(buf, kl + sizeof(ws_guid) - 1, md, &mdlen, EVP_sha1(), NULL);
	out[wsx_base64_encode(out, md, 20)] = '\0';
}

/* A value that can go into a header line: no CR, LF or other control. */
static bool
hs_clean(const char *s)
{
	for (; s && *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return false;
	return true;
}

int
ws_handshake_request(struct wsx_buf *out, const struct ws_client_hs *c,
		     const uint8_t nonce[16], char key[WS_KEY_LEN],
		     struct wsx_err *err)
{
	const char *target = c->target && *c->target ? c->target : "/";

	size_t hl = c->headers ? strlen(c->headers) : 0;

	if (!c->host || !*c->host || !hs_clean(c->host) || !hs_clean(target) ||
	    strchr(target, ' ') || !hs_clean(c->origin))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "host, path and origin must be printable");
	/* extra lines must not end the head early nor leave it open */
	if (hl &&
	    (hl < 2 || strcmp(c->headers + hl - 2, "\r\n") ||
	     strstr(c->headers, "\r\n\r\n") || !strncmp(c->headers, "\r\n", 2)))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "extra header lines must each end in CRLF");
	for (size_t i = 0; i < c->nsubprotocols; i++)
		if (!ws_http_is_token(c->subprotocols[i],
				      strlen(c->subprotocols[i])) ||
		    strlen(c->subprotocols[i]) >= WS_SUBPROTOCOL_MAX)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "subprotocol '%s' is not a token",
					   c->subprotocols[i]);
	key[wsx_base64_encode(key, nonce, 16)] = '\0';
	hs_printf(out,
		  "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
		  "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
		  "Sec-WebSocket-Version: 13\r\n",
		  target, c->host, key);
	if (c->origin)
		hs_printf(out, "Origin: %s\r\n", c->origin);
	for (size_t i = 0; i < c->nsubprotocols; i++)
		hs_printf(out, "%s%s%s", i ? ", " : "Sec-WebSocket-Protocol: ",
			  c->subprotocols[i],
			  i + 1 == c->nsubprotocols ? "\r\n" : "");
	if (c->deflate) {
		char ext[WS_DEFLATE_HEADER_MAX];

		ws_deflate_offer(ext, c->deflate);
		hs_printf(out, "Sec-WebSocket-Extensions: %s\r\n", ext);
	}
	if (c->headers)
		hs_printf(out, "%s", c->headers);
	hs_printf(out, "\r\n");
	return 0;
}

/* The one field called name: NULL when absent or repeated. */
static const char *
hs_single(const struct ws_http *h, const char *name)
{
	int n;
	const char *v = ws_http_get(h, name, &n);

	return n == 1 ? v : NULL;
}

/* A Sec-WebSocket-Key: base64 of exactly 16 bytes (RFC 6455 4.1 item 7). */
static bool
hs_key_ok(const char *key)
{
	unsigned char raw[24];

	return key && strlen(key) == 24 &&
	       wsx_base64_decode(raw, key, 24) == 16;
}

int
ws_handshake_check_request(const struct ws_http *h, struct ws_request *req,
			   const char **why)
{
	const char *v;
	int n;

	memset(req, 0, sizeof(*req));
	req->http = h;
	if (strcmp(h->method, "GET"))
		return *why = "the method must be GET", 405;
	if (h->minor < 1)
		return *why = "HTTP/1.1 or later is needed", 400;
	if (!(req->host = hs_single(h, "Host")))
		return *why = "one Host header is needed", 400;
	if (!ws_http_has_token(h, "Upgrade", "websocket"))
		return *why = "'Upgrade: websocket' is missing", 400;
	if (!ws_http_has_token(h, "Connection", "Upgrade"))
		return *why = "'Connection: Upgrade' is missing", 400;
	v = ws_http_get(h, "Sec-WebSocket-Version", &n);
	if (n != 1 || strcmp(v, "13"))
		return *why = "only WebSocket version 13 is spoken", 426;
	if (!hs_key_ok(req->key = hs_single(h, "Sec-WebSocket-Key")))
		return *why = "Sec-WebSocket-Key must be base64 of 16 bytes",
		       400;
	v = ws_http_get(h, "Origin", &n);
	if (n > 1)
		return *why = "more than one Origin header", 400;
	req->origin = v;
	req->target = h->target;
	req->subprotocols = ws_http_get(h, "Sec-WebSocket-Protocol", NULL);
	req->extensions = ws_http_get(h, "Sec-WebSocket-Extensions", NULL);
	return 0;
}

int
ws_handshake_negotiate(const struct ws_request *req,
		       const struct ws_server_hs *s, struct ws_agreed *a,
		       const char **why)
{
	char joined[WS_HTTP_MAX_HEAD];
	long n;

	memset(a, 0, sizeof(*a));
	n = ws_http_join(req->http, "Sec-WebSocket-Protocol", joined,
			 sizeof(joined));
	if (n > 0) {
		const char *p = joined, *item;
		size_t len;

		while (ws_http_list_next(&p, joined + n, &item, &len)) {
			if (!ws_http_is_token(item, len))
				return *why = "Sec-WebSocket-Protocol is not a list of tokens",
				       400;
			for (size_t i = 0;
			     i < s->nsubprotocols && !a->subprotocol[0]; i++)
				if (strlen(s->subprotocols[i]) == len &&
				    !memcmp(s->subprotocols[i], item, len) &&
				    len < WS_SUBPROTOCOL_MAX)
					memcpy(a->subprotocol, item, len);
		}
	}
	n = ws_http_join(req->http, "Sec-WebSocket-Extensions", joined,
			 sizeof(joined));
	if (n > 0 && s->deflate) {
		int rc = ws_deflate_negotiate(joined, (size_t)n, s->deflate,
					      &a->params);

		if (rc < 0)
			return *why = "Sec-WebSocket-Extensions does not parse",
			       400;
		a->deflate = rc == 1;
	}
	return 0;
}

void
ws_handshake_accept(struct wsx_buf *out, const struct ws_request *req,
		    const struct ws_server_hs *s, const struct ws_agreed *a)
{
	char accept[WS_ACCEPT_LEN];

	ws_handshake_accept_key(accept, req->key);
	hs_printf(out,
		  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		  "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n",
		  accept);
	if (a->subprotocol[0])
		hs_printf(out, "Sec-WebSocket-Protocol: %s\r\n",
			  a->subprotocol);
	if (a->deflate) {
		char ext[WS_DEFLATE_HEADER_MAX];

		ws_deflate_answer(ext, &a->params);
		hs_printf(out, "Sec-WebSocket-Extensions: %s\r\n", ext);
	}
	if (s && s->headers)
		hs_printf(out, "%s", s->headers);
	hs_printf(out, "\r\n");
}

void
ws_handshake_error(struct wsx_buf *out, int status, const char *message)
{
	size_t mlen = message ? strlen(message) : 0;

	hs_printf(out, "HTTP/1.1 %d %s\r\n", status, ws_http_reason(status));
	if (status == 426)
		hs_printf(
			out,
			"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
	if (status == 405)
		hs_printf(out, "Allow: GET\r\n");
	hs_printf(out,
		  "Content-Type: text/plain; charset=utf-8\r\n"
		  "Content-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
		  mlen + 1, message ? message : "");
}

int
ws_handshake_check_response(const struct ws_http *h, const char *key,
			    const struct ws_client_hs *c, struct ws_agreed *a,
			    struct wsx_err *err)
{
	char want[WS_ACCEPT_LEN], joined[WS_HTTP_MAX_HEAD];
	const char *v;
	long n;
	int count;

	memset(a, 0, sizeof(*a));
	if (h->status != 101)
		return wsx_err_set(err, WSX_EXIT_HANDSHAKE,
				   "the server answered %d %s", h->status,
				   h->reason);
	if (!ws_http_has_token(h, "Upgrade", "websocket"))
		return wsx_err_set(
			err, WSX_EXIT_HANDSHAKE,
			"the server's answer lacks 'Upgrade: websocket'");
	if (!ws_http_has_token(h, "Connection", "Upgrade"))
		return wsx_err_set(
			err, WSX_EXIT_HANDSHAKE,
			"the server's answer lacks 'Connection: Upgrade'");
	ws_handshake_accept_key(want, key);
	v = ws_http_get(h, "Sec-WebSocket-Accept", &count);
	if (count != 1 || strcmp(v, want))
		return wsx_err_set(
			err, WSX_EXIT_HANDSHAKE,
			"the server's Sec-WebSocket-Accept is %s'%s', not '%s'",
			count > 1 ? "repeated: " : "", v ? v : "", want);
	v = ws_http_get(h, "Sec-WebSocket-Protocol", &count);
	if (count > 1 || (v && strchr(v, ',')))
		return wsx_err_set(
			err, WSX_EXIT_HANDSHAKE,
			"the server chose more than one subprotocol");
	if (v) {
		bool offered = false;

		for (size_t i = 0; i < c->nsubprotocols && !offered; i++)
			offered = !strcmp(v, c->subprotocols[i]);
		if (!offered)
			return wsx_err_set(
				err, WSX_EXIT_HANDSHAKE,
				"the server chose subprotocol '%s', which was not offered",
				v);
		snprintf(a->subprotocol, sizeof(a->subprotocol), "%s", v);
	}
	n = ws_http_join(h, "Sec-WebSocket-Extensions", joined, sizeof(joined));
	if (n > 0) {
		const char *p = joined, *item, *why = NULL;
		size_t len;

		while (ws_http_list_next(&p, joined + n, &item, &len)) {
			size_t nl = strcspn(item, ";, \t");

			if (nl > len)
				nl = len;
			if (nl != 18 ||
			    strncasecmp(item, "permessage-deflate", 18) ||
			    !c->deflate)
				return wsx_err_set(
					err, WSX_EXIT_HANDSHAKE,
					"the server chose extension '%.*s', which was not offered",
					(int)nl, item);
			if (a->deflate)
				return wsx_err_set(
					err, WSX_EXIT_HANDSHAKE,
					"the server chose permessage-deflate twice");
			if (ws_deflate_check_answer(item + nl, len - nl,
						    c->deflate, &a->params,
						    &why))
				return wsx_err_set(
					err, WSX_EXIT_HANDSHAKE,
					"the server's permessage-deflate: %s",
					why);
			a->deflate = true;
		}
	} else if (n < 0) {
		return wsx_err_set(
			err, WSX_EXIT_HANDSHAKE,
			"the server's Sec-WebSocket-Extensions is too long");
	}
	return 0;
}
