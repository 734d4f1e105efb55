/* Rooms shared through Redis pub/sub; see redis_rooms.h. */
#include "config.h"

#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serve/accesslog.h"
#include "serve/redis_link.h"
#include "serve/redis_rooms.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/utf8.h"
#include "util/xalloc.h"

#define ROOMS_MAX_ADDRS 8
/*
 * The envelope: "wsx1:" ID ":" TYPE ":" then the message's bytes, where ID
 * is the publishing instance's 16 hex digits and TYPE is 't' or 'b'.
 */
#define ENVELOPE_MAGIC "wsx1:"
#define ENVELOPE_ID    16
#define ENVELOPE_LEN   (5 + ENVELOPE_ID + 3)
/* a publish buffer this big is not kept for the next message */
#define SCRATCH_KEEP (256u << 10)

struct wsx_redis_rooms {
	struct wsx_broadcast *b;
	struct wsx_redis_url url;
	char *addrs[ROOMS_MAX_ADDRS];
	size_t n_addrs;
	char id[ENVELOPE_ID + 1];
	char *channel_prefix; /* "wsx:room:" */
	size_t channel_prefix_len;
	struct wsx_redis_link *pub, *sub;
	bool pub_up, sub_up;
	bool ever_up;	     /* both were up at least once */
	bool shared;	     /* both up: the last event said so */
	bool down_said;	     /* the down event for this outage is out */
	uint64_t down_since; /* when sharing stopped */
	char why[200];	     /* the last link's failure */
	/* what is waiting for Redis to take it */
	size_t pending, max_pending;
	bool behind; /* over max_pending: publishing paused */
	/* messages that reached this instance's clients only */
	unsigned long long lost_away, lost_behind, lost_total;
	unsigned long long published, received;
	char *scratch;
	size_t scratch_cap;
};

/* --- events ------------------------------------------------------------ */

static void
rooms_event(struct wsx_redis_rooms *r, enum wsx_redis_state state,
	    unsigned long long lost)
{
	struct wsx_redis_event e = {
		.state = state,
		.url = r->url.shown,
		.prefix = r->channel_prefix,
		.error = r->why,
		.first = !r->ever_up,
		.lost = lost,
	};

	if (state == WSX_REDIS_UP && r->ever_up)
		e.away_s = (double)(wsx_now_us() - r->down_since) / 1e6;
	wsx_accesslog_redis(&e);
}

/* Both connections up: rooms are shared again. */
static void
rooms_check_up(struct wsx_redis_rooms *r)
{
	if (!r->pub_up || !r->sub_up || r->shared)
		return;
	rooms_event(r, WSX_REDIS_UP, r->lost_away);
	r->lost_away = 0;
	r->shared = true;
	r->ever_up = true;
	r->down_said = false;
}

static void
rooms_went_down(struct wsx_redis_rooms *r, const char *why)
{
	snprintf(r->why, sizeof(r->why), "%s", why);
	if (r->shared) {
		r->shared = false;
		r->down_since = wsx_now_us();
	}
	if (r->down_said) {
		wsx_info("redis: %s: %s", r->url.shown, why);
		return;
	}
	r->down_said = true;
	rooms_event(r, WSX_REDIS_DOWN, 0);
}

/* --- subscribing: the rooms with clients here --------------------------- */

static char *
rooms_channel(const struct wsx_redis_rooms *r, const char *room, size_t *len)
{
	size_t n = strlen(room);
	char *c = xmalloc(r->channel_prefix_len + n + 1);

	memcpy(c, r->channel_prefix, r->channel_prefix_len);
	memcpy(c + r->channel_prefix_len, room, n + 1);
	*len = r->channel_prefix_len + n;
	return c;
}

/* A message on a room's channel (or a SUBSCRIBE's confirmation). */
static void
rooms_sub_message(redisAsyncContext *ac, void *reply, void *arg)
{
	struct wsx_redis_rooms *r = arg;
	redisReply *m = reply;
	const redisReply *chan, *body;
	struct wsx_msg msg;
	const char *room;

	(void)ac;
	if (!m || m->type != REDIS_REPLY_ARRAY || m->elements != 3)
		return;
	if (m->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(m->element[0]->str, "message"))
		return;
	chan = m->element[1];
	body = m->element[2];
	if (chan->type != REDIS_REPLY_STRING ||
	    body->type != REDIS_REPLY_STRING ||
	    chan->len <= r->channel_prefix_len ||
	    memcmp(chan->str, r->channel_prefix, r->channel_prefix_len))
		return;
	room = chan->str + r->channel_prefix_len;
	msg.data = (const unsigned char *)body->str;
	msg.len = body->len;
	if (msg.len >= ENVELOPE_LEN && !memcmp(msg.data, ENVELOPE_MAGIC, 5) &&
	    msg.data[5 + ENVELOPE_ID] == ':' &&
	    (msg.data[6 + ENVELOPE_ID] == 't' ||
	     msg.data[6 + ENVELOPE_ID] == 'b') &&
	    msg.data[7 + ENVELOPE_ID] == ':') {
		if (!memcmp(msg.data + 5, r->id, ENVELOPE_ID))
			return; /* ours: delivered here when it was sent */
		msg.type = msg.data[6 + ENVELOPE_ID] == 't' ? WSX_MSG_TEXT
							    : WSX_MSG_BINARY;
		msg.data += ENVELOPE_LEN;
		msg.len -= ENVELOPE_LEN;
	} else {
		/* another publisher's (redis-cli PUBLISH) */
		msg.type = wsx_utf8_valid(msg.data, msg.len) ? WSX_MSG_TEXT
							     : WSX_MSG_BINARY;
	}
	r->received++;
	wsx_broadcast_deliver(r->b, room, &msg);
}

static void
rooms_subscribe(const char *room, void *arg)
{
	struct wsx_redis_rooms *r = arg;
	redisAsyncContext *ac = wsx_redis_link_ctx(r->sub);
	size_t len;
	char *chan;

	if (!ac)
		return; /* subscribed to when the connection is back */
	chan = rooms_channel(r, room, &len);
	redisAsyncCommand(ac, rooms_sub_message, r, "SUBSCRIBE %b", chan, len);
	wsx_debug("redis: subscribed to %s", chan);
	free(chan);
}

static void
rooms_unsubscribe(const char *room, void *arg)
{
	struct wsx_redis_rooms *r = arg;
	redisAsyncContext *ac = wsx_redis_link_ctx(r->sub);
	size_t len;
	char *chan;

	if (!ac)
		return;
	chan = rooms_channel(r, room, &len);
	redisAsyncCommand(ac, rooms_sub_message, r, "UNSUBSCRIBE %b", chan,
			  len);
	wsx_debug("redis: unsubscribed from %s", chan);
	free(chan);
}

static void
rooms_sub_up(struct wsx_redis_link *l, redisAsyncContext *ac, void *arg)
{
	struct wsx_redis_rooms *r = arg;

	(void)l;
	(void)ac;
	r->sub_up = true;
	wsx_broadcast_each_room(r->b, rooms_subscribe, r);
	rooms_check_up(r);
}

static void
rooms_sub_down(struct wsx_redis_link *l, const char *why, void *arg)
{
	struct wsx_redis_rooms *r = arg;

	(void)l;
	r->sub_up = false;
	rooms_went_down(r, why);
}

static const struct wsx_redis_link_ops rooms_sub_ops = {
	.on_up = rooms_sub_up,
	.on_down = rooms_sub_down,
};

/* --- publishing: what clients here send -------------------------------- */

/* PUBLISH's answer, or NULL when the connection went with it. */
static void
rooms_published(redisAsyncContext *ac, void *reply, void *size)
{
	struct wsx_redis_rooms *r = wsx_redis_link_owner(ac);

	r->pending -= (size_t)(uintptr_t)size;
	if (!reply) {
		r->lost_away++;
		r->lost_total++;
	}
	if (r->behind && r->pending <= r->max_pending / 2) {
		/* caught up: say what stayed here meanwhile */
		r->behind = false;
		rooms_event(r, WSX_REDIS_CAUGHT_UP, r->lost_behind);
		r->lost_behind = 0;
	}
}

/* PUBLISH channel envelope, as Redis reads it, in one buffer. */
static size_t
rooms_format(struct wsx_redis_rooms *r, const char *room,
	     const struct wsx_msg *m)
{
	size_t room_len = strlen(room);
	size_t chan_len = r->channel_prefix_len + room_len;
	size_t need = 64 + chan_len + ENVELOPE_LEN + m->len;
	char *p;

	if (need > r->scratch_cap) {
		free(r->scratch);
		r->scratch = xmalloc(need);
		r->scratch_cap = need;
	}
	p = r->scratch;
	p += sprintf(p, "*3\r\n$7\r\nPUBLISH\r\n$%zu\r\n", chan_len);
	memcpy(p, r->channel_prefix, r->channel_prefix_len);
	p += r->channel_prefix_len;
	memcpy(p, room, room_len);
	p += room_len;
	p += sprintf(p, "\r\n$%zu\r\n" ENVELOPE_MAGIC "%s:%c:",
		     ENVELOPE_LEN + m->len, r->id,
		     m->type == WSX_MSG_TEXT ? 't' : 'b');
	memcpy(p, m->data, m->len);
	p += m->len;
	memcpy(p, "\r\n", 2);
	return (size_t)(p + 2 - r->scratch);
}

static void
rooms_publish(const char *room, const struct wsx_msg *m, void *arg)
{
	struct wsx_redis_rooms *r = arg;
	redisAsyncContext *ac = wsx_redis_link_ctx(r->pub);
	size_t len;

	if (!ac) {
		r->lost_away++;
		r->lost_total++;
		return;
	}
	if (r->behind || r->pending + m->len > r->max_pending) {
		if (!r->behind) {
			r->behind = true;
			rooms_event(r, WSX_REDIS_BEHIND, 0);
		}
		r->lost_behind++;
		r->lost_total++;
		return;
	}
	len = rooms_format(r, room, m);
	redisAsyncFormattedCommand(ac, rooms_published,
				   (void *)(uintptr_t)m->len, r->scratch, len);
	r->pending += m->len;
	r->published++;
	if (r->scratch_cap > SCRATCH_KEEP) {
		free(r->scratch);
		r->scratch = NULL;
		r->scratch_cap = 0;
	}
}

static void
rooms_pub_up(struct wsx_redis_link *l, redisAsyncContext *ac, void *arg)
{
	struct wsx_redis_rooms *r = arg;

	(void)l;
	(void)ac;
	r->pub_up = true;
	rooms_check_up(r);
}

static void
rooms_pub_down(struct wsx_redis_link *l, const char *why, void *arg)
{
	struct wsx_redis_rooms *r = arg;

	(void)l;
	r->pub_up = false;
	rooms_went_down(r, why);
}

static const struct wsx_redis_link_ops rooms_pub_ops = {
	.on_up = rooms_pub_up,
	.on_down = rooms_pub_down,
};

/* --- the bridge --------------------------------------------------------- */

/* HOST's addresses, numeric, so that reconnecting never waits for DNS. */
static int
rooms_resolve(struct wsx_redis_rooms *r, struct wsx_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char port[8];
	int rc;

	if (r->url.unix_path[0])
		return 0;
	snprintf(port, sizeof(port), "%u", r->url.port);
	rc = getaddrinfo(r->url.host, port, &hints, &res);
	if (rc)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "--redis: cannot resolve %.200s: %s",
				   r->url.host, gai_strerror(rc));
	for (ai = res; ai && r->n_addrs < ROOMS_MAX_ADDRS; ai = ai->ai_next) {
		char host[NI_MAXHOST];

		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
				NULL, 0, NI_NUMERICHOST))
			continue;
		r->addrs[r->n_addrs++] = xstrdup(host);
	}
	freeaddrinfo(res);
	if (!r->n_addrs)
		return wsx_err_set(err, WSX_EXIT_FAIL,
				   "--redis: %.200s has no address",
				   r->url.host);
	return 0;
}

static void
rooms_new_id(struct wsx_redis_rooms *r)
{
	unsigned char raw[ENVELOPE_ID / 2];
	uint64_t now = wsx_now_ns();

	if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != sizeof(raw))
		memcpy(raw, &now, sizeof(raw)); /* with the pid below */
	raw[0] ^= (unsigned char)getpid();
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(r->id + 2 * i, "%02x", raw[i]);
}

struct wsx_redis_rooms *
wsx_redis_rooms_new(struct wsx_loop *loop, const struct wsx_redis_url *url,
		    const char *prefix, size_t max_message,
		    struct wsx_broadcast *b, struct wsx_err *err)
{
	struct wsx_redis_rooms *r = xcalloc(1, sizeof(*r));
	const struct wsx_broadcast_bus bus = {
		.room_opened = rooms_subscribe,
		.room_closed = rooms_unsubscribe,
		.publish = rooms_publish,
		.arg = r,
	};

	r->b = b;
	r->url = *url;
	if (rooms_resolve(r, err)) {
		wsx_redis_rooms_free(r);
		return NULL;
	}
	rooms_new_id(r);
	r->channel_prefix_len = strlen(prefix) + strlen(":room:");
	r->channel_prefix = xmalloc(r->channel_prefix_len + 1);
	sprintf(r->channel_prefix, "%s:room:", prefix);
	r->max_pending = WSX_REDIS_MAX_PENDING;
	if (max_message + ENVELOPE_LEN > r->max_pending)
		r->max_pending = max_message + ENVELOPE_LEN;
	r->pub = wsx_redis_link_new(loop, &r->url, r->addrs, r->n_addrs,
				    &rooms_pub_ops, r);
	r->sub = wsx_redis_link_new(loop, &r->url, r->addrs, r->n_addrs,
				    &rooms_sub_ops, r);
	wsx_broadcast_set_bus(b, &bus);
	wsx_redis_link_start(r->pub);
	wsx_redis_link_start(r->sub);
	return r;
}

void
wsx_redis_rooms_free(struct wsx_redis_rooms *r)
{
	if (!r)
		return;
	wsx_broadcast_set_bus(r->b, &(struct wsx_broadcast_bus){ 0 });
	/* the pending PUBLISHes are called back: r must still be here */
	wsx_redis_link_free(r->pub);
	wsx_redis_link_free(r->sub);
	if (r->lost_total || r->published || r->received)
		wsx_info("redis: %llu messages published, %llu received from "
			 "other instances, %llu reached this instance only",
			 r->published, r->received, r->lost_total);
	for (size_t i = 0; i < r->n_addrs; i++)
		free(r->addrs[i]);
	free(r->channel_prefix);
	free(r->scratch);
	free(r);
}
