/*
 * The client of wsx check; see conn.h. It is not a hot path and a case is
 * a short script of writes and reads, so it uses a plain socket with
 * poll() timeouts and no libwebsockets loop: what it writes is exactly the
 * bytes a case built, however wrong they are on purpose.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "check/conn.h"
#include "util/clock.h"
#include "util/xalloc.h"
#include "ws/frame.h"

void
chk_conn_init(struct chk_conn *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->rng = (uint32_t)wsx_now_ns() | 1;
}

void
chk_conn_release(struct chk_conn *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd >= 0)
		close(c->fd);
	free(c->rx);
	c->fd = -1;
	c->rx = NULL;
	c->rx_len = c->rx_cap = c->rx_used = 0;
}

/* Milliseconds left before until_us, for poll(); 0 when past. */
static int
chk_ms_left(uint64_t until_us)
{
	uint64_t now = wsx_now_us();

	if (now >= until_us)
		return 0;
	return (int)((until_us - now + 999) / 1000);
}

static int
chk_conn_tcp(struct chk_conn *c, const struct chk_target *t)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char port[8];
	int rc, err = ECONNREFUSED;

	snprintf(port, sizeof(port), "%u", t->port);
	rc = getaddrinfo(t->host, port, &hints, &res);
	if (rc) {
		snprintf(c->why, sizeof(c->why), "cannot resolve '%.80s': %s",
			 t->host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct pollfd p;
		socklen_t sl = sizeof(err);
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
				ai->ai_protocol);

		if (fd < 0) {
			err = errno;
			continue;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) &&
		    errno != EINPROGRESS) {
			err = errno;
			close(fd);
			continue;
		}
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		rc = poll(&p, 1, chk_ms_left(c->deadline_us));
		if (rc == 1 &&
		    !getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) && !err) {
			c->fd = fd;
			break;
		}
		if (rc == 0)
			err = ETIMEDOUT;
		close(fd);
	}
	freeaddrinfo(res);
	if (c->fd < 0) {
		snprintf(c->why, sizeof(c->why),
			 "cannot connect to %.80s:%u: %s", t->host, t->port,
			 strerror(err));
		return -1;
	}
	return 0;
}

/* Wait for what SSL asked for (rc from SSL_*); false on timeout or a
 * real error. */
static bool
chk_ssl_wait(struct chk_conn *c, int rc, uint64_t until_us)
{
	int e = SSL_get_error(c->ssl, rc);
	struct pollfd p = { .fd = c->fd };

	if (e == SSL_ERROR_WANT_READ)
		p.events = POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		p.events = POLLOUT;
	else
		return false;
	return poll(&p, 1, chk_ms_left(until_us)) > 0;
}

int
chk_conn_open_tls(struct chk_conn *c, const struct chk_target *t)
{
	unsigned char addr[16];
	int rc;

	if (chk_conn_tcp(c, t))
		return -1;
	if (!t->tls)
		return 0;
	c->ssl = SSL_new(t->ssl_ctx);
	if (!c->ssl) {
		snprintf(c->why, sizeof(c->why), "cannot start TLS");
		return -2;
	}
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
				     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (inet_pton(AF_INET, t->host, addr) == 1 ||
	    inet_pton(AF_INET6, t->host, addr) == 1) {
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), t->host);
	} else {
		SSL_set_tlsext_host_name(c->ssl, t->host);
		SSL_set1_host(c->ssl, t->host);
	}
	while ((rc = SSL_connect(c->ssl)) != 1)
		if (!chk_ssl_wait(c, rc, c->deadline_us)) {
			long v = SSL_get_verify_result(c->ssl);
			unsigned long e = ERR_get_error();

			ERR_clear_error();
			snprintf(c->why, sizeof(c->why),
				 "TLS handshake with %.80s failed: %s", t->host,
				 v != X509_V_OK
					 ? X509_verify_cert_error_string(v)
				 : e ? ERR_reason_error_string(e)
				     : "no answer in time");
			return -2;
		}
	return 0;
}

struct ssl_ctx_st *
chk_tls_ctx_new(const char *cacert, bool insecure, char *why, size_t size)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(why, size, "cannot set up TLS");
		return NULL;
	}
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
			   NULL);
	if (cacert ? SSL_CTX_load_verify_locations(ctx, cacert, NULL) != 1
		   : SSL_CTX_set_default_verify_paths(ctx) != 1) {
		ERR_clear_error();
		snprintf(why, size, "cannot load CA certificates from '%.100s'",
			 cacert ? cacert : "the system's store");
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

void
chk_tls_ctx_free(struct ssl_ctx_st *ctx)
{
	SSL_CTX_free(ctx);
}

int
chk_conn_open(struct chk_conn *c, const struct chk_target *t)
{
	return chk_conn_open_tls(c, t) ? -1 : 0;
}

void
chk_conn_write(struct chk_conn *c, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len && !c->wfail) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		ssize_t n;

		if (c->ssl) {
			int rc = SSL_write(c->ssl, p,
					   len > INT32_MAX ? INT32_MAX
							   : (int)len);

			if (rc > 0) {
				p += rc;
				len -= (size_t)rc;
			} else if (!chk_ssl_wait(c, rc, c->deadline_us)) {
				ERR_clear_error();
				c->wfail = true;
			}
			continue;
		}
		n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
		    poll(&pfd, 1, chk_ms_left(c->deadline_us)) > 0)
			continue;
		c->wfail = true;
	}
}

/* Read what is there into rx, waiting until until_us. 1, 0 on EOF, -1 on
 * timeout. */
static int
chk_conn_fill(struct chk_conn *c, uint64_t until_us)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	ssize_t n;

	if (c->eof)
		return 0;
	if (c->rx_used) {
		memmove(c->rx, c->rx + c->rx_used, c->rx_len - c->rx_used);
		c->rx_len -= c->rx_used;
		c->rx_used = 0;
	}
	if (c->rx_cap - c->rx_len < 65536) {
		c->rx_cap = c->rx_cap ? c->rx_cap * 2 : 131072;
		c->rx = xrealloc(c->rx, c->rx_cap);
	}
	while (c->ssl) {
		size_t room = c->rx_cap - c->rx_len;
		int rc = SSL_read(c->ssl, c->rx + c->rx_len,
				  room > INT32_MAX ? INT32_MAX : (int)room);
		int e;

		if (rc > 0) {
			c->rx_len += (size_t)rc;
			return 1;
		}
		e = SSL_get_error(c->ssl, rc);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			ERR_clear_error();
			c->eof = true;
			return 0;
		}
		if (!chk_ssl_wait(c, rc, until_us))
			return -1;
	}
	for (;;) {
		n = recv(c->fd, c->rx + c->rx_len, c->rx_cap - c->rx_len, 0);
		if (n > 0) {
			c->rx_len += (size_t)n;
			return 1;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK &&
			       errno != EINTR)) {
			c->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (poll(&p, 1, chk_ms_left(until_us)) <= 0)
			return -1;
	}
}

int
chk_conn_http(struct chk_conn *c, char *head, size_t size)
{
	for (;;) {
		unsigned char *end =
			c->rx_len ? memmem(c->rx, c->rx_len, "\r\n\r\n", 4)
				  : NULL;
		int rc, status = 0;

		if (end) {
			size_t n = (size_t)(end - c->rx) + 4;

			snprintf(head, size, "%.*s", (int)n, (char *)c->rx);
			c->rx_used = n;
			if (sscanf(head, "HTTP/1.%*1[01] %3d", &status) != 1 ||
			    status < 100) {
				snprintf(c->why, sizeof(c->why),
					 "not an HTTP response");
				return -1;
			}
			return status;
		}
		if (c->rx_len > 65536) {
			snprintf(c->why, sizeof(c->why),
				 "an HTTP head over 64 KiB");
			return -1;
		}
		rc = chk_conn_fill(c, c->deadline_us);
		if (rc <= 0) {
			snprintf(
				c->why, sizeof(c->why), "%s",
				rc ? "no HTTP response in time"
				   : "the connection closed before a response");
			return -1;
		}
	}
}

const char *
chk_http_header(const char *head, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);
	const char *line = strstr(head, "\r\n");

	while (line && line[2] != '\r') {
		const char *p = line + 2, *eol = strstr(p, "\r\n");

		if (!eol)
			break;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    !strncasecmp(p, name, nl)) {
			p += nl + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			snprintf(out, size, "%.*s", (int)(eol - p), p);
			return out;
		}
		line = eol;
	}
	return NULL;
}

static uint32_t
chk_rand(struct chk_conn *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 17;
	c->rng ^= c->rng << 5;
	return c->rng;
}

unsigned char *
chk_frame_bytes(struct chk_conn *c, uint8_t b0, const void *data, size_t len,
		unsigned how, size_t *out_len)
{
	unsigned char *out = xmalloc(WS_FRAME_MAX_HEADER + len + 1);
	bool masked = !(how & CHK_UNMASKED);
	uint32_t r = chk_rand(c);
	uint8_t key[4] = { (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16),
			   (uint8_t)(r >> 24) };
	size_t h = 2;

	out[0] = b0;
	switch (how & CHK_LEN_MASK) {
	case CHK_LEN_MINIMAL:
		h = ws_frame_build(out, b0 & 0x0f, b0 & 0x80, b0 & 0x70, len,
				   masked ? key : NULL);
		out[0] = b0;
		break;
	case CHK_LEN_16:
		out[1] = 126;
		out[2] = (unsigned char)(len >> 8);
		out[3] = (unsigned char)len;
		h = 4;
		break;
	default:
		out[1] = 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] =
				(unsigned char)((uint64_t)len >> (56 - 8 * i));
		if ((how & CHK_LEN_MASK) == CHK_LEN_TOPBIT)
			out[2] |= 0x80;
		h = 10;
		break;
	}
	if ((how & CHK_LEN_MASK) != CHK_LEN_MINIMAL && masked) {
		out[1] |= 0x80;
		memcpy(out + h, key, 4);
		h += 4;
	}
	if (masked)
		ws_frame_mask(out + h, data, len, key, 0);
	else if (len)
		memcpy(out + h, data, len);
	*out_len = h + len;
	return out;
}

void
chk_conn_send(struct chk_conn *c, uint8_t b0, const void *data, size_t len,
	      unsigned how)
{
	size_t n;
	unsigned char *bytes = chk_frame_bytes(c, b0, data, len, how, &n);

	chk_conn_write(c, bytes, n);
	free(bytes);
}

enum chk_read
chk_conn_frame(struct chk_conn *c, struct chk_frame *f)
{
	for (;;) {
		struct ws_frame h;
		enum ws_frame_error why;
		int rc = c->rx_len - c->rx_used
				 ? ws_frame_parse(&h, c->rx + c->rx_used,
						  c->rx_len - c->rx_used, &why)
				 : 0;

		if (rc < 0) {
			snprintf(
				c->why, sizeof(c->why), "%s",
				why == WS_FRAME_NOT_MINIMAL
					? "a frame length not in its shortest form"
					: "a 64-bit frame length with the top bit set");
			return CHK_READ_BAD;
		}
		if (rc > 0 && h.len > CHK_MAX_FRAME) {
			snprintf(c->why, sizeof(c->why),
				 "a frame of %llu bytes",
				 (unsigned long long)h.len);
			return CHK_READ_BAD;
		}
		if (rc > 0 && c->rx_len - c->rx_used >= (size_t)rc + h.len) {
			unsigned char *p = c->rx + c->rx_used + rc;

			if (h.masked)
				ws_frame_mask(p, p, h.len, h.key, 0);
			*f = (struct chk_frame){ .fin = h.fin,
						 .masked = h.masked,
						 .rsv = h.rsv,
						 .opcode = h.opcode,
						 .data = p,
						 .len = h.len };
			c->rx_used += (size_t)rc + h.len;
			return CHK_READ_FRAME;
		}
		if (rc > 0 && c->rx_cap < (size_t)rc + h.len + 65536) {
			/* make room for the whole frame at once */
			c->rx_cap = (size_t)rc + h.len + 65536;
			c->rx = xrealloc(c->rx, c->rx_cap + 65536);
			c->rx_cap += 65536;
		}
		switch (chk_conn_fill(c, c->deadline_us)) {
		case 0:
			return CHK_READ_EOF;
		case -1:
			return CHK_READ_TIMEOUT;
		}
	}
}

bool
chk_conn_wait_eof(struct chk_conn *c, uint64_t until_us)
{
	if (until_us > c->deadline_us)
		until_us = c->deadline_us;
	for (;;) {
		int rc;

		c->rx_used = c->rx_len; /* drop what is there */
		rc = chk_conn_fill(c, until_us);
		if (rc == 0)
			return true;
		if (rc < 0)
			return false;
	}
}
