/*
 * serve's log of what clients did: a line per connection opened and
 * closed and per plain HTTP request, on stderr, as text ("wsx: open ...")
 * or with --log-json as one JSON object per line.
 */
#ifndef WSX_SERVE_ACCESSLOG_H
#define WSX_SERVE_ACCESSLOG_H

#include <stdbool.h>

#include "proto/conn.h"
#include "proto/server.h"

void wsx_accesslog_json(bool on);
void wsx_accesslog_listening(const char *url);
void wsx_accesslog_open(const struct wsx_conn_info *i);
void wsx_accesslog_close(const struct wsx_conn_info *i,
			 const struct wsx_close *cl);
void wsx_accesslog_http(const struct wsx_http_request *req, unsigned status);

#endif
