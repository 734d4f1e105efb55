/* --log and --record; see tap.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "relay/tap.h"
#include "util/base64.h"
#include "util/closecode.h"
#include "util/log.h"
#include "util/xalloc.h"

/* bytes of a message shown in a --log line */
#define TAP_PREVIEW 48

static const char *const tap_dirs[] = { "c>u", "u>c" };

struct wsx_tap {
	bool log;
	FILE *record;
};

struct wsx_tap *
wsx_tap_new(bool log, const char *record_path, struct wsx_err *err)
{
	struct wsx_tap *t = xcalloc(1, sizeof(*t));

	t->log = log;
	if (record_path) {
		t->record = fopen(record_path, "w");
		if (!t->record) {
			wsx_err_set(err, WSX_EXIT_USAGE,
				    "--record: cannot write '%s': %s",
				    record_path, strerror(errno));
			free(t);
			return NULL;
		}
	}
	return t;
}

void
wsx_tap_free(struct wsx_tap *t)
{
	if (!t)
		return;
	if (t->record)
		fclose(t->record);
	free(t);
}

static double
tap_now(struct timeval *tv)
{
	gettimeofday(tv, NULL);
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* "12:34:56.789 #3 " */
static void
tap_log_head(const struct timeval *tv, unsigned long id)
{
	struct tm tm;
	time_t secs = tv->tv_sec;

	localtime_r(&secs, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld #%lu ", tm.tm_hour, tm.tm_min,
		tm.tm_sec, (long)(tv->tv_usec / 1000), id);
}

/* One JSON line: the common fields, then what the caller added to o. */
static void
tap_record(struct wsx_tap *t, cJSON *o)
{
	char *line = cJSON_PrintUnformatted(o);

	fprintf(t->record, "%s\n", line);
	fflush(t->record);
	free(line);
	cJSON_Delete(o);
}

static cJSON *
tap_event(double now, unsigned long id, int dir, const char *event)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "time", now);
	cJSON_AddNumberToObject(o, "conn", (double)id);
	if (dir >= 0)
		cJSON_AddStringToObject(o, "dir", tap_dirs[dir]);
	cJSON_AddStringToObject(o, "event", event);
	return o;
}

static char *
tap_base64(const void *data, size_t len)
{
	char *s = xmalloc(wsx_base64_encoded_len(len) + 1);

	s[wsx_base64_encode(s, data, len)] = '\0';
	return s;
}

void
wsx_tap_open(struct wsx_tap *t, unsigned long id, const char *peer,
	     const char *path)
{
	struct timeval tv;
	double now = tap_now(&tv);
	char p[300];

	if (t->log) {
		tap_log_head(&tv, id);
		wsx_printable(p, sizeof(p), path, strlen(path));
		fprintf(stderr, "open %s%s%s\n", peer, *p ? " " : "", p);
	}
	if (t->record) {
		cJSON *o = tap_event(now, id, -1, "open");

		cJSON_AddStringToObject(o, "peer", peer);
		cJSON_AddStringToObject(o, "path", path);
		tap_record(t, o);
	}
}

static void
tap_preview(const struct wsx_msg *m)
{
	char p[4 * TAP_PREVIEW + 1];
	size_t n = m->len < TAP_PREVIEW ? m->len : TAP_PREVIEW;

	if (m->type == WSX_MSG_TEXT) {
		/* stop at a character boundary */
		while (n < m->len && n && (m->data[n] & 0xc0) == 0x80)
			n--;
		wsx_printable(p, sizeof(p), m->data, n);
		fprintf(stderr, " %s%s", p, n < m->len ? "..." : "");
		return;
	}
	n = m->len < 16 ? m->len : 16;
	fputc(' ', stderr);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%02x", m->data[i]);
	if (n < m->len)
		fputs("...", stderr);
}

void
wsx_tap_message(struct wsx_tap *t, unsigned long id, int dir,
		const struct wsx_msg *m)
{
	struct timeval tv;
	double now = tap_now(&tv);
	const char *type = m->type == WSX_MSG_TEXT ? "text" : "binary";

	if (t->log) {
		tap_log_head(&tv, id);
		fprintf(stderr, "%s %s %zu", tap_dirs[dir], type, m->len);
		tap_preview(m);
		fputc('\n', stderr);
	}
	if (t->record) {
		cJSON *o = tap_event(now, id, dir, "message");

		cJSON_AddStringToObject(o, "type", type);
		if (m->type == WSX_MSG_TEXT) {
			char *s = xstrndup((const char *)m->data, m->len);

			cJSON_AddStringToObject(o, "data", s);
			free(s);
		} else {
			char *s = tap_base64(m->data, m->len);

			cJSON_AddStringToObject(o, "data", s);
			free(s);
		}
		tap_record(t, o);
	}
}

void
wsx_tap_control(struct wsx_tap *t, unsigned long id, int dir, const char *kind,
		const void *data, size_t len)
{
	struct timeval tv;
	double now = tap_now(&tv);

	if (t->log) {
		char p[4 * 125 + 1];

		tap_log_head(&tv, id);
		wsx_printable(p, sizeof(p), data, len);
		fprintf(stderr, "%s %s %zu %s\n", tap_dirs[dir], kind, len, p);
	}
	if (t->record) {
		cJSON *o = tap_event(now, id, dir, kind);
		char *s = tap_base64(data, len);

		cJSON_AddStringToObject(o, "data", s);
		free(s);
		tap_record(t, o);
	}
}

void
wsx_tap_close(struct wsx_tap *t, unsigned long id, int dir, int code,
	      const char *reason)
{
	struct timeval tv;
	double now = tap_now(&tv);

	if (t->log) {
		tap_log_head(&tv, id);
		fprintf(stderr, "%s close %d %s%s%s%s\n", tap_dirs[dir], code,
			wsx_close_code_name(code), *reason ? " '" : "", reason,
			*reason ? "'" : "");
	}
	if (t->record) {
		cJSON *o = tap_event(now, id, dir, "close");

		cJSON_AddNumberToObject(o, "code", code);
		cJSON_AddStringToObject(o, "reason", reason);
		tap_record(t, o);
	}
}
