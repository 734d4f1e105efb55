/* Replay endpoints; see ep_replay.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/ep_replay.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/xalloc.h"

struct replay_msg {
	enum wsx_msg_type type;
	unsigned char *data;
	size_t len;
	double at; /* seconds after the first message */
};

struct ep_replay {
	struct wsx_ep base;
	struct wsx_ep *out; /* stdout, which does the writing */
	struct wsx_timer *timer;
	struct replay_msg *msgs;
	size_t n, next;
	double speed;
	uint64_t start_us; /* when the first message went, shifted by pauses */
	uint64_t paused_us;
	bool paused, started;
};

static struct ep_replay *
ep_replay(struct wsx_ep *e)
{
	return (struct ep_replay *)e;
}

/* --- the file ------------------------------------------------------------- */

static int
replay_bad(struct wsx_err *err, const char *path, unsigned long line,
	   const char *why)
{
	return wsx_err_set(err, WSX_EXIT_USAGE, "--replay: %s line %lu: %s",
			   path, line, why);
}

/* One line: a c>u message of connection *conn (the first one seen). */
static int
replay_line(struct ep_replay *r, const char *path, unsigned long no,
	    const char *line, double *conn, double *t0, struct wsx_err *err)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *ev, *dir, *id, *type, *data, *time;
	struct replay_msg *m;
	int rc = 0;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return replay_bad(err, path, no, "not a JSON object");
	}
	ev = cJSON_GetObjectItemCaseSensitive(o, "event");
	dir = cJSON_GetObjectItemCaseSensitive(o, "dir");
	id = cJSON_GetObjectItemCaseSensitive(o, "conn");
	type = cJSON_GetObjectItemCaseSensitive(o, "type");
	data = cJSON_GetObjectItemCaseSensitive(o, "data");
	time = cJSON_GetObjectItemCaseSensitive(o, "time");
	if (!cJSON_IsString(ev) || !cJSON_IsNumber(id) ||
	    !cJSON_IsNumber(time)) {
		rc = replay_bad(err, path, no, "not an event of --record");
		goto out;
	}
	if (*conn < 0)
		*conn = id->valuedouble;
	if (strcmp(ev->valuestring, "message") || !cJSON_IsString(dir) ||
	    strcmp(dir->valuestring, "c>u") || id->valuedouble != *conn)
		goto out;
	if (!cJSON_IsString(type) || !cJSON_IsString(data)) {
		rc = replay_bad(err, path, no,
				"a message without type or data");
		goto out;
	}
	r->msgs = xrealloc(r->msgs, (r->n + 1) * sizeof(*r->msgs));
	m = &r->msgs[r->n];
	if (!strcmp(type->valuestring, "binary")) {
		size_t n = strlen(data->valuestring);
		long len;

		m->type = WSX_MSG_BINARY;
		m->data = xmalloc(n / 4 * 3 + 3);
		len = wsx_base64_decode(m->data, data->valuestring, n);
		if (len < 0) {
			free(m->data);
			rc = replay_bad(err, path, no,
					"binary data is not base64");
			goto out;
		}
		m->len = (size_t)len;
	} else {
		m->type = WSX_MSG_TEXT;
		m->len = strlen(data->valuestring);
		m->data = (unsigned char *)xstrdup(data->valuestring);
	}
	if (!r->n)
		*t0 = time->valuedouble;
	m->at = time->valuedouble - *t0;
	r->n++;
out:
	cJSON_Delete(o);
	return rc;
}

static int
replay_load(struct ep_replay *r, const char *path, struct wsx_err *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long no = 0;
	double conn = -1, t0 = 0;
	int rc = 0;

	if (!f)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--replay: cannot read '%s': %s", path,
				   strerror(errno));
	while (!rc && getline(&line, &cap, f) > 0) {
		no++;
		if (line[strspn(line, " \t\r\n")])
			rc = replay_line(r, path, no, line, &conn, &t0, err);
	}
	free(line);
	fclose(f);
	return rc;
}

/* --- sending on time
 * ---------------------------------------------------------- */

static void
replay_schedule(struct ep_replay *r)
{
	uint64_t due, now = wsx_now_us();

	if (r->paused || r->next >= r->n)
		return;
	due = r->start_us + (uint64_t)(r->msgs[r->next].at / r->speed * 1e6);
	wsx_timer_arm(r->timer, due > now ? due - now : 0);
}

static void
replay_fire(void *arg)
{
	struct ep_replay *r = arg;
	struct wsx_ep_end end;

	while (!r->paused && r->next < r->n) {
		const struct replay_msg *rm = &r->msgs[r->next];
		struct wsx_msg m = { rm->type, rm->data, rm->len };
		uint64_t due =
			r->start_us + (uint64_t)(rm->at / r->speed * 1e6);

		if (due > wsx_now_us())
			break;
		r->next++;
		if (r->base.ev && r->base.ev->on_message)
			r->base.ev->on_message(&r->base, &m, r->base.arg);
	}
	if (r->next < r->n) {
		replay_schedule(r);
		return;
	}
	if (!r->paused) {
		wsx_ep_end_set(&end, 1000, "", WSX_EXIT_OK, NULL);
		wsx_ep_ended(&r->base, &end);
	}
}

/* --- stdout's events, passed on ---------------------------------------------
 */

static void
replay_out_drain(struct wsx_ep *e, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	if (r->base.ev && r->base.ev->on_drain)
		r->base.ev->on_drain(&r->base, r->base.arg);
}

static void
replay_out_end(struct wsx_ep *e, const struct wsx_ep_end *end, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	wsx_ep_ended(&r->base, end); /* stdout failed */
}

static void
replay_out_gone(struct wsx_ep *e, void *arg)
{
	struct ep_replay *r = arg;

	(void)e;
	wsx_ep_finished(&r->base);
}

static const struct wsx_ep_events replay_out_events = {
	.on_drain = replay_out_drain,
	.on_end = replay_out_end,
	.on_gone = replay_out_gone,
};

/* --- the endpoint
 * ---------------------------------------------------------------- */

static int
ep_replay_send(struct wsx_ep *e, const struct wsx_msg *m)
{
	return wsx_ep_send(ep_replay(e)->out, m);
}

static void
ep_replay_pause(struct wsx_ep *e, bool pause)
{
	struct ep_replay *r = ep_replay(e);
	uint64_t now = wsx_now_us();

	if (pause == r->paused)
		return;
	r->paused = pause;
	if (pause) {
		wsx_timer_cancel(r->timer);
		r->paused_us = now;
		return;
	}
	/* the time spent paused does not count: the rest keeps its rhythm */
	if (!r->started) {
		r->started = true;
		r->start_us = now;
	} else {
		r->start_us += now - r->paused_us;
	}
	wsx_timer_arm(r->timer, 0);
}

static void
ep_replay_stop_input(struct wsx_ep *e)
{
	struct ep_replay *r = ep_replay(e);

	wsx_timer_cancel(r->timer);
	r->next = r->n;
	r->paused = true;
}

static void
ep_replay_close(struct wsx_ep *e, int code, const char *reason)
{
	ep_replay_stop_input(e);
	wsx_ep_close(ep_replay(e)->out, code, reason);
}

static void
ep_replay_free(struct wsx_ep *e)
{
	struct ep_replay *r = ep_replay(e);

	wsx_ep_free(r->out);
	wsx_timer_free(r->timer);
	for (size_t i = 0; i < r->n; i++)
		free(r->msgs[i].data);
	free(r->msgs);
	free(r);
}

static const struct wsx_ep_impl ep_replay_impl = {
	.send = ep_replay_send,
	.pause = ep_replay_pause,
	.stop_input = ep_replay_stop_input,
	.close = ep_replay_close,
	.free = ep_replay_free,
};

struct wsx_ep *
wsx_ep_replay_new(struct wsx_loop *loop, const char *path, double speed,
		  const struct wsx_ep_stream_opts *o, struct wsx_err *err)
{
	struct ep_replay *r = xcalloc(1, sizeof(*r));

	wsx_ep_init(&r->base, &ep_replay_impl, false);
	r->speed = speed;
	r->paused = true;
	snprintf(r->base.peer, sizeof(r->base.peer), "%s", path);
	r->timer = wsx_timer_new(loop, replay_fire, r);
	if (replay_load(r, path, err) ||
	    !(r->out = wsx_ep_stdout_new(loop, o, err))) {
		ep_replay_free(&r->base);
		return NULL;
	}
	wsx_ep_set_events(r->out, &replay_out_events, r);
	r->base.open = true;
	return &r->base;
}
