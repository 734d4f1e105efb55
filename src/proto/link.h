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

/* A server link's plain HTTP: requests and answers before an upgrade. */
struct link_http {
	size_t head_scan;
	struct wsx_buf out; /* an HTTP answer */
	int file_fd;	    /* and the file that follows it */
	uint64_t file_left;
	bool close_after; /* no keep-alive after this answer */
};

/* A client link's own, apart so that a server's links do not carry it. */
struct link_client {
	/* what comes after the TCP connect */
	struct wsx_tunnel *tunnel;   /* during LINK_TUNNEL */
	struct wsx_tls_ctx *tls_ctx; /* TLS to the peer once the path is up */
	char *servername;
	/* the request, which the engine checks the answer against */
	struct ws_client_hs hs;
	char **subprotocols;
	struct ws_deflate_params deflate;
};

struct wsx_link {
	struct wsx_server *server; /* NULL for a client */
	struct wsx_loop *loop;
	struct wsx_conn *c; /* until the conn ends; else NULL */
	struct wsx_fdw *w;
	struct wsx_tls *tls;	      /* wss: TLS to the peer */
	struct wsx_tls *proxy_tls;    /* an https:// proxy: TLS to it */
	struct wsx_link *next, *prev; /* the server's links */
	enum link_phase phase;
	bool client;
	bool trace;	  /* -v: show the handshake as curl -v does */
	bool traced_tls;  /* ... the TLS session was shown */
	bool traced_head; /* ... and the request */
	bool engine;	  /* p is initialised */
	bool held;	  /* not reading: too much output waits */
	bool paused;	  /* what fdwatch was last told */
	bool eof;	  /* the peer sent all it will */
	int busy;	  /* inside a callback of ours: free later */
	bool dead;	  /* freed while busy */
	char *peer;	  /* "HOST:PORT" */
	char *via;	  /* client: the proxy connected to, or "" */
	struct ws_proto p;
	struct wsx_buf in;	/* request heads; input the owner held back */
	struct link_http *http; /* a server's, until its WebSocket starts */
	struct link_client *cl; /* a client's: NULL on a server */
	struct wsx_alarm *al_deadline; /* connect, request head, linger */
	struct wsx_alarm *al_resume;   /* feed held input again */
	struct wsx_alarm *al_trim;     /* hand back the engine's buffers */
	uint64_t trim_mark;	       /* bytes moved when al_trim was set */
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
	bool trace;		       /* -v for this connection */
	const struct ws_deflate_params *deflate;
};

/* Start a client connection for c on fd (connecting); -1 with err. */
int link_connect(struct wsx_conn *c, int fd, const struct link_client_opts *o,
		 struct wsx_err *err);

/* Between the link files. */
/* link.c */
void link_want_write(struct wsx_link *l);
void link_update_rx(struct wsx_link *l);
void link_abort(struct wsx_link *l);
void link_arm_deadline(struct wsx_link *l, uint64_t usec);
void link_drop(struct wsx_link *l);
void link_enter(struct wsx_link *l);
bool link_leave(struct wsx_link *l);
bool link_write_at(struct wsx_link *l, int layer, const unsigned char *data,
		   size_t len, size_t *done);
bool link_write(struct wsx_link *l, const unsigned char *data, size_t len,
		size_t *done);
void link_stream_input(struct wsx_link *l, unsigned char *buf, size_t n,
		       bool *eof);
void link_trace_lines(const char *prefix, const char *text, size_t len);
bool link_body_line_ready(const struct wsx_link *l);
void link_trace_request(struct wsx_link *l);
/* link_ws.c */
/* the engine's on_frame for -vv, else NULL */
void (*link_frame_hook(void))(void *, bool, int, bool, uint64_t, bool);
void link_on_event(void *arg, struct ws_event *ev);
void link_start_engine(struct wsx_link *l);
void link_feed(struct wsx_link *l, unsigned char *data, size_t len);
void link_resume(void *arg);
void link_flush_ws(struct wsx_link *l);
/* link_http.c */
void link_request(struct wsx_link *l);
void link_flush_reply(struct wsx_link *l);
/* link_client.c */
void link_tunnel_end(struct wsx_link *l);
void link_tunnel_failed(struct wsx_link *l, const struct wsx_err *err);
void link_tunnel_input(struct wsx_link *l, unsigned char *buf, size_t n);
void link_flush_tunnel(struct wsx_link *l);
void link_connected(struct wsx_link *l);
extern const struct wsx_fdw_ops *const link_fdw_ops;
/* Once quiet for a second, the engine's buffers go back (link_ws.c). */
void link_watch_buffers(struct wsx_link *l);
/* The plain HTTP side of a server link is over (link_http.c). */
void link_http_end(struct wsx_link *l);
/* A server link's via: "", not allocated */
extern char link_no_proxy[1];

/* Bytes read per call, into the loop's buffer. */
#define LINK_READ_BYTES (256 * 1024)
/* Queued messages are framed into the engine's output up to this. */
#define LINK_FRAME_AHEAD (256 * 1024)
/* After our side is shut down, wait this long for the peer's. */
#define LINK_LINGER_US	      (2 * 1000000)
#define LINK_CLOSE_TIMEOUT_US (5 * 1000000)
/* Pipelined HTTP requests held while an answer goes out. */
#define LINK_MAX_PENDING_INPUT (2 * WS_HTTP_MAX_HEAD)

#endif
