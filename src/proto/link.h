/*
 * Private to src/proto/: a connection on wsx's own protocol engine over a
 * socket of our own (link.c), its HTTP phase on a server, its connecting
 * phases on a client (TCP, a proxy's tunnel, TLS), and the layers its
 * bytes go through: socket, TLS to an https:// proxy, TLS to the peer.
 */
#ifndef WSX_PROTO_LINK_H
#define WSX_PROTO_LINK_H

#include "proto/internal.h"
#include "proto/tls.h"

struct wsx_tunnel;
struct wsx_tunnel_opts;

enum link_phase {
	LINK_CONNECTING, /* client: TCP connect under way */
	LINK_TUNNEL,	 /* client: a proxy's tunnel being set up */
	LINK_HEAD,	 /* server: waiting for a request head */
	LINK_REPLY,	 /* server: sending a plain HTTP answer */
	LINK_WS,	 /* the engine has it */
	LINK_AWAIT,	 /* client: closed cleanly, the server's FIN awaited */
	LINK_LINGER,	 /* our side is shut down; waiting for the peer's */
};

struct wsx_link {
	struct wsx_server *server; /* NULL for a client */
	struct wsx_loop *loop;
	struct wsx_conn *c; /* until the conn ends; else NULL */
	struct wsx_fdw *w;
	struct wsx_tls *tls;	   /* wss: TLS to the peer */
	struct wsx_tls *proxy_tls; /* an https:// proxy: TLS to it */
	struct wsx_link *next, *prev; /* the server's links */
	enum link_phase phase;
	bool client;
	bool engine; /* p is initialised */
	bool held;   /* not reading: too much output waits */
	bool paused; /* what fdwatch was last told */
	bool eof;    /* the peer sent all it will */
	int busy;    /* inside a callback of ours: free later */
	bool dead;   /* freed while busy */
	char peer[272];
	char via[272]; /* client: the proxy connected to, or "" */
	struct ws_proto p;
	struct wsx_buf in; /* request heads; input the owner held back */
	size_t head_scan;
	struct wsx_buf out; /* an HTTP answer */
	int file_fd;	    /* and the file that follows it */
	uint64_t file_left;
	bool close_after; /* no keep-alive after this answer */
	/* client: what comes after the TCP connect */
	struct wsx_tunnel *tunnel; /* during LINK_TUNNEL */
	struct wsx_tls_ctx *tls_ctx; /* TLS to the peer once the path is up */
	char *servername;
	/* the request, which the engine checks the answer against */
	struct ws_client_hs hs;
	char **subprotocols;
	struct ws_deflate_params deflate;
	lws_sorted_usec_list_t sul_deadline; /* connect, request head, linger */
	lws_sorted_usec_list_t sul_resume;   /* feed held input again */
};

/* What a client connection goes through, after TCP to fd. */
struct link_client_opts {
	const char *peer; /* for messages: "host:port" */
	const char *via;  /* the proxy's "host:port", or NULL */
	uint64_t connect_timeout_us;
	const struct wsx_tunnel_opts *tunnel; /* through a proxy, or NULL */
	struct wsx_tls_ctx *proxy_tls;	      /* an https:// proxy */
	const char *proxy_servername;
	struct wsx_tls_ctx *tls; /* wss:// */
	const char *servername;
	const struct ws_client_hs *hs; /* the upgrade request */
	const struct ws_deflate_params *deflate;
};

/* Start a client connection for c on fd (connecting); -1 with err. */
int link_connect(struct wsx_conn *c, int fd, const struct link_client_opts *o,
		 struct wsx_err *err);

#endif
