/* --fail-if conditions; see failif.h. */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/failif.h"

enum { OP_GT, OP_GE, OP_LT, OP_LE };

struct metric {
	const char *name;
	bool latency; /* takes ns/us/ms/s; a bare number is ms */
	size_t offset;
};

#define M(n, lat, field)                                                       \
	{                                                                      \
		n, lat, offsetof(struct bench_summary, field)                  \
	}
static const struct metric metrics[] = {
	M("p50", true, p50),
	M("p90", true, p90),
	M("p99", true, p99),
	M("p99.9", true, p999),
	M("max", true, max),
	M("mean", true, mean),
	M("handshake-p50", true, hs_p50),
	M("handshake-p99", true, hs_p99),
	M("msgs/s", false, recv_per_s),
	M("sent-msgs/s", false, sent_per_s),
	M("mb/s", false, recv_mb_per_s),
	M("sent-mb/s", false, sent_mb_per_s),
	M("conns/s", false, conns_per_s),
	M("errors", false, errors),
	M("mismatches", false, mismatched),
};
#undef M

static int
failif_one(const char *s, size_t len, struct bench_failif *f,
	   struct wsx_err *err)
{
	char buf[64], *op, *num, *end;
	const struct metric *m = NULL;
	double scale = 1;

	if (len >= sizeof(buf))
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "--fail-if: '%.*s' is too long", (int)len,
				   s);
	memcpy(buf, s, len);
	buf[len] = '\0';
	snprintf(f->text, sizeof(f->text), "%s", buf);
	op = strpbrk(buf, "<>");
	if (!op)
		goto bad;
	f->op = op[0] == '>' ? (op[1] == '=' ? OP_GE : OP_GT)
			     : (op[1] == '=' ? OP_LE : OP_LT);
	num = op + (op[1] == '=' ? 2 : 1);
	*op = '\0';
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++)
		if (!strcmp(buf, metrics[i].name))
			m = &metrics[i];
	if (!m)
		return wsx_err_set(
			err, WSX_EXIT_USAGE,
			"--fail-if: unknown metric '%s' (p50 p90 p99 p99.9 max mean "
			"handshake-p50 handshake-p99 msgs/s sent-msgs/s mb/s sent-mb/s "
			"conns/s errors mismatches)",
			buf);
	f->value = strtod(num, &end);
	if (end == num || !isfinite(f->value) || f->value < 0)
		goto bad;
	if (*end && m->latency) {
		if (!strcmp(end, "ns"))
			scale = 1e-6;
		else if (!strcmp(end, "us"))
			scale = 1e-3;
		else if (!strcmp(end, "ms"))
			scale = 1;
		else if (!strcmp(end, "s"))
			scale = 1e3;
		else
			goto bad;
	} else if (*end) {
		goto bad;
	}
	f->value *= scale;
	f->metric = (int)(m - metrics);
	return 0;
bad:
	return wsx_err_set(
		err, WSX_EXIT_USAGE,
		"--fail-if: cannot read '%s': write METRIC>VALUE, e.g. 'p99>5ms'",
		f->text);
}

int
bench_failif_parse(const char *spec, struct bench_failif *list, size_t *n,
		   struct wsx_err *err)
{
	const char *p = spec;

	do {
		size_t len = strcspn(p, ",");

		if (*n == BENCH_FAILIF_MAX)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--fail-if: at most %d conditions",
					   BENCH_FAILIF_MAX);
		if (failif_one(p, len, &list[*n], err))
			return -1;
		(*n)++;
		p += len;
	} while (*p++ == ',');
	return 0;
}

bool
bench_failif_crossed(const struct bench_failif *f,
		     const struct bench_summary *s)
{
	double v =
		*(const double *)((const char *)s + metrics[f->metric].offset);

	switch (f->op) {
	case OP_GT:
		return v > f->value;
	case OP_GE:
		return v >= f->value;
	case OP_LT:
		return v < f->value;
	default:
		return v <= f->value;
	}
}
