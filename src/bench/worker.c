/*
 * A `wsx bench` load thread; see worker.h. Everything here runs on the
 * worker's own loop, except the few atomics the main thread reads or sets.
 *
 * Echo latency needs no payload stamps: a WebSocket echo keeps order per
 * connection, so each connection keeps a FIFO of send times and the n-th
 * echo is matched with the n-th send. Open loop (--rate) records the
 * *intended* send time, so a stall on either side shows up as latency
 * instead of as fewer samples (no coordinated omission).
 *
 * Push and sink run in different processes (a broadcast's sender and its
 * receivers), so push writes its send time into each message instead: the
 * first BENCH_STAMP_LEN bytes are "wsx@" and 16 hex digits of the
 * monotonic clock, which every process on a host shares, and sink takes
 * a message that starts so as a sample of delivery latency.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include "bench/worker.h"
#include "proto/loop.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* the ends of a run: closes get this long to be answered */
#define DRAIN_US (3 * 1000000ull)
/* phase checks while nothing else needs the clock */
#define IDLE_TICK_US 10000
/* open loop: at most this many echoes awaited per connection */
#define MAX_IN_FLIGHT (1u << 20)
/* push's send-time stamp: "wsx@" and 16 hex digits */
#define BENCH_STAMP_LEN 20

enum phase { PH_WARMUP, PH_MEASURE, PH_DRAIN };

struct bench_conn {
	struct bench_worker *w;
	struct wsx_conn *c;  /* NULL while not connected */
	uint64_t started_us; /* connect began */
	uint64_t sent, recvd;
	bool open, blocked, closing;
	/* echo: send times (ns) of the messages awaited, oldest first */
	uint64_t *times;
	uint32_t cap, head, count;
	uint64_t next_ns; /* open loop: intended time of the next send */
};

struct bench_worker {
	const struct bench_cfg *cfg;
	unsigned n;
	struct bench_conn *conns;
	struct wsx_loop *loop;
	struct wsx_client *client;
	struct wsx_timer *tick;
	pthread_t tid;
	bool thread_started;

	enum phase phase;
	uint64_t t0_us, measure_us, end_us, drain_end_us;
	uint64_t measure_ns;
	uint64_t interval_ns; /* open loop, per connection */
	unsigned n_started;   /* connections begun (--connect-rate) */
	unsigned live;	      /* connections begun and not closed */

	atomic_bool stop_requested, done;
	atomic_uint_fast64_t progress_msgs, progress_bytes;

	unsigned char *stamped; /* push: the message being sent, stamped */

	struct bench_stats stats;
	/* per-second snapshots (see worker.h): the copy, under snap_lock */
	atomic_uint snap_wanted;
	unsigned snap_taken;
	pthread_mutex_t snap_lock;
	struct bench_stats snap;
	struct wsx_close first_failure;
	bool have_failure;
};

static void worker_connect(struct bench_conn *bc);
static void worker_fill(struct bench_conn *bc);
static void worker_count_failure(struct bench_worker *w,
				 const struct wsx_close *cl);

static bool
worker_sending(const struct bench_worker *w)
{
	return w->phase != PH_DRAIN;
}

static void
ring_push(struct bench_conn *bc, uint64_t t)
{
	if (bc->count == bc->cap) {
		uint32_t ncap = bc->cap ? bc->cap * 2 : 16;
		uint64_t *nt = xmalloc(sizeof(*nt) * ncap);

		for (uint32_t i = 0; i < bc->count; i++)
			nt[i] = bc->times[(bc->head + i) % bc->cap];
		free(bc->times);
		bc->times = nt;
		bc->cap = ncap;
		bc->head = 0;
	}
	bc->times[(bc->head + bc->count) % bc->cap] = t;
	bc->count++;
}

static uint64_t
ring_pop(struct bench_conn *bc)
{
	uint64_t t = bc->times[bc->head];

	bc->head = (bc->head + 1) % bc->cap;
	bc->count--;
	return t;
}

/* Message n with its send time in front (push; see the top). */
static const unsigned char *
push_stamped(struct bench_worker *w, uint64_t n, uint64_t sent_ns)
{
	const struct bench_payload *p = &w->cfg->payload;
	static const char hex[] = "0123456789abcdef";

	memcpy(w->stamped, bench_payload_at(p, n), p->size);
	memcpy(w->stamped, "wsx@", 4);
	for (int i = 0; i < 16; i++)
		w->stamped[4 + i] =
			(unsigned char)hex[(sent_ns >> (60 - 4 * i)) & 0xf];
	return w->stamped;
}

/* The send time push wrote into m, or 0 when m has none. */
static uint64_t
sink_stamp(const struct wsx_msg *m)
{
	uint64_t t = 0;

	if (m->len < BENCH_STAMP_LEN || memcmp(m->data, "wsx@", 4))
		return 0;
	for (int i = 4; i < BENCH_STAMP_LEN; i++) {
		int c = m->data[i];

		if (c >= '0' && c <= '9')
			t = t << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			t = t << 4 | (uint64_t)(c - 'a' + 10);
		else
			return 0;
	}
	return t;
}

/* Send message number bc->sent, stamped with when it was meant to go. */
static bool
conn_send_one(struct bench_conn *bc, uint64_t intended_ns)
{
	struct bench_worker *w = bc->w;
	const struct bench_payload *p = &w->cfg->payload;
	const unsigned char *data = bench_payload_at(p, bc->sent);
	int rc;

	if (w->cfg->mode == BENCH_ECHO && bc->count >= MAX_IN_FLIGHT) {
		bc->blocked = true;
		return false;
	}
	if (w->stamped)
		data = push_stamped(w, bc->sent, intended_ns);
	rc = wsx_conn_send(bc->c, p->type, data, p->size);
	if (rc < 0) {
		bc->blocked = true;
		return false;
	}
	bc->sent++;
	if (w->cfg->mode == BENCH_ECHO)
		ring_push(bc, intended_ns);
	if (w->phase == PH_MEASURE) {
		w->stats.msgs_out++;
		w->stats.bytes_out += p->size;
	}
	if (w->cfg->mode == BENCH_PUSH) {
		atomic_fetch_add_explicit(&w->progress_msgs, 1,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&w->progress_bytes, p->size,
					  memory_order_relaxed);
	}
	if (rc == 1) {
		bc->blocked = true;
		return false;
	}
	return true;
}

/* Closed loop: top the connection up to its messages in flight. */
static void
worker_fill(struct bench_conn *bc)
{
	struct bench_worker *w = bc->w;

	if (!bc->open || bc->closing || bc->blocked || !worker_sending(w) ||
	    w->cfg->rate > 0)
		return;
	if (w->cfg->mode == BENCH_ECHO) {
		/* one clock read for the messages sent together */
		uint64_t now_ns = wsx_now_ns();

		while (bc->count < w->cfg->pipeline &&
		       conn_send_one(bc, now_ns))
			;
	} else if (w->cfg->mode == BENCH_PUSH) {
		uint64_t now_ns = w->stamped ? wsx_now_ns() : 0;

		while (conn_send_one(bc, now_ns))
			;
	}
}

/* Open loop: send what is due, each stamped with its intended time. */
static uint64_t
worker_send_due(struct bench_worker *w, uint64_t now_ns)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < w->n; i++) {
		struct bench_conn *bc = &w->conns[i];

		if (!bc->open || bc->closing)
			continue;
		while (!bc->blocked && bc->next_ns <= now_ns &&
		       conn_send_one(bc, bc->next_ns))
			bc->next_ns += w->interval_ns;
		/* a refused send stays due: it goes as soon as there is room */
		if (!bc->blocked && bc->next_ns < next)
			next = bc->next_ns;
	}
	return next;
}

static void
worker_begin_measuring(struct bench_worker *w)
{
	struct bench_stats *s = &w->stats;

	w->phase = PH_MEASURE;
	w->measure_ns = wsx_now_ns();
	/* the warm-up's traffic does not count; its errors and, unless
	 * handshakes are what is measured, its handshakes do */
	s->msgs_out = s->bytes_out = s->msgs_in = s->bytes_in = 0;
	wsx_hist_reset(&s->latency);
	if (w->cfg->mode == BENCH_CONNECT) {
		s->conns_opened = 0;
		wsx_hist_reset(&s->handshake);
	}
}

static void
worker_end(struct bench_worker *w)
{
	w->phase = PH_DRAIN;
	w->drain_end_us = wsx_now_us() + DRAIN_US;
	for (unsigned i = 0; i < w->n; i++) {
		struct bench_conn *bc = &w->conns[i];

		/* one still connecting closes once open (bench_open) */
		if (bc->c && bc->open && !bc->closing) {
			bc->closing = true;
			wsx_conn_close(bc->c, 1000, "");
		}
	}
	if (!w->live)
		wsx_loop_stop(w->loop);
}

/* The drain time is over: what has not closed by now timed out. */
static void
worker_count_unfinished(struct bench_worker *w)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct bench_conn *bc = &w->conns[i];
		struct wsx_close cl = { .code = 1006, .timed_out = true };

		if (!bc->c)
			continue;
		snprintf(cl.msg, sizeof(cl.msg), "a connection %s",
			 bc->open ? "did not finish closing in time"
				  : "was still connecting when the run ended");
		worker_count_failure(w, &cl);
	}
}

/* The main thread asked for a copy of the stats: take it. */
static void
worker_snapshot(struct bench_worker *w)
{
	unsigned want = atomic_load(&w->snap_wanted);

	if (want == w->snap_taken)
		return;
	pthread_mutex_lock(&w->snap_lock);
	w->snap = w->stats;
	w->snap_taken = want;
	pthread_mutex_unlock(&w->snap_lock);
}

static void
worker_tick(void *arg)
{
	struct bench_worker *w = arg;
	uint64_t now = wsx_now_us(), next_us = now + IDLE_TICK_US;

	worker_snapshot(w);

	if (w->phase == PH_DRAIN) {
		if (now >= w->drain_end_us && w->live)
			worker_count_unfinished(w);
		if (now >= w->drain_end_us || !w->live) {
			wsx_loop_stop(w->loop);
			return;
		}
		wsx_timer_arm(w->tick, IDLE_TICK_US);
		return;
	}
	if (atomic_load(&w->stop_requested) || now >= w->end_us) {
		worker_end(w);
		wsx_timer_arm(w->tick, IDLE_TICK_US);
		return;
	}
	if (w->phase == PH_WARMUP && now >= w->measure_us)
		worker_begin_measuring(w);
	if (w->phase == PH_WARMUP && w->measure_us < next_us)
		next_us = w->measure_us;
	if (w->end_us < next_us)
		next_us = w->end_us;

	/* --connect-rate: begin the connections whose time has come */
	if (w->n_started < w->n) {
		double due = (double)(now - w->t0_us) / 1e6 *
				     w->cfg->connect_rate / w->cfg->threads +
			     1;

		while (w->n_started < w->n && w->n_started < due)
			worker_connect(&w->conns[w->n_started++]);
		if (w->n_started < w->n && now + 1000 < next_us)
			next_us = now + 1000;
	}
	if (w->cfg->rate > 0 && w->cfg->mode != BENCH_CONNECT &&
	    w->cfg->mode != BENCH_SINK) {
		uint64_t next_ns = worker_send_due(w, wsx_now_ns());

		if (next_ns != UINT64_MAX) {
			uint64_t now_ns = wsx_now_ns();
			uint64_t at = now + (next_ns > now_ns
						     ? (next_ns - now_ns) / 1000
						     : 0);

			if (at < next_us)
				next_us = at;
		}
	}
	wsx_timer_arm(w->tick, next_us > now ? next_us - now : 0);
}

/* --- connection events ---------------------------------------------------- */

static void
bench_open(struct wsx_conn *c, void *arg)
{
	struct bench_conn *bc = arg;
	struct bench_worker *w = bc->w;

	wsx_conn_stamp_reads(c, true); /* echo latency: see bench_message */
	bc->open = true;
	w->stats.conns_opened++;
	wsx_hist_record(&w->stats.handshake,
			(wsx_now_us() - bc->started_us) * 1000);
	if (w->cfg->mode == BENCH_CONNECT || !worker_sending(w)) {
		bc->closing = true;
		wsx_conn_close(bc->c, 1000, "");
		return;
	}
	if (w->cfg->rate > 0) {
		bc->next_ns = wsx_now_ns();
		/* the first tick after this sends it */
		wsx_timer_arm(w->tick, 0);
		return;
	}
	worker_fill(bc);
}

static void
bench_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	struct bench_conn *bc = arg;
	struct bench_worker *w = bc->w;
	const struct bench_payload *p = &w->cfg->payload;

	atomic_fetch_add_explicit(&w->progress_msgs, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&w->progress_bytes, m->len,
				  memory_order_relaxed);
	if (w->phase != PH_WARMUP) {
		w->stats.msgs_in++;
		w->stats.bytes_in += m->len;
	}
	if (w->cfg->mode == BENCH_SINK) {
		uint64_t sent_ns = sink_stamp(m);

		if (sent_ns && w->phase != PH_WARMUP &&
		    sent_ns >= w->measure_ns) {
			uint64_t got_ns = wsx_conn_read_ns(c);

			wsx_hist_record(&w->stats.latency,
					got_ns > sent_ns ? got_ns - sent_ns
							 : 0);
		}
		return;
	}
	if (w->cfg->mode != BENCH_ECHO)
		return;
	if (!bc->count) {
		w->stats.mismatched++; /* an echo of nothing we sent */
		return;
	}
	{
		uint64_t sent_ns = ring_pop(bc);
		uint64_t seq = bc->recvd++;
		/* until the read that brought it: what came before it in
		 * that read is not its latency */
		uint64_t got_ns = wsx_conn_read_ns(c);

		if (m->type != p->type || m->len != p->size ||
		    memcmp(m->data, bench_payload_at(p, seq), m->len))
			w->stats.mismatched++;
		else
			w->stats.compared++;
		if (w->phase != PH_WARMUP && sent_ns >= w->measure_ns)
			wsx_hist_record(&w->stats.latency,
					got_ns > sent_ns ? got_ns - sent_ns
							 : 0);
	}
	worker_fill(bc);
}

static void
bench_drain(struct wsx_conn *c, void *arg)
{
	struct bench_conn *bc = arg;

	(void)c;
	bc->blocked = false;
	worker_fill(bc);
	if (bc->w->cfg->rate > 0)
		wsx_timer_arm(bc->w->tick, 0);
}

static void
worker_count_failure(struct bench_worker *w, const struct wsx_close *cl)
{
	struct bench_stats *s = &w->stats;

	if (!w->have_failure) {
		w->first_failure = *cl;
		w->have_failure = true;
	}
	if (cl->timed_out)
		s->timeouts++;
	else if (cl->status == WSX_EXIT_CONNECT)
		s->connect_failed++;
	else if (cl->status == WSX_EXIT_HANDSHAKE)
		bench_counts_add(&s->http_status, cl->http_status, 1);
	else if (cl->status == WSX_EXIT_TLS)
		s->tls_failed++;
	else
		bench_counts_add(&s->closes, cl->code, 1);
}

static void
bench_close(struct wsx_conn *c, const struct wsx_close *cl, void *arg)
{
	struct bench_conn *bc = arg;
	struct bench_worker *w = bc->w;

	(void)c;
	/* a close we asked for that ended normally is the plan; any other
	 * ending, the peer's close included, is an error */
	if (!(bc->closing && cl->status == WSX_EXIT_OK))
		worker_count_failure(w, cl);
	if (cl->status && cl->msg[0])
		wsx_debug("%s", cl->msg);
	bc->c = NULL;
	bc->open = bc->closing = bc->blocked = false;
	bc->count = bc->head = 0;
	w->live--;
	if (w->cfg->mode == BENCH_CONNECT && worker_sending(w) &&
	    !atomic_load(&w->stop_requested)) {
		worker_connect(bc);
		return;
	}
	if (!w->live && w->n_started == w->n) {
		if (w->phase == PH_DRAIN)
			wsx_loop_stop(w->loop);
		else
			worker_end(w); /* every connection is gone: nothing to
					  measure */
	}
}

static const struct wsx_conn_ops bench_conn_ops = {
	.on_open = bench_open,
	.on_message = bench_message,
	.on_drain = bench_drain,
	.on_close = bench_close,
};

static void
worker_connect(struct bench_conn *bc)
{
	struct bench_worker *w = bc->w;
	struct wsx_err err;

	bc->started_us = wsx_now_us();
	bc->sent = bc->recvd = 0;
	w->live++;
	bc->c = wsx_client_connect(w->client, w->cfg->url, &w->cfg->lim,
				   &bench_conn_ops, bc, &err);
	if (!bc->c) {
		/* the URL was checked before the threads started: unexpected */
		struct wsx_close cl = { .code = 1006, .status = err.code };

		snprintf(cl.msg, sizeof(cl.msg), "%s", err.msg);
		w->live--;
		worker_count_failure(w, &cl);
	}
}

/* --- the thread ------------------------------------------------------------
 */

static void *
worker_main(void *arg)
{
	struct bench_worker *w = arg;

	/* the kernel may let a timer run 50 us late by default, which an
	 * open loop counts as latency: 1 us here */
	if (w->cfg->rate > 0)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	if (!w->cfg->connect_rate) {
		w->n_started = w->n;
		for (unsigned i = 0; i < w->n; i++)
			worker_connect(&w->conns[i]);
	}
	wsx_timer_arm(w->tick, 0);
	wsx_loop_run(w->loop);
	atomic_store(&w->done, true);
	return NULL;
}

struct bench_worker *
bench_worker_new(const struct bench_cfg *cfg, unsigned connections,
		 struct wsx_err *err)
{
	struct bench_worker *w = xcalloc(1, sizeof(*w));

	w->cfg = cfg;
	w->n = connections;
	w->conns = xcalloc(connections ? connections : 1, sizeof(*w->conns));
	for (unsigned i = 0; i < connections; i++)
		w->conns[i].w = w;
	if (cfg->mode == BENCH_PUSH && !cfg->payload.fixed &&
	    cfg->payload.size >= BENCH_STAMP_LEN)
		w->stamped = xmalloc(cfg->payload.size);
	bench_stats_init(&w->stats);
	bench_stats_init(&w->snap);
	atomic_init(&w->snap_wanted, 0);
	pthread_mutex_init(&w->snap_lock, NULL);
	atomic_init(&w->stop_requested, false);
	atomic_init(&w->done, false);
	atomic_init(&w->progress_msgs, 0);
	atomic_init(&w->progress_bytes, 0);
	if (cfg->rate > 0)
		w->interval_ns = (uint64_t)(1e9 * cfg->connections / cfg->rate);
	w->loop = wsx_loop_new_worker(err);
	if (!w->loop)
		goto fail;
	w->client = wsx_client_new(w->loop, &cfg->client, err);
	if (!w->client)
		goto fail;
	/* an open loop's sends are due to the microsecond (--rate) */
	w->tick = wsx_timer_new_precise(w->loop, worker_tick, w, err);
	if (!w->tick)
		goto fail;
	return w;
fail:
	bench_worker_free(w);
	return NULL;
}

void
bench_worker_trace(struct bench_worker *w, unsigned connections)
{
	wsx_client_trace_first(w->client, connections);
}

int
bench_worker_start(struct bench_worker *w, uint64_t t0_us, struct wsx_err *err)
{
	w->t0_us = t0_us;
	w->measure_us = t0_us + w->cfg->warmup_us;
	w->end_us = w->measure_us + w->cfg->duration_us;
	w->phase = PH_WARMUP;
	if (!w->cfg->warmup_us)
		worker_begin_measuring(w);
	if (pthread_create(&w->tid, NULL, worker_main, w))
		return wsx_err_set(err, WSX_EXIT_FAIL, "cannot start a thread");
	w->thread_started = true;
	return 0;
}

void
bench_worker_want_snapshot(struct bench_worker *w, unsigned seq)
{
	atomic_store(&w->snap_wanted, seq);
}

bool
bench_worker_snapshot(struct bench_worker *w, unsigned seq,
		      struct bench_stats *into)
{
	bool ready;

	pthread_mutex_lock(&w->snap_lock);
	ready = w->snap_taken == seq;
	if (ready)
		bench_stats_merge(into, &w->snap);
	pthread_mutex_unlock(&w->snap_lock);
	return ready;
}

void
bench_worker_stop(struct bench_worker *w)
{
	/* the worker's tick, never more than IDLE_TICK_US away, sees it */
	atomic_store(&w->stop_requested, true);
}

void
bench_worker_join(struct bench_worker *w)
{
	if (w->thread_started) {
		pthread_join(w->tid, NULL);
		w->thread_started = false;
	}
}

bool
bench_worker_done(const struct bench_worker *w)
{
	return atomic_load(&w->done);
}

uint64_t
bench_worker_progress(const struct bench_worker *w, uint64_t *bytes)
{
	*bytes = atomic_load_explicit(&w->progress_bytes, memory_order_relaxed);
	return atomic_load_explicit(&w->progress_msgs, memory_order_relaxed);
}

const struct bench_stats *
bench_worker_stats(const struct bench_worker *w)
{
	return &w->stats;
}

const struct wsx_close *
bench_worker_first_failure(const struct bench_worker *w)
{
	return w->have_failure ? &w->first_failure : NULL;
}

void
bench_worker_free(struct bench_worker *w)
{
	if (!w)
		return;
	bench_worker_join(w);
	wsx_timer_free(w->tick);
	wsx_client_free(w->client);
	wsx_loop_free(w->loop);
	for (unsigned i = 0; i < w->n; i++)
		free(w->conns[i].times);
	free(w->conns);
	free(w->stamped);
	bench_stats_release(&w->stats);
	bench_stats_release(&w->snap);
	pthread_mutex_destroy(&w->snap_lock);
	free(w);
}
