/*
 * Proxy tunnels without I/O: the negotiation that turns a byte stream to a
 * proxy into a byte stream to the target. HTTP CONNECT (RFC 9110 9.3.6)
 * for http:// and https:// proxies; SOCKS5 (RFC 1928, with RFC 1929 user
 * name and password) for socks5:// and socks5h://. It never reads or
 * writes a socket, never sleeps and never logs.
 *
 * The transport opens TCP to the proxy (and TLS to it for https://, with
 * tls.c), then:
 *
 *	wsx_tunnel_start(&t, &opts, err)  the first bytes are queued now
 *	after start and after each feed:  send wsx_tunnel_output(), then
 *	                                  wsx_tunnel_consume() what was taken
 *	on bytes from the proxy:          wsx_tunnel_feed(): MORE, OPEN or
 *	                                  FAILED
 *	on EOF from the proxy:            wsx_tunnel_eof(): FAILED, in words
 *	once OPEN or FAILED:              wsx_tunnel_release()
 *
 * then TLS to the target for wss://, then the WebSocket handshake. The
 * connect timeout, and DNS for socks5://, are the transport's.
 *
 * OPEN: *used says how many bytes of that feed were the proxy's; the rest
 * already belong to the tunnelled stream and are the caller's to pass on.
 * A proxy answers only what it has received, so the output is empty by
 * then in practice; the transport sends whatever wsx_tunnel_output() still
 * holds before bytes of its own all the same. Feeding after OPEN takes
 * nothing (*used 0, OPEN again).
 *
 * Failures: wsx_tunnel_start() refuses, with WSX_EXIT_USAGE, what could
 * smuggle bytes into the negotiation or not fit in it: control characters,
 * spaces or bytes outside RFC 3986's reg-name in the host, control
 * characters in the credentials, a ':' in an HTTP user name (RFC 7617 2),
 * fields over 255 bytes, a port outside 1..65535. What the proxy answers
 * fails with WSX_EXIT_CONNECT and one line a person understands, such as
 * "the proxy answered 403 Forbidden to CONNECT example.com:443" or "the
 * SOCKS5 proxy could not reach the host: connection refused (5)". Text
 * from the proxy is masked (control and non-ASCII bytes as '?') and cut
 * short before it goes into a message. After FAILED, feed and eof go on
 * returning FAILED with the same words.
 *
 * Strictness: a proxy's bytes are parsed in order as one stream, never
 * past what was fed, and any split of them (one byte per feed included)
 * gives the same result. HTTP: the answer must start "HTTP/" (checked from
 * the first byte), each head is at most WS_HTTP_MAX_HEAD bytes, interim
 * 1xx heads are skipped (at most WSX_TUNNEL_MAX_INTERIM), and a 2xx's
 * Content-Length or Transfer-Encoding is ignored (RFC 9110 9.3.6). SOCKS5:
 * every version, method, status, reserved and address-type byte is
 * checked as it arrives, so a bad reply fails without waiting for the
 * rest, and a good reply is taken whole (BND.ADDR of any of the three
 * address types, and BND.PORT) before OPEN.
 *
 * Memory: the HTTP answer's head is gathered in a buffer allocated while
 * it arrives and freed once it is parsed; the rest lives in the struct.
 * Credentials are wiped from memory once sent, and at release.
 */
#ifndef WSX_PROTO_TUNNEL_H
#define WSX_PROTO_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/err.h"

enum wsx_tunnel_kind {
	WSX_TUNNEL_HTTP,   /* CONNECT, for http:// and https:// proxies */
	WSX_TUNNEL_SOCKS5, /* socks5://: the client resolves the name */
	WSX_TUNNEL_SOCKS5H /* socks5h://: the proxy resolves it */
};

/* What wsx_tunnel_feed() and wsx_tunnel_eof() return. */
enum wsx_tunnel_status {
	WSX_TUNNEL_FAILED = -1, /* err says why (WSX_EXIT_CONNECT) */
	WSX_TUNNEL_MORE = 0,	/* the proxy has more to say */
	WSX_TUNNEL_OPEN = 1,	/* the tunnel is up */
};

struct wsx_tunnel_opts {
	enum wsx_tunnel_kind kind;
	/* The target: a name, or an IP literal (IPv6 with or without its
	 * brackets). HTTP sends it as it is. SOCKS5 sends a literal as an
	 * address (ATYP 0x01 or 0x04), through socks5h:// too, as curl
	 * does; a name as a domain (ATYP 0x03) through socks5h://, and as
	 * the address below through socks5://. */
	const char *host;
	unsigned port;
	/* Proxy credentials, or NULL (or "") for none. A password without a
	 * user is refused; a user without one sends an empty password. */
	const char *user, *password;
	/* SOCKS5 (not h) with a name for host: the address the caller
	 * resolved it to, as a literal. Ignored otherwise. */
	const char *address;
};

/* 1xx heads skipped before a CONNECT's final answer, at most. */
#define WSX_TUNNEL_MAX_INTERIM 8

/* Largest SOCKS5 message we receive: the reply with a 255-byte domain. */
#define WSX_TUNNEL_SOCKS5_MAX (4 + 1 + 255 + 2)

/* One negotiation. Fields are the module's; use the calls. */
struct wsx_tunnel {
	enum wsx_tunnel_kind kind;
	int step;	  /* what is awaited from the proxy (tunnel.c) */
	char target[272]; /* "host:port", IPv6 in brackets, for messages */
	struct wsx_buf out;
	/* HTTP: the head arriving, and how much of it was searched */
	char *head;
	size_t head_len, head_scan;
	unsigned interim;  /* 1xx heads skipped */
	bool creds;	   /* credentials were given */
	bool offered_auth; /* SOCKS5: method 0x02 offered */
	/* SOCKS5: the message arriving, and how long it turns out to be */
	unsigned char msg[WSX_TUNNEL_SOCKS5_MAX];
	size_t msg_len, msg_want;
	/* SOCKS5: what to send once the method is chosen */
	unsigned char auth[3 + 255 + 255];
	size_t auth_len;
	unsigned char req[4 + 1 + 255 + 2];
	size_t req_len;
	struct wsx_err err; /* once FAILED */
};

/*
 * Check the options and queue the first bytes: the CONNECT request, or the
 * SOCKS5 greeting. The strings are only read during the call. -1 with err
 * (WSX_EXIT_USAGE) when the options cannot be sent; t needs
 * wsx_tunnel_release() either way.
 */
int wsx_tunnel_start(struct wsx_tunnel *t, const struct wsx_tunnel_opts *o,
		     struct wsx_err *err);

/* Bytes to send to the proxy (NULL, *len 0 when none), then consume what
 * the socket took; the pointer is good until the next call on t. */
const unsigned char *wsx_tunnel_output(const struct wsx_tunnel *t, size_t *len);
void wsx_tunnel_consume(struct wsx_tunnel *t, size_t n);

/*
 * Bytes from the proxy. Returns an enum wsx_tunnel_status. MORE: all of
 * data was taken (*used == len) and more is awaited, perhaps after sending
 * the output; OPEN: see above; FAILED: err (may be NULL) says why, and
 * *used means nothing (the connection is done for).
 */
int wsx_tunnel_feed(struct wsx_tunnel *t, const unsigned char *data, size_t len,
		    size_t *used, struct wsx_err *err);

/* The proxy closed the connection: FAILED with words saying when, unless
 * the tunnel was already OPEN (then OPEN: the stream's EOF, not ours). */
int wsx_tunnel_eof(struct wsx_tunnel *t, struct wsx_err *err);

bool wsx_tunnel_is_open(const struct wsx_tunnel *t);

void wsx_tunnel_release(struct wsx_tunnel *t);

#endif
