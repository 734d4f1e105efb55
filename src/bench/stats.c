/* Benchmark counters; see stats.h. */
#include "config.h"

#include <string.h>

#include "bench/stats.h"

void
bench_stats_init(struct bench_stats *s)
{
	memset(s, 0, sizeof(*s));
	wsx_hist_init(&s->latency);
	wsx_hist_init(&s->handshake);
}

void
bench_stats_release(struct bench_stats *s)
{
	wsx_hist_release(&s->latency);
	wsx_hist_release(&s->handshake);
}

void
bench_counts_add(struct bench_counts *c, int key, uint64_t n)
{
	for (size_t i = 0; i < BENCH_KEYS; i++) {
		if (c->count[i] && c->key[i] == key) {
			c->count[i] += n;
			return;
		}
		if (!c->count[i]) {
			c->key[i] = key;
			c->count[i] = n;
			return;
		}
	}
	c->other += n;
}

static void
counts_merge(struct bench_counts *into, const struct bench_counts *from)
{
	for (size_t i = 0; i < BENCH_KEYS && from->count[i]; i++)
		bench_counts_add(into, from->key[i], from->count[i]);
	into->other += from->other;
}

static uint64_t
counts_total(const struct bench_counts *c)
{
	uint64_t n = c->other;

	for (size_t i = 0; i < BENCH_KEYS; i++)
		n += c->count[i];
	return n;
}

void
bench_stats_merge(struct bench_stats *into, const struct bench_stats *from)
{
	into->msgs_out += from->msgs_out;
	into->bytes_out += from->bytes_out;
	into->msgs_in += from->msgs_in;
	into->bytes_in += from->bytes_in;
	into->conns_opened += from->conns_opened;
	into->compared += from->compared;
	into->mismatched += from->mismatched;
	into->connect_failed += from->connect_failed;
	into->timeouts += from->timeouts;
	into->tls_failed += from->tls_failed;
	counts_merge(&into->http_status, &from->http_status);
	counts_merge(&into->closes, &from->closes);
	wsx_hist_merge(&into->latency, &from->latency);
	wsx_hist_merge(&into->handshake, &from->handshake);
}

uint64_t
bench_stats_errors(const struct bench_stats *s)
{
	return s->mismatched + s->connect_failed + s->timeouts + s->tls_failed +
	       counts_total(&s->http_status) + counts_total(&s->closes);
}
