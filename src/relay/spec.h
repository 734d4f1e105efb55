/*
 * Endpoint specs: the words `wsx relay A B` takes for each side (ws://,
 * wss://, ws+unix:, ws-l:, wss-l:, tcp:, tcp-l:, unix:, unix-l:, exec:, sh:,
 * and - for stdio), parsed into what is needed to open the side.
 */
#ifndef WSX_RELAY_SPEC_H
#define WSX_RELAY_SPEC_H

#include <stdbool.h>

#include "util/err.h"

enum wsx_spec_kind {
	WSX_SPEC_WS,	      /* ws://, wss://, ws+unix: (url) */
	WSX_SPEC_WS_LISTEN,   /* ws-l:, wss-l: (host, port, tls) */
	WSX_SPEC_TCP,	      /* tcp:host:port */
	WSX_SPEC_TCP_LISTEN,  /* tcp-l:[host:]port */
	WSX_SPEC_UNIX,	      /* unix:/path */
	WSX_SPEC_UNIX_LISTEN, /* unix-l:/path */
	WSX_SPEC_EXEC,	      /* exec:PROG ARGS..., sh:COMMAND (argv) */
	WSX_SPEC_STDIO,	      /* - */
};

struct wsx_spec {
	enum wsx_spec_kind kind;
	const char *text; /* the spec as given */
	const char *url;  /* WSX_SPEC_WS: the URL, for wsx_client_connect() */
	bool tls;	  /* wss-l: */
	char host[256];	  /* tcp:, tcp-l:, ws-l: (listeners: 127.0.0.1) */
	unsigned port;	  /* listeners may say 0: any free port */
	char path[108];	  /* unix:, unix-l: (sun_path's size) */
	char **argv;	  /* exec:, sh: ("/bin/sh", "-c", COMMAND) */
};

/* Parse text (kept by pointer); -1 with err (exit 2) naming the spec. */
int wsx_spec_parse(struct wsx_spec *s, const char *text, struct wsx_err *err);
void wsx_spec_release(struct wsx_spec *s);
bool wsx_spec_listens(const struct wsx_spec *s);
/* The side carries WebSocket messages, not bytes that need framing. */
bool wsx_spec_is_ws(const struct wsx_spec *s);

#endif
