/*
 * Echo: every message goes back to its sender with its type and exact
 * bytes. Shared by `wsx serve --echo` and the server `wsx bench` embeds.
 */
#ifndef WSX_SERVE_ECHO_H
#define WSX_SERVE_ECHO_H

#include "proto/conn.h"

/* on_message and on_drain of an echoing connection's ops */
void wsx_echo_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg);
void wsx_echo_drain(struct wsx_conn *c, void *arg);

#endif
