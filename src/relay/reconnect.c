/* Reconnecting client sessions; see reconnect.h. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "relay/reconnect.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/parse.h"

enum {
	OPT_RECONNECT = WSX_OPTKEY_CMD + 0x40,
	OPT_MAX_RETRIES,
};

static const struct wsx_opt reconnect_optv[] = {
	{ OPT_RECONNECT, "reconnect", NULL,
	  "after a failure or abnormal close, connect again" },
	{ OPT_MAX_RETRIES, "max-retries", "N",
	  "give up after N failed attempts in a row" },
	{ 0 },
};

static int
reconnect_opt_set(void *target, const struct wsx_opt *opt, const char *arg,
		  struct wsx_err *err)
{
	struct reconnect_opts *o = target;

	if (opt->key == OPT_RECONNECT) {
		o->enabled = true;
		return 0;
	}
	o->enabled = true;
	return wsx_parse_uint("--max-retries", arg, 1, 1000000, &o->max_retries,
			      err);
}

const struct wsx_optgroup wsx_reconnect_optgroup = {
	.title = "Reconnecting",
	.opts = reconnect_optv,
	.set = reconnect_opt_set,
};

void
reconnect_init(struct reconnect *r, const struct reconnect_opts *opts,
	       struct wsx_loop *loop, wsx_timer_cb again, void *arg)
{
	memset(r, 0, sizeof(*r));
	r->opts = opts;
	wsx_backoff_init(&r->backoff, WSX_BACKOFF_START_US, WSX_BACKOFF_FACTOR,
			 WSX_BACKOFF_CAP_US,
			 wsx_now_us() ^ ((uint64_t)getpid() << 32));
	r->timer = wsx_timer_new(loop, again, arg);
}

void
reconnect_release(struct reconnect *r)
{
	wsx_timer_free(r->timer);
	r->timer = NULL;
}

bool
reconnect_schedule(struct reconnect *r, const struct wsx_close *cl)
{
	uint64_t delay;
	char limit[32] = "";

	if (!r->opts->enabled ||
	    (cl->code == 1000 && !cl->http_status && cl->status == WSX_EXIT_OK))
		return false;
	if (r->opts->max_retries && r->failures >= r->opts->max_retries) {
		wsx_error("giving up after %lu attempts", r->failures);
		return false;
	}
	r->failures++;
	delay = wsx_backoff_next(&r->backoff);
	if (r->opts->max_retries)
		snprintf(limit, sizeof(limit), " of %lu", r->opts->max_retries);
	/* cl->msg says how it closed, in the words every close is told in */
	wsx_notice("%s; reconnect attempt %lu%s in %.3f s",
		   cl->msg[0] ? cl->msg : "connection closed", r->failures,
		   limit, (double)delay / 1e6);
	wsx_timer_arm(r->timer, delay ? delay : 1);
	return true;
}

void
reconnect_opened(struct reconnect *r)
{
	if (r->failures)
		wsx_notice("reconnected after %lu attempt%s", r->failures,
			   r->failures == 1 ? "" : "s");
	r->failures = 0;
	wsx_backoff_reset(&r->backoff);
}
