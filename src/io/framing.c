/* Framing codecs; see framing.h. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/framing.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/utf8.h"

enum {
	OPT_LINES = WSX_OPTKEY_FRAMING,
	OPT_RAW,
	OPT_LEN32,
	OPT_BASE64,
	OPT_JSONL,
};

static const struct wsx_opt framing_opts[] = {
	{ OPT_LINES, "lines", NULL, "one message per line (default)" },
	{ '0', "null", NULL, "messages end with a NUL byte" },
	{ OPT_RAW, "raw", NULL, "each read is one message; output as is" },
	{ OPT_LEN32, "len32", NULL,
	  "each message after a 4-byte big-endian length" },
	{ OPT_BASE64, "base64", NULL, "one line of base64 per message" },
	{ OPT_JSONL, "jsonl", NULL,
	  "a JSON object per message: type, data, time" },
	{ 't', "text", NULL, "send input as text messages" },
	{ 'b', "binary", NULL, "send input as binary messages" },
	{ 0 },
};

static int
framing_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
		struct wsx_err *err)
{
	struct wsx_framing_opts *o = target;

	(void)arg;
	(void)err;
	switch (opt->key) {
	case OPT_LINES:
		o->mode = WSX_FRAMING_LINES;
		break;
	case '0':
		o->mode = WSX_FRAMING_NULL;
		break;
	case OPT_RAW:
		o->mode = WSX_FRAMING_RAW;
		break;
	case OPT_LEN32:
		o->mode = WSX_FRAMING_LEN32;
		break;
	case OPT_BASE64:
		o->mode = WSX_FRAMING_BASE64;
		break;
	case OPT_JSONL:
		o->mode = WSX_FRAMING_JSONL;
		break;
	case 't':
		o->type = WSX_MSG_TEXT;
		break;
	case 'b':
		o->type = WSX_MSG_BINARY;
		break;
	}
	return 0;
}

const struct wsx_optgroup wsx_framing_optgroup = {
	.title = "Framing of stdin and stdout",
	.opts = framing_opts,
	.set = framing_opt_set,
};

void
wsx_framing_opts_init(struct wsx_framing_opts *o, enum wsx_framing mode)
{
	o->mode = mode;
	o->type = -1;
}

enum wsx_msg_type
wsx_framing_type(const struct wsx_framing_opts *o)
{
	if (o->type >= 0)
		return (enum wsx_msg_type)o->type;
	switch (o->mode) {
	case WSX_FRAMING_LINES:
	case WSX_FRAMING_NULL:
	case WSX_FRAMING_JSONL:
		return WSX_MSG_TEXT;
	default:
		return WSX_MSG_BINARY;
	}
}

const char *
wsx_framing_name(enum wsx_framing mode)
{
	static const char *const names[] = { "lines", "null",	"raw",
					     "len32", "base64", "jsonl" };

	return names[mode];
}

void
wsx_decoder_init(struct wsx_decoder *d, const struct wsx_framing_opts *o,
		 size_t max_message)
{
	memset(d, 0, sizeof(*d));
	d->mode = o->mode;
	d->type = wsx_framing_type(o);
	d->max_message = max_message;
	/* a record may be encoded larger than the message it carries */
	wsx_buf_init(&d->in, 0, max_message * 2 + WSX_READ_CHUNK + 64);
	/* base64 decoding wants n / 4 * 3 + 3 bytes: up to max_message + 5 */
	wsx_buf_init(&d->decoded, 0, max_message + 8);
	d->record = 1;
}

void
wsx_decoder_release(struct wsx_decoder *d)
{
	wsx_buf_release(&d->in);
	wsx_buf_release(&d->decoded);
}

unsigned char *
wsx_decoder_space(struct wsx_decoder *d, size_t *avail)
{
	size_t n = WSX_READ_CHUNK;

	if (d->pending) {
		wsx_buf_consume(&d->in, d->pending);
		d->scanned = 0;
		d->pending = 0;
	}
	if (d->in.max - d->in.len < n)
		n = d->in.max - d->in.len;
	if (!n || wsx_buf_reserve(&d->in, n))
		return NULL;
	*avail = n;
	return wsx_buf_tail(&d->in);
}

void
wsx_decoder_commit(struct wsx_decoder *d, size_t n)
{
	wsx_buf_commit(&d->in, n);
}

void
wsx_decoder_eof(struct wsx_decoder *d)
{
	d->eof = true;
}

/* Find the end of the next delimited record; -1 when it is not complete. */
static long
dec_find(struct wsx_decoder *d, unsigned char delim)
{
	const unsigned char *base = wsx_buf_data(&d->in);
	const unsigned char *hit;

	if (!d->in.len)
		return -1;
	hit = memchr(base + d->scanned, delim, d->in.len - d->scanned);
	if (hit)
		return hit - base;
	d->scanned = d->in.len;
	return d->eof ? (long)d->in.len : -1;
}

static int
dec_too_big(struct wsx_decoder *d, struct wsx_err *err)
{
	return wsx_err_set(
		err, WSX_EXIT_FAIL,
		"input record %lu is larger than --max-message (%zu bytes)",
		d->record, d->max_message);
}

static int
dec_base64(struct wsx_decoder *d, const unsigned char *s, size_t n,
	   struct wsx_msg *m, struct wsx_err *err)
{
	long len;

	if (n && s[n - 1] == '\r')
		n--;
	wsx_buf_clear(&d->decoded);
	if (wsx_buf_reserve(&d->decoded, n / 4 * 3 + 3))
		return dec_too_big(d, err);
	len = wsx_base64_decode(wsx_buf_tail(&d->decoded), (const char *)s, n);
	if (len < 0)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "input line %lu is not valid base64",
				   d->record);
	if ((size_t)len > d->max_message)
		return dec_too_big(d, err);
	m->data = wsx_buf_tail(&d->decoded);
	m->len = (size_t)len;
	return 0;
}

static int
dec_jsonl(struct wsx_decoder *d, const unsigned char *s, size_t n,
	  struct wsx_msg *m, struct wsx_err *err)
{
	cJSON *root = cJSON_ParseWithLength((const char *)s, n);
	const cJSON *type, *data;
	int rc = -1;

	if (!cJSON_IsObject(root)) {
		wsx_err_set(err, WSX_EXIT_FAIL,
			    "input line %lu is not a JSON object", d->record);
		goto out;
	}
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (!cJSON_IsString(data)) {
		wsx_err_set(err, WSX_EXIT_FAIL,
			    "input line %lu has no \"data\" string", d->record);
		goto out;
	}
	m->type = WSX_MSG_TEXT;
	if (type &&
	    (!cJSON_IsString(type) || (strcmp(type->valuestring, "text") &&
				       strcmp(type->valuestring, "binary")))) {
		wsx_err_set(
			err, WSX_EXIT_FAIL,
			"input line %lu: \"type\" must be \"text\" or \"binary\"",
			d->record);
		goto out;
	}
	if (type && !strcmp(type->valuestring, "binary")) {
		m->type = WSX_MSG_BINARY;
		rc = dec_base64(d, (const unsigned char *)data->valuestring,
				strlen(data->valuestring), m, err);
		goto out;
	}
	wsx_buf_clear(&d->decoded);
	if (strlen(data->valuestring) > d->max_message ||
	    wsx_buf_append(&d->decoded, data->valuestring,
			   strlen(data->valuestring))) {
		dec_too_big(d, err);
		goto out;
	}
	m->data = wsx_buf_data(&d->decoded);
	m->len = d->decoded.len;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* Raw text: hold back a character split across reads or by max_message. */
static size_t
dec_raw_cut(const struct wsx_decoder *d, const unsigned char *s, size_t n)
{
	if (d->type != WSX_MSG_TEXT || (d->eof && n == d->in.len))
		return n;
	for (size_t back = 1; back <= 3 && back <= n; back++) {
		unsigned char c = s[n - back];

		if ((c & 0xc0) != 0x80) {
			size_t want = c >= 0xf0	  ? 4
				      : c >= 0xe0 ? 3
				      : c >= 0xc0 ? 2
						  : 1;

			return want > back ? n - back : n;
		}
	}
	return n;
}

static bool
dec_blank(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* One record: 1 a message, 2 a blank jsonl line, 0 need more, -1 error. */
static int
dec_record(struct wsx_decoder *d, struct wsx_msg *m, struct wsx_err *err)
{
	const unsigned char *base = wsx_buf_data(&d->in);
	long end;
	uint32_t len;

	m->type = d->type;
	switch (d->mode) {
	case WSX_FRAMING_LINES:
	case WSX_FRAMING_NULL:
	case WSX_FRAMING_BASE64:
	case WSX_FRAMING_JSONL:
		end = dec_find(d, d->mode == WSX_FRAMING_NULL ? '\0' : '\n');
		if (end < 0)
			return d->in.len > d->in.max - WSX_READ_CHUNK
				       ? dec_too_big(d, err)
				       : 0;
		d->pending = (size_t)end + ((size_t)end < d->in.len);
		d->scanned = 0;
		if (d->mode == WSX_FRAMING_BASE64)
			return dec_base64(d, base, (size_t)end, m, err) ? -1
									: 1;
		if (d->mode == WSX_FRAMING_JSONL) {
			if (dec_blank(base, (size_t)end))
				return 2; /* the caller skips it */
			return dec_jsonl(d, base, (size_t)end, m, err) ? -1 : 1;
		}
		if ((size_t)end > d->max_message)
			return dec_too_big(d, err);
		m->data = base;
		m->len = (size_t)end;
		return 1;
	case WSX_FRAMING_RAW:
		if (!d->in.len)
			return 0;
		m->len = d->in.len;
		if (m->len > d->max_message)
			m->len = d->max_message;
		m->len = dec_raw_cut(d, base, m->len);
		if (!m->len)
			return d->in.len > d->max_message ? dec_too_big(d, err)
							  : 0;
		m->data = base;
		d->pending = m->len;
		return 1;
	case WSX_FRAMING_LEN32:
		if (d->in.len < 4) {
			if (d->eof && d->in.len)
				return wsx_err_set(
					err, WSX_EXIT_FAIL,
					"input ends inside the length of record %lu",
					d->record);
			return 0;
		}
		len = (uint32_t)base[0] << 24 | (uint32_t)base[1] << 16 |
		      (uint32_t)base[2] << 8 | base[3];
		if (len > d->max_message)
			return dec_too_big(d, err);
		if (d->in.len - 4 < len) {
			if (d->eof)
				return wsx_err_set(
					err, WSX_EXIT_FAIL,
					"input ends inside record %lu",
					d->record);
			return 0;
		}
		m->data = base + 4;
		m->len = len;
		d->pending = 4 + (size_t)len;
		return 1;
	}
	return 0;
}

int
wsx_decoder_next(struct wsx_decoder *d, struct wsx_msg *m, struct wsx_err *err)
{
	int rc;

	do {
		if (d->pending) {
			wsx_buf_consume(&d->in, d->pending);
			d->scanned = 0;
			d->pending = 0;
		}
		if (!d->in.len)
			return 0;
		rc = dec_record(d, m, err);
		if (rc == 2)
			d->record++;
	} while (rc == 2);
	if (rc <= 0)
		return rc;
	if (m->type == WSX_MSG_TEXT && !wsx_utf8_valid(m->data, m->len))
		return wsx_err_set(
			err, WSX_EXIT_FAIL,
			"input record %lu is not valid UTF-8 (send it with -b/--binary)",
			d->record);
	d->record++;
	return 1;
}

static void
enc_json_string(struct wsx_buf *out, const unsigned char *s, size_t n)
{
	wsx_buf_append(out, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		char esc[8];
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			wsx_buf_append(out, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			wsx_buf_append(out, esc, 6);
		} else {
			wsx_buf_append(out, &c, 1);
		}
	}
	wsx_buf_append(out, "\"", 1);
}

static void
enc_base64(struct wsx_buf *out, const struct wsx_msg *m)
{
	size_t n = wsx_base64_encoded_len(m->len);

	if (!m->len || wsx_buf_reserve(out, n))
		return;
	wsx_buf_commit(out, wsx_base64_encode((char *)wsx_buf_tail(out),
					      m->data, m->len));
}

void
wsx_encode_control(enum wsx_framing mode, const char *kind, const void *data,
		   size_t len, struct wsx_buf *out)
{
	struct wsx_msg m = { .type = WSX_MSG_BINARY, .data = data, .len = len };
	char head[96];

	if (mode != WSX_FRAMING_JSONL)
		return; /* the other framings carry messages only */
	snprintf(head, sizeof(head),
		 "{\"type\":\"%s\",\"time\":%.6f,\"data\":\"", kind,
		 wsx_wall_secs());
	wsx_buf_append(out, head, strlen(head));
	enc_base64(out, &m);
	wsx_buf_append(out, "\"}\n", 3);
}

void
wsx_encode(enum wsx_framing mode, const struct wsx_msg *m, struct wsx_buf *out)
{
	unsigned char len32[4];
	char head[64];

	switch (mode) {
	case WSX_FRAMING_LINES:
		wsx_buf_append(out, m->data, m->len);
		wsx_buf_append(out, "\n", 1);
		break;
	case WSX_FRAMING_NULL:
		wsx_buf_append(out, m->data, m->len);
		wsx_buf_append(out, "", 1);
		break;
	case WSX_FRAMING_RAW:
		wsx_buf_append(out, m->data, m->len);
		break;
	case WSX_FRAMING_LEN32:
		len32[0] = (unsigned char)(m->len >> 24);
		len32[1] = (unsigned char)(m->len >> 16);
		len32[2] = (unsigned char)(m->len >> 8);
		len32[3] = (unsigned char)m->len;
		wsx_buf_append(out, len32, 4);
		wsx_buf_append(out, m->data, m->len);
		break;
	case WSX_FRAMING_BASE64:
		enc_base64(out, m);
		wsx_buf_append(out, "\n", 1);
		break;
	case WSX_FRAMING_JSONL:
		/* written by hand: cJSON strings stop at a NUL, text may not */
		snprintf(head, sizeof(head),
			 "{\"type\":\"%s\",\"time\":%.6f,\"data\":",
			 m->type == WSX_MSG_TEXT ? "text" : "binary",
			 wsx_wall_secs());
		wsx_buf_append(out, head, strlen(head));
		if (m->type == WSX_MSG_TEXT) {
			enc_json_string(out, m->data, m->len);
		} else {
			wsx_buf_append(out, "\"", 1);
			enc_base64(out, m);
			wsx_buf_append(out, "\"", 1);
		}
		wsx_buf_append(out, "}\n", 2);
		break;
	}
}
