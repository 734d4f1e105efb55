/* serve's connection log; see accesslog.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/accesslog.h"
#include "util/closecode.h"
#include "util/clock.h"
#include "util/log.h"

/* one flag for the process: serve has one log */
static bool accesslog_as_json;

void
wsx_accesslog_json(bool on)
{
	accesslog_as_json = on;
}

/* A JSON line with the time and event first; -q silences it like text. */
static cJSON *
accesslog_event(const char *event)
{
	cJSON *o = cJSON_CreateObject();
	struct timespec ts;
	char when[40];
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "event", event);
	return o;
}

/*
 * The request target for the log, printable, with a ?token= value (serve
 * --token's credential in the URL) masked: logs are read by more people
 * than the credentials are meant for.
 */
static void
accesslog_path(char *out, size_t cap, const char *path)
{
	char masked[2048];
	const char *q = strchr(path, '?');
	size_t o = 0;

	if (!q) {
		wsx_printable(out, cap, path, strlen(path));
		return;
	}
	for (const char *p = path; *p && o + 4 < sizeof(masked);) {
		bool at_arg = p > q && (p[-1] == '?' || p[-1] == '&');

		if (at_arg && !strncmp(p, "token=", 6)) {
			size_t n = sizeof(masked) - o < 9 ? sizeof(masked) - o
							  : 9;

			memcpy(masked + o, "token=***", n);
			o += n;
			p += 6 + strcspn(p + 6, "&");
			continue;
		}
		masked[o++] = *p++;
	}
	wsx_printable(out, cap, masked, o);
}

static void
accesslog_emit(cJSON *o)
{
	char *line = cJSON_PrintUnformatted(o);

	if (line && wsx_log_level() >= WSX_LOG_NOTICE) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	}
	free(line);
	cJSON_Delete(o);
}

static void
accesslog_add_conn(cJSON *o, const struct wsx_conn_info *i)
{
	char path[256];

	/* the client chose these bytes: valid UTF-8 only, as in the text */
	accesslog_path(path, sizeof(path), i->path);
	cJSON_AddStringToObject(o, "peer", i->peer);
	cJSON_AddStringToObject(o, "path", path);
	if (i->protocol[0])
		cJSON_AddStringToObject(o, "protocol", i->protocol);
	if (i->compressed)
		cJSON_AddBoolToObject(o, "compressed", true);
}

void
wsx_accesslog_listening(const char *url)
{
	cJSON *o;

	if (!accesslog_as_json) {
		wsx_notice("listening on %s", url);
		return;
	}
	o = accesslog_event("listening");
	cJSON_AddStringToObject(o, "url", url);
	accesslog_emit(o);
}

void
wsx_accesslog_open(const struct wsx_conn_info *i)
{
	char path[256];
	cJSON *o;

	if (!accesslog_as_json) {
		accesslog_path(path, sizeof(path), i->path);
		wsx_notice("open %s %s%s", i->peer, path,
			   i->compressed ? " (permessage-deflate)" : "");
		return;
	}
	o = accesslog_event("open");
	accesslog_add_conn(o, i);
	accesslog_emit(o);
}

void
wsx_accesslog_close(const struct wsx_conn_info *i, const struct wsx_close *cl)
{
	double secs = (double)(wsx_now_us() - i->opened_us) / 1e6;
	char path[256], how[256];
	cJSON *o;

	if (!accesslog_as_json) {
		accesslog_path(path, sizeof(path), i->path);
		wsx_close_describe(how, sizeof(how),
				   cl->by_peer ? "the client" : "wsx", cl->code,
				   cl->reason);
		wsx_notice("close %s %s: %s, %.3f s, in %llu msgs %llu bytes, "
			   "out %llu msgs %llu bytes",
			   i->peer, path, how, secs,
			   (unsigned long long)i->msgs_in,
			   (unsigned long long)i->bytes_in,
			   (unsigned long long)i->msgs_out,
			   (unsigned long long)i->bytes_out);
		return;
	}
	o = accesslog_event("close");
	accesslog_add_conn(o, i);
	cJSON_AddNumberToObject(o, "code", cl->code);
	cJSON_AddStringToObject(o, "name", wsx_close_code_name(cl->code));
	if (cl->reason[0])
		cJSON_AddStringToObject(o, "reason", cl->reason);
	cJSON_AddBoolToObject(o, "by_client", cl->by_peer);
	cJSON_AddNumberToObject(o, "seconds", secs);
	cJSON_AddNumberToObject(o, "msgs_in", (double)i->msgs_in);
	cJSON_AddNumberToObject(o, "bytes_in", (double)i->bytes_in);
	cJSON_AddNumberToObject(o, "msgs_out", (double)i->msgs_out);
	cJSON_AddNumberToObject(o, "bytes_out", (double)i->bytes_out);
	accesslog_emit(o);
}

void
wsx_accesslog_http(const struct wsx_http_request *req, unsigned status)
{
	char path[256];
	cJSON *o;

	if (!accesslog_as_json) {
		accesslog_path(path, sizeof(path), req->path);
		wsx_notice("http %s %s %s: %u", req->peer, req->verb, path,
			   status);
		return;
	}
	accesslog_path(path, sizeof(path), req->path);
	o = accesslog_event("http");
	cJSON_AddStringToObject(o, "peer", req->peer);
	cJSON_AddStringToObject(o, "method", req->verb);
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddNumberToObject(o, "status", status);
	accesslog_emit(o);
}

static const char *const redis_state_names[] = {
	[WSX_REDIS_UP] = "up",
	[WSX_REDIS_DOWN] = "down",
	[WSX_REDIS_BEHIND] = "behind",
	[WSX_REDIS_CAUGHT_UP] = "caught_up",
};

static void
accesslog_redis_text(const struct wsx_redis_event *e)
{
	switch (e->state) {
	case WSX_REDIS_UP:
		if (e->first && !e->lost)
			wsx_notice("redis: rooms shared through %s (channels "
				   "%sPATH)",
				   e->url, e->prefix);
		else if (e->first)
			wsx_notice("redis: rooms shared through %s (channels "
				   "%sPATH); %llu messages sent before reached "
				   "this instance only",
				   e->url, e->prefix, e->lost);
		else if (!e->lost)
			wsx_notice("redis: %s is back after %.1f s; rooms are "
				   "shared again",
				   e->url, e->away_s);
		else
			wsx_notice("redis: %s is back after %.1f s; rooms are "
				   "shared again (%llu messages sent "
				   "meanwhile reached this instance only)",
				   e->url, e->away_s, e->lost);
		break;
	case WSX_REDIS_DOWN:
		if (e->first)
			wsx_notice("redis: %s: %s; rooms are local to this "
				   "instance until it answers",
				   e->url, e->error);
		else
			wsx_notice("redis: lost %s (%s); rooms are local to "
				   "this instance until it is back",
				   e->url, e->error);
		break;
	case WSX_REDIS_BEHIND:
		wsx_notice("redis: %s is not keeping up; new messages reach "
			   "this instance only until it does",
			   e->url);
		break;
	case WSX_REDIS_CAUGHT_UP:
		wsx_notice("redis: %s caught up; %llu messages reached this "
			   "instance only",
			   e->url, e->lost);
		break;
	}
}

void
wsx_accesslog_redis(const struct wsx_redis_event *e)
{
	cJSON *o;

	if (!accesslog_as_json) {
		accesslog_redis_text(e);
		return;
	}
	o = accesslog_event("redis");
	cJSON_AddStringToObject(o, "state", redis_state_names[e->state]);
	cJSON_AddStringToObject(o, "url", e->url);
	if (e->state == WSX_REDIS_DOWN)
		cJSON_AddStringToObject(o, "error", e->error);
	if (e->state == WSX_REDIS_UP || e->state == WSX_REDIS_DOWN)
		cJSON_AddBoolToObject(o, "first", e->first);
	if (e->state == WSX_REDIS_UP && !e->first)
		cJSON_AddNumberToObject(o, "away_seconds", e->away_s);
	if (e->state == WSX_REDIS_CAUGHT_UP ||
	    (e->state == WSX_REDIS_UP && (!e->first || e->lost)))
		cJSON_AddNumberToObject(o, "lost", (double)e->lost);
	accesslog_emit(o);
}
