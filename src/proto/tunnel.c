/*
 * Proxy tunnels on bytes; see tunnel.h.
 *
 * SOCKS5 goes one message at a time (greeting, then the user name and
 * password if the proxy chose them, then CONNECT) rather than sending all
 * three at once: pipelining saves round trips but some proxies drop what
 * arrives before they asked for it. Replies are taken byte by byte: they
 * are short, and judging each byte as it comes is what makes every split
 * of the input give the same answer, and a bad reply fail at once.
 *
 * HTTP gathers the answer's head and hands it to ws/http.c, the parser
 * the WebSocket handshake uses, so the two cannot disagree on what a head
 * is. Only the head's bytes are copied: the search for its end runs over
 * the gathered bytes, and whatever follows it in the same feed is left to
 * the caller untouched.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto/tunnel.h"
#include "util/base64.h"
#include "util/xalloc.h"
#include "ws/http.h"

/* What is awaited from the proxy. */
enum tunnel_step {
	STEP_HTTP,	/* the answer to CONNECT */
	STEP_S5_METHOD, /* the method chosen (RFC 1928 3) */
	STEP_S5_AUTH,	/* the verdict on user and password (RFC 1929 2) */
	STEP_S5_REPLY,	/* the reply to CONNECT (RFC 1928 6) */
	STEP_OPEN,
	STEP_FAILED,
};

#define TUNNEL_FIELD_MAX 255  /* host, user, password */
#define TUNNEL_OUT_MAX	 2048 /* the longest request: CONNECT with both */

#define S5_VERSION   0x05
#define S5_NO_AUTH   0x00
#define S5_USERPASS  0x02
#define S5_NONE	     0xff
#define S5_AUTH_VER  0x01
#define S5_CONNECT   0x01
#define S5_ATYP_IPV4 0x01
#define S5_ATYP_NAME 0x03
#define S5_ATYP_IPV6 0x04

/* RFC 1928 6, the words for each reply code. */
static const struct {
	const char *what, *words;
} s5_replies[] = {
	[1] = { "failed", "general SOCKS server failure" },
	[2] = { "refused the connection", "connection not allowed by ruleset" },
	[3] = { "could not reach the host", "network unreachable" },
	[4] = { "could not reach the host", "host unreachable" },
	[5] = { "could not reach the host", "connection refused" },
	[6] = { "could not reach the host", "TTL expired" },
	[7] = { "refused CONNECT", "command not supported" },
	[8] = { "refused the target's address", "address type not supported" },
};

/* Memory that held credentials: cleared in a way the compiler keeps. */
static void
tunnel_wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

/* Text from elsewhere, fit to print: control and non-ASCII bytes as '?',
 * cut to max bytes with "..." after. */
static const char *
tunnel_mask(char *out, size_t cap, const char *s, size_t max)
{
	size_t i = 0, n = strlen(s);

	for (; i < n && i < max && i + 4 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	if (i < n && i + 4 <= cap) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static int tunnel_fail(struct wsx_tunnel *t, struct wsx_err *err,
		       const char *fmt, ...) WSX_PRINTF(3, 4);

static int
tunnel_fail(struct wsx_tunnel *t, struct wsx_err *err, const char *fmt, ...)
{
	va_list ap;

	t->err.code = WSX_EXIT_CONNECT;
	va_start(ap, fmt);
	vsnprintf(t->err.msg, sizeof(t->err.msg), fmt, ap);
	va_end(ap);
	t->step = STEP_FAILED;
	free(t->head);
	t->head = NULL;
	if (err)
		*err = t->err;
	return WSX_TUNNEL_FAILED;
}

/* RFC 3986 reg-name: unreserved, sub-delims and '%'. */
static bool
tunnel_name_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c && strchr("-._~!$&'()*+,;=%", c);
}

/* A credential: NULL or "" is none; control characters are refused. */
static int
tunnel_cred(const char *s, const char *what, size_t *len, struct wsx_err *err)
{
	*len = s ? strlen(s) : 0;
	if (*len > TUNNEL_FIELD_MAX)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "the proxy %s is over %d bytes", what,
				   TUNNEL_FIELD_MAX);
	for (size_t i = 0; i < *len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"the proxy %s holds a control character", what);
	return 0;
}

/*
 * Check the target and note what it is: name (without brackets) into
 * name, the address bytes into addr for a literal (*family AF_INET or
 * AF_INET6; 0 for a name), "host:port" into t->target.
 */
static int
tunnel_target(struct wsx_tunnel *t, const char *host, unsigned port, char *name,
	      unsigned char *addr, int *family, struct wsx_err *err)
{
	size_t n = host ? strlen(host) : 0;
	bool bracketed = false;
	char shown[80];

	if (!n)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "no host to reach through the proxy");
	tunnel_mask(shown, sizeof(shown), host, 64);
	if (host[0] == '[' && host[n - 1] == ']' && n >= 2) {
		bracketed = true;
		host++;
		n -= 2;
	}
	if (n > TUNNEL_FIELD_MAX)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "the host '%s' is over %d bytes", shown,
				   TUNNEL_FIELD_MAX);
	if (!n)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "no host to reach through the proxy");
	memcpy(name, host, n);
	name[n] = '\0';
	if (port < 1 || port > 65535)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "the port %u of '%s' is not in 1..65535",
				   port, shown);
	if (inet_pton(AF_INET6, name, addr) == 1) {
		*family = AF_INET6;
	} else if (bracketed) {
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "the host '%s' is not an IPv6 address",
				   shown);
	} else if (inet_pton(AF_INET, name, addr) == 1) {
		*family = AF_INET;
	} else {
		*family = 0;
		for (size_t i = 0; i < n; i++)
			if (!tunnel_name_char((unsigned char)name[i]))
				return wsx_err_set(
					err, WSX_EXIT_USAGE,
					"the host '%s' holds a byte not allowed in a host name",
					shown);
	}
	snprintf(t->target, sizeof(t->target),
		 *family == AF_INET6 ? "[%s]:%u" : "%s:%u", name, port);
	return 0;
}

static int
tunnel_http_start(struct wsx_tunnel *t, const char *user, size_t ulen,
		  const char *password, size_t plen, struct wsx_err *err)
{
	char cred[2 * TUNNEL_FIELD_MAX + 2];
	char b64[(sizeof(cred) + 2) / 3 * 4 + 1];
	size_t n;

	if (ulen && memchr(user, ':', ulen))
		return wsx_err_set(
			err, WSX_EXIT_USAGE,
			"the proxy user name holds ':', which HTTP Basic authentication cannot carry");
	wsx_buf_append(&t->out, "CONNECT ", 8);
	wsx_buf_append(&t->out, t->target, strlen(t->target));
	wsx_buf_append(&t->out, " HTTP/1.1\r\nHost: ", 17);
	wsx_buf_append(&t->out, t->target, strlen(t->target));
	wsx_buf_append(&t->out, "\r\n", 2);
	if (t->creds) {
		/* RFC 7617 2: base64 of user-id ":" password */
		if (ulen)
			memcpy(cred, user, ulen);
		cred[ulen] = ':';
		if (plen) /* a user without a password sends an empty one */
			memcpy(cred + ulen + 1, password, plen);
		n = wsx_base64_encode(b64, cred, ulen + 1 + plen);
		wsx_buf_append(&t->out, "Proxy-Authorization: Basic ", 27);
		wsx_buf_append(&t->out, b64, n);
		wsx_buf_append(&t->out, "\r\n", 2);
		tunnel_wipe(cred, sizeof(cred));
		tunnel_wipe(b64, sizeof(b64));
	}
	wsx_buf_append(&t->out, "\r\n", 2);
	t->head = xmalloc(WS_HTTP_MAX_HEAD);
	t->step = STEP_HTTP;
	return 0;
}

static int
tunnel_socks5_start(struct wsx_tunnel *t, const struct wsx_tunnel_opts *o,
		    const char *name, unsigned char *addr, int family,
		    size_t ulen, size_t plen, struct wsx_err *err)
{
	unsigned char greeting[4] = { S5_VERSION, 1, S5_NO_AUTH, 0 };
	unsigned char *r = t->req;
	size_t n = strlen(name);

	if (o->kind == WSX_TUNNEL_SOCKS5 && !family) {
		char shown[80];

		tunnel_mask(shown, sizeof(shown), name, 64);
		if (!o->address)
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"socks5:// needs the address of '%s' (socks5h:// lets the proxy resolve it)",
				shown);
		if (inet_pton(AF_INET, o->address, addr) == 1) {
			family = AF_INET;
		} else if (inet_pton(AF_INET6, o->address, addr) == 1) {
			family = AF_INET6;
		} else {
			tunnel_mask(shown, sizeof(shown), o->address, 64);
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"the address '%s' is not an IP address", shown);
		}
	}
	/* RFC 1928 4: VER CMD RSV ATYP DST.ADDR DST.PORT */
	*r++ = S5_VERSION;
	*r++ = S5_CONNECT;
	*r++ = 0;
	if (family == AF_INET) {
		*r++ = S5_ATYP_IPV4;
		memcpy(r, addr, 4);
		r += 4;
	} else if (family == AF_INET6) {
		*r++ = S5_ATYP_IPV6;
		memcpy(r, addr, 16);
		r += 16;
	} else {
		*r++ = S5_ATYP_NAME;
		*r++ = (unsigned char)n;
		memcpy(r, name, n);
		r += n;
	}
	*r++ = (unsigned char)(o->port >> 8);
	*r++ = (unsigned char)o->port;
	t->req_len = (size_t)(r - t->req);
	if (t->creds) {
		/* RFC 1929 2: VER ULEN UNAME PLEN PASSWD */
		r = t->auth;
		*r++ = S5_AUTH_VER;
		*r++ = (unsigned char)ulen;
		memcpy(r, o->user, ulen);
		r += ulen;
		*r++ = (unsigned char)plen;
		if (plen)
			memcpy(r, o->password, plen);
		r += plen;
		t->auth_len = (size_t)(r - t->auth);
		greeting[1] = 2;
		greeting[3] = S5_USERPASS;
		t->offered_auth = true;
	}
	wsx_buf_append(&t->out, greeting, t->creds ? 4 : 3);
	t->step = STEP_S5_METHOD;
	return 0;
}

int
wsx_tunnel_start(struct wsx_tunnel *t, const struct wsx_tunnel_opts *o,
		 struct wsx_err *err)
{
	char name[TUNNEL_FIELD_MAX + 1];
	unsigned char addr[16];
	size_t ulen, plen;
	int family, rc;

	memset(t, 0, sizeof(*t));
	t->kind = o->kind;
	t->step = STEP_FAILED;
	wsx_buf_init(&t->out, 0, TUNNEL_OUT_MAX);
	snprintf(t->err.msg, sizeof(t->err.msg),
		 "the proxy tunnel was not started");
	t->err.code = WSX_EXIT_USAGE;
	if (o->kind != WSX_TUNNEL_HTTP && o->kind != WSX_TUNNEL_SOCKS5 &&
	    o->kind != WSX_TUNNEL_SOCKS5H)
		return wsx_err_set(err, WSX_EXIT_USAGE, "unknown proxy kind %d",
				   (int)o->kind);
	if (tunnel_target(t, o->host, o->port, name, addr, &family, err) ||
	    tunnel_cred(o->user, "user name", &ulen, err) ||
	    tunnel_cred(o->password, "password", &plen, err))
		return -1;
	if (plen && !ulen)
		return wsx_err_set(err, WSX_EXIT_USAGE,
				   "a proxy password needs a user name");
	t->creds = ulen > 0;
	/* reserved once: no realloc leaves credentials behind in the heap */
	wsx_buf_reserve(&t->out, TUNNEL_OUT_MAX);
	if (o->kind == WSX_TUNNEL_HTTP)
		rc = tunnel_http_start(t, o->user, ulen, o->password, plen,
				       err);
	else
		rc = tunnel_socks5_start(t, o, name, addr, family, ulen, plen,
					 err);
	if (rc)
		t->step = STEP_FAILED;
	return rc;
}

const unsigned char *
wsx_tunnel_output(const struct wsx_tunnel *t, size_t *len)
{
	*len = t->out.len;
	return t->out.len ? wsx_buf_data(&t->out) : NULL;
}

void
wsx_tunnel_consume(struct wsx_tunnel *t, size_t n)
{
	wsx_buf_consume(&t->out, n);
}

/* --- HTTP CONNECT ----------------------------------------------------- */

/*
 * Whether a 407's Proxy-Authenticate fields offer Basic; when they offer
 * only other schemes, the first of those goes into scheme. No field at
 * all counts as Basic: then credentials are worth a try.
 */
static bool
http_offers_basic(const struct ws_http *h, char *scheme, size_t cap)
{
	bool any = false;

	scheme[0] = '\0';
	for (size_t i = 0; i < h->nfields; i++) {
		const char *s, *end, *item;
		size_t len;

		if (strcasecmp(h->field[i].name, "Proxy-Authenticate"))
			continue;
		s = h->field[i].value;
		end = s + strlen(s);
		while (ws_http_list_next(&s, end, &item, &len)) {
			size_t w = 0;

			/* a challenge starts with its scheme; parameters
			 * (name=value) follow it, also after commas */
			while (w < len && item[w] != ' ' && item[w] != '=')
				w++;
			if (w < len && item[w] == '=')
				continue;
			any = true;
			if (w == 5 && !strncasecmp(item, "Basic", 5))
				return true;
			if (!scheme[0] && w < cap) {
				memcpy(scheme, item, w);
				scheme[w] = '\0';
			}
		}
	}
	return !any;
}

/* The whole head is in t->head[0..t->head_len): judge it. */
static int
http_answer(struct wsx_tunnel *t, struct wsx_err *err)
{
	struct ws_http h;
	const char *why;
	char reason[80], scheme[40], shown[40];

	if (ws_http_parse_response(&h, t->head, t->head_len, &why))
		return tunnel_fail(
			t, err,
			"the proxy's answer to CONNECT %s is not valid HTTP: %s",
			t->target, why);
	if (h.status >= 200 && h.status < 300) {
		free(t->head);
		t->head = NULL;
		t->step = STEP_OPEN;
		return WSX_TUNNEL_OPEN;
	}
	if (h.status < 200 && h.status != 101) {
		/* interim (RFC 9110 15.2): the final answer follows */
		if (++t->interim > WSX_TUNNEL_MAX_INTERIM)
			return tunnel_fail(
				t, err,
				"the proxy sent over %d interim answers to CONNECT %s",
				WSX_TUNNEL_MAX_INTERIM, t->target);
		t->head_len = t->head_scan = 0;
		return WSX_TUNNEL_MORE;
	}
	if (h.status == 407) {
		if (!http_offers_basic(&h, scheme, sizeof(scheme)))
			return tunnel_fail(
				t, err,
				"the proxy wants %s authentication (407), and wsx speaks only Basic",
				tunnel_mask(shown, sizeof(shown), scheme, 32));
		if (t->creds)
			return tunnel_fail(
				t, err,
				"the proxy refused the credentials (407)");
		return tunnel_fail(
			t, err,
			"the proxy wants credentials (407): give them in the proxy URL, http://user:pass@host:port");
	}
	tunnel_mask(reason, sizeof(reason), h.reason, 64);
	return tunnel_fail(t, err, "the proxy answered %d%s%s to CONNECT %s",
			   h.status, reason[0] ? " " : "", reason, t->target);
}

static int
http_feed(struct wsx_tunnel *t, const unsigned char *data, size_t len,
	  size_t *used, struct wsx_err *err)
{
	size_t pos = 0;

	while (pos < len) {
		size_t room = WS_HTTP_MAX_HEAD - t->head_len, n = len - pos,
		       before = t->head_len, end;
		int rc;

		if (!room)
			return *used = pos,
			       tunnel_fail(
				       t, err,
				       "the proxy's answer to CONNECT %s has a head over %d bytes",
				       t->target, WS_HTTP_MAX_HEAD);
		if (n > room)
			n = room;
		memcpy(t->head + before, data + pos, n);
		t->head_len += n;
		if (before < 5) {
			size_t k = t->head_len < 5 ? t->head_len : 5;

			if (memcmp(t->head, "HTTP/", k)) {
				*used = pos + n;
				return tunnel_fail(
					t, err,
					"not an HTTP proxy: its answer to CONNECT %s does not start with HTTP/",
					t->target);
			}
		}
		end = ws_http_head_end(t->head, t->head_len, t->head_scan);
		if (!end) {
			t->head_scan = t->head_len;
			pos += n;
			continue;
		}
		/* the head ends inside what was just copied: drop the rest
		 * of it, which is the next head's or the stream's */
		pos += end - before;
		t->head_len = end;
		rc = http_answer(t, err);
		if (rc != WSX_TUNNEL_MORE)
			return *used = pos, rc;
	}
	*used = len;
	return WSX_TUNNEL_MORE;
}

/* --- SOCKS5 ------------------------------------------------------------- */

static void
s5_send(struct wsx_tunnel *t, unsigned char *msg, size_t len)
{
	wsx_buf_append(&t->out, msg, len);
	tunnel_wipe(msg, len);
}

static int
s5_method(struct wsx_tunnel *t, struct wsx_err *err)
{
	unsigned char m = t->msg[1];

	if (m == S5_NONE)
		return tunnel_fail(
			t, err,
			"the SOCKS5 proxy accepts none of our authentication methods%s",
			t->creds
				? ""
				: " (it may want a user name and password: give them in the proxy URL, socks5://user:pass@host:port)");
	if (m == S5_USERPASS && t->offered_auth) {
		s5_send(t, t->auth, t->auth_len);
		t->step = STEP_S5_AUTH;
	} else if (m == S5_NO_AUTH) {
		tunnel_wipe(t->auth, sizeof(t->auth));
		s5_send(t, t->req, t->req_len);
		t->step = STEP_S5_REPLY;
	} else {
		return tunnel_fail(
			t, err,
			"the SOCKS5 proxy chose an authentication method we did not offer (0x%02x)",
			m);
	}
	return WSX_TUNNEL_MORE;
}

/* One more byte of the reply to CONNECT (RFC 1928 6): VER REP RSV ATYP
 * BND.ADDR BND.PORT. */
static int
s5_reply(struct wsx_tunnel *t, struct wsx_err *err)
{
	unsigned char c = t->msg[t->msg_len - 1];

	switch (t->msg_len) {
	case 1:
		if (c != S5_VERSION)
			return tunnel_fail(
				t, err,
				"not a SOCKS5 proxy: its reply to CONNECT starts with 0x%02x, not 0x05",
				c);
		break;
	case 2:
		if (c && c < sizeof(s5_replies) / sizeof(s5_replies[0]))
			return tunnel_fail(
				t, err, "the SOCKS5 proxy %s: %s (%d)",
				s5_replies[c].what, s5_replies[c].words, c);
		if (c)
			return tunnel_fail(
				t, err,
				"the SOCKS5 proxy failed with the unassigned reply code %d",
				c);
		break;
	case 3:
		if (c)
			return tunnel_fail(
				t, err,
				"the SOCKS5 proxy's reply is malformed: reserved byte 0x%02x",
				c);
		break;
	case 4:
		if (c == S5_ATYP_IPV4)
			t->msg_want = 4 + 4 + 2;
		else if (c == S5_ATYP_IPV6)
			t->msg_want = 4 + 16 + 2;
		else if (c != S5_ATYP_NAME)
			return tunnel_fail(
				t, err,
				"the SOCKS5 proxy's reply is malformed: address type 0x%02x",
				c);
		break;
	case 5:
		if (t->msg[3] == S5_ATYP_NAME)
			t->msg_want = 5 + (size_t)c + 2;
		break;
	}
	if (t->msg_want && t->msg_len == t->msg_want) {
		t->step = STEP_OPEN;
		return WSX_TUNNEL_OPEN;
	}
	return WSX_TUNNEL_MORE;
}

/* One more byte from a SOCKS5 proxy. */
static int
s5_byte(struct wsx_tunnel *t, unsigned char c, struct wsx_err *err)
{
	t->msg[t->msg_len++] = c;
	switch (t->step) {
	case STEP_S5_METHOD:
		if (t->msg_len == 1 && c != S5_VERSION)
			return tunnel_fail(
				t, err,
				"not a SOCKS5 proxy: its answer starts with 0x%02x, not 0x05",
				c);
		if (t->msg_len < 2)
			return WSX_TUNNEL_MORE;
		t->msg_len = 0;
		return s5_method(t, err);
	case STEP_S5_AUTH:
		if (t->msg_len == 1 && c != S5_AUTH_VER)
			return tunnel_fail(
				t, err,
				"the SOCKS5 proxy's answer to the user name and password is malformed: version 0x%02x, not 0x01",
				c);
		if (t->msg_len < 2)
			return WSX_TUNNEL_MORE;
		t->msg_len = 0;
		if (c)
			return tunnel_fail(
				t, err,
				"the SOCKS5 proxy refused the user name or password");
		s5_send(t, t->req, t->req_len);
		t->step = STEP_S5_REPLY;
		return WSX_TUNNEL_MORE;
	default:
		return s5_reply(t, err);
	}
}

static int
s5_feed(struct wsx_tunnel *t, const unsigned char *data, size_t len,
	size_t *used, struct wsx_err *err)
{
	for (size_t i = 0; i < len; i++) {
		int rc = s5_byte(t, data[i], err);

		if (rc != WSX_TUNNEL_MORE)
			return *used = i + 1, rc;
	}
	*used = len;
	return WSX_TUNNEL_MORE;
}

/* --- both --------------------------------------------------------------- */

int
wsx_tunnel_feed(struct wsx_tunnel *t, const unsigned char *data, size_t len,
		size_t *used, struct wsx_err *err)
{
	*used = 0;
	if (t->step == STEP_OPEN)
		return WSX_TUNNEL_OPEN;
	if (t->step == STEP_FAILED) {
		if (err)
			*err = t->err;
		return WSX_TUNNEL_FAILED;
	}
	if (!len)
		return WSX_TUNNEL_MORE;
	if (t->step == STEP_HTTP)
		return http_feed(t, data, len, used, err);
	return s5_feed(t, data, len, used, err);
}

int
wsx_tunnel_eof(struct wsx_tunnel *t, struct wsx_err *err)
{
	switch (t->step) {
	case STEP_OPEN:
		return WSX_TUNNEL_OPEN;
	case STEP_FAILED:
		if (err)
			*err = t->err;
		return WSX_TUNNEL_FAILED;
	case STEP_HTTP:
		return tunnel_fail(
			t, err,
			"the proxy closed the connection before answering CONNECT %s",
			t->target);
	case STEP_S5_METHOD:
		return tunnel_fail(
			t, err,
			"the SOCKS5 proxy closed the connection before choosing an authentication method");
	case STEP_S5_AUTH:
		return tunnel_fail(
			t, err,
			"the SOCKS5 proxy closed the connection before answering the user name and password");
	default:
		return tunnel_fail(
			t, err,
			"the SOCKS5 proxy closed the connection before answering CONNECT %s",
			t->target);
	}
}

bool
wsx_tunnel_is_open(const struct wsx_tunnel *t)
{
	return t->step == STEP_OPEN;
}

void
wsx_tunnel_release(struct wsx_tunnel *t)
{
	if (t->out.mem)
		tunnel_wipe(t->out.mem, t->out.headroom + t->out.cap);
	wsx_buf_release(&t->out);
	free(t->head);
	t->head = NULL;
	tunnel_wipe(t->auth, sizeof(t->auth));
	t->auth_len = 0;
}
