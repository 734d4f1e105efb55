/* Echo; see echo.h. */
#include "config.h"

#include "serve/echo.h"

void
wsx_echo_message(struct wsx_conn *c, const struct wsx_msg *m, void *arg)
{
	(void)arg;
	/* a client that does not read its echoes stops being read */
	if (wsx_conn_send(c, m->type, m->data, m->len) == 1)
		wsx_conn_pause(c, true);
}

void
wsx_echo_drain(struct wsx_conn *c, void *arg)
{
	(void)arg;
	wsx_conn_pause(c, false);
}
