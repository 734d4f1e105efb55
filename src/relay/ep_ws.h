/*
 * WebSocket endpoints: a connection of proto/ (a client's, or one a
 * listener accepted) seen as an endpoint. Messages keep their type; pongs
 * and close codes and reasons pass through.
 */
#ifndef WSX_RELAY_EP_WS_H
#define WSX_RELAY_EP_WS_H

#include "proto/client.h"
#include "proto/conn.h"
#include "relay/ep.h"
#include "relay/reconnect.h"

/* Connect url; a bad URL fails here (exit 2), anything later is on_end. */
struct wsx_ep *wsx_ep_ws_connect(struct wsx_client *cl, const char *url,
				 const struct wsx_client_extra *x,
				 const struct wsx_conn_limits *lim,
				 struct wsx_err *err);
/*
 * The same with --reconnect (rc enabled): after a failed connect or an
 * abnormal close it connects again after a backoff, and its owner sees one
 * long connection: a message sent meanwhile is held (the send says "full",
 * on_drain follows the reconnect). x, when given, must outlive it.
 */
struct wsx_ep *wsx_ep_ws_connect_retrying(
	struct wsx_loop *loop, struct wsx_client *cl, const char *url,
	const struct wsx_client_extra *x, const struct wsx_conn_limits *lim,
	const struct reconnect_opts *rc, struct wsx_err *err);
/*
 * An accepted connection, open already. watch, when not NULL, hears of the
 * connection's end too (its on_close only): a server's own bookkeeping.
 */
struct wsx_ep *wsx_ep_ws_accepted(struct wsx_conn *c,
				  const struct wsx_conn_ops *watch,
				  void *watch_arg);
/* The connection while it lasts, else NULL. */
struct wsx_conn *wsx_ep_ws_conn(struct wsx_ep *e);

#endif
