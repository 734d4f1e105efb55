/*
 * The opening handshake (RFC 6455 4), both roles: the client's request
 * built and the server's response checked; the request checked strictly,
 * the 101 and the error answers built for the server.
 */
#ifndef WSX_WS_HANDSHAKE_H
#define WSX_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/err.h"
#include "ws/deflate.h"
#include "ws/http.h"

/* Sec-WebSocket-Key: base64 of 16 bytes, and its NUL */
#define WS_KEY_LEN 25
/* Sec-WebSocket-Accept: base64 of a SHA-1, and its NUL */
#define WS_ACCEPT_LEN 29
/* The longest subprotocol name kept, with its NUL. */
#define WS_SUBPROTOCOL_MAX 128

/* What a client asks for. Strings must hold no CR or LF. */
struct ws_client_hs {
	const char *host;   /* the Host value, with ":port" if not default */
	const char *target; /* "/path?query" */
	const char *origin; /* NULL: no Origin header */
	const char *const *subprotocols; /* in order of preference */
	size_t nsubprotocols;
	const struct ws_deflate_params *deflate; /* NULL: not offered */
	const char *headers; /* extra "Name: value\r\n" lines, or NULL */
};

/* What a server offers: what the client's request is matched against. */
struct ws_server_hs {
	const char *const *subprotocols; /* that it speaks */
	size_t nsubprotocols;
	const struct ws_deflate_params *deflate; /* NULL: never compress */
	const char *headers; /* extra response lines, or NULL */
};

/* A checked request; pointers into the parsed head. */
struct ws_request {
	const struct ws_http *http; /* every field, for auth, cookies ... */
	const char *target;
	const char *host;
	const char *origin;	  /* NULL when absent */
	const char *key;	  /* Sec-WebSocket-Key, checked */
	const char *subprotocols; /* the offered list, NULL when none */
	const char *extensions;	  /* the offered list, NULL when none */
};

/* What was agreed, on either side. */
struct ws_agreed {
	char subprotocol[WS_SUBPROTOCOL_MAX]; /* "" for none */
	bool deflate;
	struct ws_deflate_params params;
};

/*
 * The accept value for a key: base64(SHA-1(key + the RFC's GUID)).
 */
void ws_handshake_accept_key(char out[WS_ACCEPT_LEN], const char *key);

/*
 * Client: append the upgrade request to out, with the key made from 16
 * nonce bytes (the caller draws them from the OS) written to key.
 * -1 with err when a string would break the request (CR, LF, not a token).
 */
int ws_handshake_request(struct wsx_buf *out, const struct ws_client_hs *c,
			 const uint8_t nonce[16], char key[WS_KEY_LEN],
			 struct wsx_err *err);

/*
 * Server: check a parsed request against RFC 6455 4.2.1. 0 with req
 * filled, or the HTTP status to answer (400, 405, 426) with *why.
 */
int ws_handshake_check_request(const struct ws_http *h, struct ws_request *req,
			       const char **why);

/*
 * Server: choose what to agree with this request: the client's most
 * preferred subprotocol that s speaks, and permessage-deflate when both
 * want it. 0, or 400 with *why when the request's lists do not parse.
 */
int ws_handshake_negotiate(const struct ws_request *req,
			   const struct ws_server_hs *s, struct ws_agreed *a,
			   const char **why);

/* Server: append the 101 answer for req and what was agreed to out. */
void ws_handshake_accept(struct wsx_buf *out, const struct ws_request *req,
			 const struct ws_server_hs *s,
			 const struct ws_agreed *a);

/*
 * Server: append an error answer to out: the status (400, 403, 404, 405,
 * 426, 503 or any other), a plain-text body of message and a line end,
 * and Connection: close; 426 names the version we speak, 405 the method.
 */
void ws_handshake_error(struct wsx_buf *out, int status, const char *message);

/*
 * Client: check the server's answer to a request made with key and c.
 * 0 with a filled; else -1 with err (WSX_EXIT_HANDSHAKE) naming what was
 * wrong: a status other than 101 (its code and reason), a missing or wrong
 * Upgrade, Connection or Accept, a subprotocol or extension not offered.
 */
int ws_handshake_check_response(const struct ws_http *h, const char *key,
				const struct ws_client_hs *c,
				struct ws_agreed *a, struct wsx_err *err);

#endif
