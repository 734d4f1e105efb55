/* Reading --record files; see record.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/record.h"
#include "util/base64.h"
#include "util/xalloc.h"

void
wsx_record_init(struct wsx_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->conn = -1;
}

void
wsx_record_release(struct wsx_record *rec)
{
	for (size_t i = 0; i < rec->n; i++)
		free(rec->msgs[i].data);
	free(rec->msgs);
	wsx_record_init(rec);
}

static int
record_bad(struct wsx_err *err, const char *path, unsigned long line,
	   const char *why)
{
	return wsx_err_set(err, WSX_EXIT_USAGE, "--replay: %s line %lu: %s",
			   path, line, why);
}

/*
 * When the message goes, in seconds after the first. A recording edited by
 * hand may go back in time or name absurd times: the order of the lines
 * wins, and no wait is longer than a week.
 */
static double
record_at(const struct wsx_record *rec, double time)
{
	double prev = rec->n ? rec->msgs[rec->n - 1].at : 0;
	double at = rec->n ? time - rec->t0 : 0;

	if (!(at >= prev))
		at = prev;
	return at < WSX_RECORD_MAX_AT ? at : WSX_RECORD_MAX_AT;
}

int
wsx_record_line(struct wsx_record *rec, const char *path, unsigned long no,
		const char *line, struct wsx_err *err)
{
	cJSON *o = cJSON_Parse(line);
	const cJSON *ev, *dir, *id, *type, *data, *time;
	struct wsx_record_msg *m;
	int rc = 0;

	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return record_bad(err, path, no, "not a JSON object");
	}
	ev = cJSON_GetObjectItemCaseSensitive(o, "event");
	dir = cJSON_GetObjectItemCaseSensitive(o, "dir");
	id = cJSON_GetObjectItemCaseSensitive(o, "conn");
	type = cJSON_GetObjectItemCaseSensitive(o, "type");
	data = cJSON_GetObjectItemCaseSensitive(o, "data");
	time = cJSON_GetObjectItemCaseSensitive(o, "time");
	if (!cJSON_IsString(ev) || !cJSON_IsNumber(id) ||
	    !cJSON_IsNumber(time) || !isfinite(time->valuedouble)) {
		rc = record_bad(err, path, no, "not an event of --record");
		goto out;
	}
	if (rec->conn < 0)
		rec->conn = id->valuedouble;
	if (strcmp(ev->valuestring, "message") || !cJSON_IsString(dir) ||
	    strcmp(dir->valuestring, "c>u") || id->valuedouble != rec->conn)
		goto out;
	if (!cJSON_IsString(type) || !cJSON_IsString(data)) {
		rc = record_bad(err, path, no,
				"a message without type or data");
		goto out;
	}
	rec->msgs = xrealloc(rec->msgs, (rec->n + 1) * sizeof(*rec->msgs));
	m = &rec->msgs[rec->n];
	if (!strcmp(type->valuestring, "binary")) {
		size_t n = strlen(data->valuestring);
		long len;

		m->type = WSX_MSG_BINARY;
		m->data = xmalloc(n / 4 * 3 + 3);
		len = wsx_base64_decode(m->data, data->valuestring, n);
		if (len < 0) {
			free(m->data);
			rc = record_bad(err, path, no,
					"binary data is not base64");
			goto out;
		}
		m->len = (size_t)len;
	} else {
		m->type = WSX_MSG_TEXT;
		m->len = strlen(data->valuestring);
		m->data = (unsigned char *)xstrdup(data->valuestring);
	}
	if (!rec->n)
		rec->t0 = time->valuedouble;
	m->at = record_at(rec, time->valuedouble);
	rec->n++;
out:
	cJSON_Delete(o);
	return rc;
}

int
wsx_record_load(struct wsx_record *rec, const char *path, struct wsx_err *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	unsigned long no = 0;
	int rc = 0;

	if (!f)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--replay: cannot read '%s': %s", path,
				   strerror(errno));
	while (!rc && getline(&line, &cap, f) > 0) {
		no++;
		if (line[strspn(line, " \t\r\n")])
			rc = wsx_record_line(rec, path, no, line, err);
	}
	free(line);
	fclose(f);
	return rc;
}
