/*
 * Reading what `relay --record` wrote (cJSON lines, see relay/tap.c): the
 * client-to-upstream messages of the first connection in the file, with
 * their times, for `pipe --replay`. Pure: no loop, no sending.
 */
#ifndef WSX_RELAY_RECORD_H
#define WSX_RELAY_RECORD_H

#include <stddef.h>

#include "util/err.h"
#include "util/msg.h"

struct wsx_record_msg {
	enum wsx_msg_type type;
	unsigned char *data;
	size_t len;
	double at; /* seconds after the first message: never less than the
		      previous one's, never more than WSX_RECORD_MAX_AT */
};

#define WSX_RECORD_MAX_AT (7 * 24 * 3600.0)

struct wsx_record {
	struct wsx_record_msg *msgs;
	size_t n;
	double conn; /* the connection replayed: the first seen; -1 before */
	double t0;   /* the first message's time */
};

void wsx_record_init(struct wsx_record *rec);
void wsx_record_release(struct wsx_record *rec);
/* One line of the file (no. for messages); -1 with err (exit 2). */
int wsx_record_line(struct wsx_record *rec, const char *path, unsigned long no,
		    const char *line, struct wsx_err *err);
/* Every line of the file at path. */
int wsx_record_load(struct wsx_record *rec, const char *path,
		    struct wsx_err *err);

#endif
