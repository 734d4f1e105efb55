/* Benchmark payloads; see payload.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench/payload.h"
#include "util/utf8.h"
#include "util/xalloc.h"

/* distinct offsets a message can start at */
#define PAYLOAD_SLACK 4096

/* xorshift64*: fast, and its output does not compress */
static uint64_t
payload_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

void
bench_payload_random(struct bench_payload *p, size_t size,
		     enum wsx_msg_type type)
{
	struct timespec ts;
	uint64_t seed;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
	       0x9E3779B97F4A7C15ull;
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->type = type;
	p->pool_len = size + PAYLOAD_SLACK;
	p->pool = xmalloc(p->pool_len);
	for (size_t i = 0; i < p->pool_len; i += 8) {
		uint64_t r = payload_next(&seed);

		for (size_t k = 0; k < 8 && i + k < p->pool_len; k++, r >>= 8)
			p->pool[i + k] =
				type == WSX_MSG_TEXT
					? (unsigned char)(' ' + (r & 0xff) % 95)
					: (unsigned char)r;
	}
}

int
bench_payload_fixed(struct bench_payload *p, const void *data, size_t len,
		    enum wsx_msg_type type, struct wsx_err *err)
{
	if (type == WSX_MSG_TEXT && !wsx_utf8_valid(data, len))
		return wsx_err_set(
			err, WSX_EXIT_USAGE,
			"the message is not valid UTF-8: send it with -b/--binary");
	memset(p, 0, sizeof(*p));
	p->size = len;
	p->type = type;
	p->fixed = true;
	p->pool_len = len;
	p->pool = xmalloc(len ? len : 1);
	memcpy(p->pool, data, len);
	return 0;
}

int
bench_payload_file(struct bench_payload *p, const char *path, size_t max,
		   enum wsx_msg_type type, struct wsx_err *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	size_t n;
	int rc;

	if (!f)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--file: cannot open '%s': %s", path,
				   strerror(errno));
	data = xmalloc(max + 1);
	n = fread(data, 1, max + 1, f);
	if (ferror(f)) {
		rc = wsx_err_set(err, WSX_EXIT_USAGE,
				 "--file: cannot read '%s': %s", path,
				 strerror(errno));
	} else if (n > max) {
		rc = wsx_err_set(
			err, WSX_EXIT_USAGE,
			"--file: '%s' is larger than --max-message (%zu bytes)",
			path, max);
	} else {
		rc = bench_payload_fixed(p, data, n, type, err);
	}
	fclose(f);
	free(data);
	return rc;
}

void
bench_payload_release(struct bench_payload *p)
{
	free(p->pool);
	p->pool = NULL;
}
