#include "config.h"
/* proto/tunnel: canned exchanges with HTTP CONNECT and SOCKS5 proxies, each
 * fed whole, one byte at a time, in chunks of 2, 3 and 7, and split in two
 * at every offset of the last answer: the exact bytes sent, the bytes left
 * to the stream, the exact words of every failure; hostile answers
 * (truncated, over-long, garbage, a 2xx head with stream bytes behind it);
 * options that could inject bytes, refused. Every chunk is fed from a
 * buffer of exactly its size, so valgrind sees any read past it. */

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tunnel.h"
#include "tap.h"
#include "util/base64.h"
#include "ws-test.h"

#define MAX_STEPS 4

/* Bytes of one message. */
struct seq {
	const unsigned char *p;
	size_t n;
};

/* One exchange: before each reply, what wsx must have sent. */
struct xchg {
	const char *name;
	struct wsx_tunnel_opts o;
	struct seq sent[MAX_STEPS], reply[MAX_STEPS];
	size_t steps;
	int result;	   /* WSX_TUNNEL_OPEN or _FAILED */
	size_t stream;	   /* OPEN: bytes at the end of the last reply that
			      belong to the stream */
	bool eof;	   /* after the last reply (all MORE), the proxy
			      closes: FAILED */
	const char *error; /* FAILED: the exact words */
};

static char why[1024];

static bool fail(const char *fmt, ...) TAP_PRINTF(1, 2);

static bool
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

/* Feed p[0..n) as its own allocation, so an over-read is seen. */
static int
feed(struct wsx_tunnel *t, const unsigned char *p, size_t n, size_t *used,
     struct wsx_err *err)
{
	unsigned char *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, p, n);
	rc = wsx_tunnel_feed(t, copy, n, used, err);
	free(copy);
	return rc;
}

static bool
check_sent(struct wsx_tunnel *t, const struct seq *want, size_t step)
{
	size_t len;
	const unsigned char *out = wsx_tunnel_output(t, &len);

	if (len != want->n || (len && memcmp(out, want->p, len))) {
		is_mem(out, len, want->p, want->n, "step %zu: bytes sent",
		       step);
		return fail("step %zu: wrong bytes sent", step);
	}
	wsx_tunnel_consume(t, len);
	return true;
}

/*
 * Play x: chunk 0 feeds each reply whole, else in pieces of chunk bytes;
 * split > 0 feeds the last reply in two pieces cut there instead.
 */
static bool
play(const struct xchg *x, size_t chunk, size_t split)
{
	struct wsx_tunnel t;
	struct wsx_err err = { 0, "" }, err2 = { 0, "" };
	size_t used = 0, total = 0, len;
	int rc = WSX_TUNNEL_MORE;
	bool good = false;

	if (wsx_tunnel_start(&t, &x->o, &err)) {
		fail("start failed: %s", err.msg);
		goto out;
	}
	for (size_t s = 0; s < x->steps; s++) {
		const struct seq *r = &x->reply[s];
		bool last = s + 1 == x->steps;
		size_t off = 0;

		if (!check_sent(&t, &x->sent[s], s))
			goto out;
		rc = WSX_TUNNEL_MORE;
		while (off < r->n && rc == WSX_TUNNEL_MORE) {
			size_t n = r->n - off;

			if (last && split)
				n = off ? r->n - split : split;
			else if (chunk && n > chunk)
				n = chunk;
			rc = feed(&t, r->p + off, n, &used, &err);
			if (rc == WSX_TUNNEL_MORE && used != n) {
				fail("step %zu: MORE took %zu of %zu bytes", s,
				     used, n);
				goto out;
			}
			total = off + used;
			off += n;
		}
		if (!last && rc != WSX_TUNNEL_MORE) {
			fail("step %zu: %d before the last answer (%s)", s, rc,
			     rc == WSX_TUNNEL_FAILED ? err.msg : "open");
			goto out;
		}
	}
	if (x->eof) {
		if (rc != WSX_TUNNEL_MORE) {
			fail("ended with %d before the EOF (%s)", rc,
			     rc == WSX_TUNNEL_FAILED ? err.msg : "open");
			goto out;
		}
		rc = wsx_tunnel_eof(&t, &err);
	}
	if (rc != x->result) {
		fail("ended with %d, not %d (%s)", rc, x->result,
		     rc == WSX_TUNNEL_FAILED ? err.msg : "");
		goto out;
	}
	if (rc == WSX_TUNNEL_OPEN) {
		const struct seq *r = &x->reply[x->steps - 1];

		if (total != r->n - x->stream) {
			fail("the proxy's bytes: %zu of %zu, not %zu", total,
			     r->n, r->n - x->stream);
			goto out;
		}
		if (wsx_tunnel_output(&t, &len), len) {
			fail("OPEN with %zu bytes still to send", len);
			goto out;
		}
		if (!wsx_tunnel_is_open(&t) ||
		    feed(&t, r->p, r->n, &used, &err) != WSX_TUNNEL_OPEN ||
		    used || wsx_tunnel_eof(&t, &err) != WSX_TUNNEL_OPEN) {
			fail("after OPEN, feed and eof do not say OPEN");
			goto out;
		}
	} else {
		if (strcmp(err.msg, x->error) || err.code != WSX_EXIT_CONNECT) {
			fail("error %d '%s', not 3 '%s'", err.code, err.msg,
			     x->error);
			goto out;
		}
		if (feed(&t, (const unsigned char *)"x", 1, &used, &err2) !=
			    WSX_TUNNEL_FAILED ||
		    strcmp(err2.msg, x->error) ||
		    wsx_tunnel_eof(&t, &err2) != WSX_TUNNEL_FAILED ||
		    strcmp(err2.msg, x->error) || wsx_tunnel_is_open(&t)) {
			fail("after FAILED, feed and eof do not repeat it");
			goto out;
		}
	}
	good = true;
out:
	wsx_tunnel_release(&t);
	return good;
}

/* Every way of feeding x, one check each. */
static void
play_all(const struct xchg *x)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 7 };
	const struct seq *last = &x->reply[x->steps - 1];
	size_t k;

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		if (!ok(play(x, chunks[i], 0), "%s (%s%.0zu)", x->name,
			chunks[i] ? "chunks of " : "whole", chunks[i]))
			diag("%s", why);
		if (chunks[i] && chunks[i] >= last->n)
			break; /* larger chunks would be the same as whole */
	}
	for (k = 1; k < last->n; k++)
		if (!play(x, 0, k))
			break;
	if (!ok(k >= last->n, "%s (every split of the last answer in two)",
		x->name))
		diag("split at %zu: %s", k, why);
}

/* --- the tables ----------------------------------------------------------- */

/* A row: HTTP rows are text, SOCKS5 rows hex and 'quoted text'
 * (ws-test.h's wt_bytes). */
struct row {
	const char *name;
	struct wsx_tunnel_opts o;
	const char *sent[MAX_STEPS], *reply[MAX_STEPS];
	int result;
	size_t stream;
	bool eof;
	const char *error;
};

#define OPEN   WSX_TUNNEL_OPEN
#define FAILED WSX_TUNNEL_FAILED
/* the end of a row: OPEN with n bytes of the stream behind the answer,
 * FAILED in these words, or the proxy closing then FAILED in these words */
#define OPENS(n)     .result = OPEN, .stream = (n)
#define FAILS(w)     .result = FAILED, .error = (w)
#define EOF_FAILS(w) .result = FAILED, .eof = true, .error = (w)

/* the options, inside braces in a row */
#define HTTP_TO(h, p) .kind = WSX_TUNNEL_HTTP, .host = (h), .port = (p)
#define HTTP	      HTTP_TO("example.com", 443)
#define USER(u, pw)   .user = (u), .password = (pw)
#define ALADDIN	      USER("Aladdin", "open sesame") /* RFC 7617's example */
#define REQ	      "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
#define REQ_AUTH                                                               \
	REQ "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
#define NOT_HTTP                                                               \
	"not an HTTP proxy: its answer to CONNECT example.com:443 does not start with HTTP/"

static const struct row http_rows[] = {
	{ "HTTP: 200 opens the tunnel",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 Connection established\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: HTTP/1.0 200 with header fields opens it",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.0 200 OK\r\nProxy-Agent: test/1\r\nVia: 1.1 p\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: any 2xx opens it; an empty reason is fine",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 204\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: bytes behind the 2xx head in the same feed are the stream's",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01\x02\x05hello\r\n\r\n" },
	  OPENS(14) },
	{ "HTTP: a 2xx's Content-Length is ignored (RFC 9110 9.3.6)",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/" },
	  OPENS(5) },
	{ "HTTP: interim 1xx heads are skipped",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\n"
	    "HTTP/1.1 200 OK\r\n\r\nGET" },
	  OPENS(3) },
	{ "HTTP: Basic credentials (RFC 7617's example)",
	  { HTTP, ALADDIN },
	  { REQ_AUTH },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: a user without a password",
	  { HTTP, USER("user", NULL) },
	  { REQ "Proxy-Authorization: Basic dXNlcjo=\r\n\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: empty credentials are none",
	  { HTTP, USER("", "") },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: an IPv6 target goes in brackets",
	  { HTTP_TO("2001:db8::1", 8080) },
	  { "CONNECT [2001:db8::1]:8080 HTTP/1.1\r\nHost: [2001:db8::1]:8080\r\n\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: an IPv6 target given in brackets",
	  { HTTP_TO("[::1]", 80) },
	  { "CONNECT [::1]:80 HTTP/1.1\r\nHost: [::1]:80\r\n\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: an IPv4 target",
	  { HTTP_TO("127.0.0.1", 9001) },
	  { "CONNECT 127.0.0.1:9001 HTTP/1.1\r\nHost: 127.0.0.1:9001\r\n\r\n" },
	  { "HTTP/1.1 200 OK\r\n\r\n" },
	  OPENS(0) },
	{ "HTTP: 407 without credentials says how to give them",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n\r\n" },
	  FAILS("the proxy wants credentials (407): give them in the proxy URL, http://user:pass@host:port") },
	{ "HTTP: 407 with credentials: refused",
	  { HTTP, ALADDIN },
	  { REQ_AUTH },
	  { "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Negotiate, Basic realm=\"p\", charset=\"UTF-8\"\r\n\r\n" },
	  FAILS("the proxy refused the credentials (407)") },
	{ "HTTP: 407 with no Proxy-Authenticate: credentials worth a try",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n" },
	  FAILS("the proxy wants credentials (407): give them in the proxy URL, http://user:pass@host:port") },
	{ "HTTP: 407 asking only for schemes wsx does not speak",
	  { HTTP, ALADDIN },
	  { REQ_AUTH },
	  { "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: NTLM\r\nProxy-Authenticate: Digest realm=\"a\", nonce=\"b, c\"\r\n\r\n" },
	  FAILS("the proxy wants NTLM authentication (407), and wsx speaks only Basic") },
	{ "HTTP: 403 in words",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nForbidden" },
	  FAILS("the proxy answered 403 Forbidden to CONNECT example.com:443") },
	{ "HTTP: 502 to an IPv6 target",
	  { HTTP_TO("::1", 443) },
	  { "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n" },
	  { "HTTP/1.1 502 Bad Gateway\r\n\r\n" },
	  FAILS("the proxy answered 502 Bad Gateway to CONNECT [::1]:443") },
	{ "HTTP: a status without a reason",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 503\r\n\r\n" },
	  FAILS("the proxy answered 503 to CONNECT example.com:443") },
	{ "HTTP: 101 is not a way to open a tunnel",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 101 Switching Protocols\r\n\r\n" },
	  FAILS("the proxy answered 101 Switching Protocols to CONNECT example.com:443") },
	{ "HTTP: 3xx fails too",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\n\r\n" },
	  FAILS("the proxy answered 302 Found to CONNECT example.com:443") },
	{ "HTTP: control bytes in the reason are masked",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 403 No\x1b[2J\x7f\xc3\xa9\r\n\r\n" },
	  FAILS("the proxy answered 403 No?[2J??? to CONNECT example.com:443") },
	{ "HTTP: a long reason is cut",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 403 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" },
	  FAILS("the proxy answered 403 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... to CONNECT example.com:443") },
	{ "HTTP: an SSH server is not an HTTP proxy",
	  { HTTP },
	  { REQ "\r\n" },
	  { "SSH-2.0-OpenSSH_9.2\r\n" },
	  FAILS(NOT_HTTP) },
	{ "HTTP: a SOCKS5 answer is not HTTP",
	  { HTTP },
	  { REQ "\r\n" },
	  { "\x05\xff" },
	  FAILS(NOT_HTTP) },
	{ "HTTP: HTTP/2 is not HTTP/1.x",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/2 200\r\n\r\n" },
	  FAILS("the proxy's answer to CONNECT example.com:443 is not valid HTTP: not an HTTP/1.x response") },
	{ "HTTP: a bare LF in the head",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\nX: y\n\r\n\r\n" },
	  FAILS("the proxy's answer to CONNECT example.com:443 is not valid HTTP: a line does not end in CRLF") },
	{ "HTTP: a header line that is not a field",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n" },
	  FAILS("the proxy's answer to CONNECT example.com:443 is not valid HTTP: a header field name is not a token") },
	{ "HTTP: a status that is not three digits",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 20 OK\r\n\r\n" },
	  FAILS("the proxy's answer to CONNECT example.com:443 is not valid HTTP: the status line is not 'HTTP/1.1 CODE REASON'") },
	{ "HTTP: a closed connection before the answer",
	  { HTTP },
	  { REQ "\r\n" },
	  { "" },
	  EOF_FAILS(
		  "the proxy closed the connection before answering CONNECT example.com:443") },
	{ "HTTP: a closed connection in the middle of the head",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 200 OK\r\n" },
	  EOF_FAILS(
		  "the proxy closed the connection before answering CONNECT example.com:443") },
	{ "HTTP: a closed connection after a 1xx head",
	  { HTTP },
	  { REQ "\r\n" },
	  { "HTTP/1.1 100 Continue\r\n\r\n" },
	  EOF_FAILS(
		  "the proxy closed the connection before answering CONNECT example.com:443") },
};

#define S5(h, p)   .kind = WSX_TUNNEL_SOCKS5, .host = (h), .port = (p)
#define S5H(h, p)  .kind = WSX_TUNNEL_SOCKS5H, .host = (h), .port = (p)
#define S5H_EX	   S5H("example.com", 443)
#define GREET	   "05 01 00"
#define GREET_AUTH "05 02 00 02"
#define REQ_EX	   "05 01 00 03 0b 'example.com' 01bb"
#define AUTH_ALICE "01 05 'alice' 06 'secret'"
#define REPLY_V4   "05 00 00 01 7f000001 c350"
#define NOT_S5	   "not a SOCKS5 proxy: its answer starts with 0x48, not 0x05"
#define S5_FAIL(code, words)                                                   \
	{ GREET, REQ_EX }, { "05 00", "05 " code " 00 01 00000000 0000" },     \
		FAILS(words)

static const struct row s5_rows[] = {
	{ "SOCKS5h: a name goes as a domain (ATYP 3), reply with an IPv4 BND",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: reply with an IPv6 BND.ADDR",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 04 20010db8000000000000000000000001 01bb" },
	  OPENS(0) },
	{ "SOCKS5h: reply with a domain BND.ADDR",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 03 0d 'proxy.example' 1f90" },
	  OPENS(0) },
	{ "SOCKS5h: reply with an empty domain BND.ADDR",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 03 00 0000" },
	  OPENS(0) },
	{ "SOCKS5h: bytes behind the reply in the same feed are the stream's",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", REPLY_V4 "16 03 01 'hello'" },
	  OPENS(8) },
	{ "SOCKS5h: stream bytes behind a domain BND.ADDR",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 03 01 'p' 0050 'GET / HTTP/1.1'" },
	  OPENS(14) },
	{ "SOCKS5h: an IPv4 literal goes as an address (ATYP 1)",
	  { S5H("192.0.2.7", 80) },
	  { GREET, "05 01 00 01 c0000207 0050" },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: an IPv6 literal goes as an address (ATYP 4)",
	  { S5H("[2001:db8::2]", 65535) },
	  { GREET, "05 01 00 04 20010db8000000000000000000000002 ffff" },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5: the caller's IPv4 address (ATYP 1), not the name",
	  { S5("example.com", 443), .address = "93.184.216.34" },
	  { GREET, "05 01 00 01 5db8d822 01bb" },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5: the caller's IPv6 address (ATYP 4)",
	  { S5("example.com", 8443), .address = "2606:2800:220:1::" },
	  { GREET, "05 01 00 04 26062800022000010000000000000000 20fb" },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5: a literal host needs no address",
	  { S5("127.0.0.1", 1) },
	  { GREET, "05 01 00 01 7f000001 0001" },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: user and password (RFC 1929)",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH, AUTH_ALICE, REQ_EX },
	  { "05 02", "01 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: a ':' in a SOCKS5 user name is fine",
	  { S5H_EX, USER("a:b", "c") },
	  { GREET_AUTH, "01 03 'a:b' 01 'c'", REQ_EX },
	  { "05 02", "01 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: a user without a password sends an empty one",
	  { S5H_EX, USER("alice", NULL) },
	  { GREET_AUTH, "01 05 'alice' 00", REQ_EX },
	  { "05 02", "01 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: credentials given, the proxy wants none: none sent",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH, REQ_EX },
	  { "05 00", REPLY_V4 },
	  OPENS(0) },
	{ "SOCKS5h: the user name or password refused",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH, AUTH_ALICE },
	  { "05 02", "01 01" },
	  FAILS("the SOCKS5 proxy refused the user name or password") },
	{ "SOCKS5h: an answer to the password that is not RFC 1929",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH, AUTH_ALICE },
	  { "05 02", "05 00" },
	  FAILS("the SOCKS5 proxy's answer to the user name and password is malformed: version 0x05, not 0x01") },
	{ "SOCKS5h: method 0xFF without credentials",
	  { S5H_EX },
	  { GREET },
	  { "05 ff" },
	  FAILS("the SOCKS5 proxy accepts none of our authentication methods (it may want a user name and password: give them in the proxy URL, socks5://user:pass@host:port)") },
	{ "SOCKS5h: method 0xFF with credentials",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH },
	  { "05 ff" },
	  FAILS("the SOCKS5 proxy accepts none of our authentication methods") },
	{ "SOCKS5h: user and password chosen though not offered",
	  { S5H_EX },
	  { GREET },
	  { "05 02" },
	  FAILS("the SOCKS5 proxy chose an authentication method we did not offer (0x02)") },
	{ "SOCKS5h: GSSAPI chosen though not offered",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH },
	  { "05 01" },
	  FAILS("the SOCKS5 proxy chose an authentication method we did not offer (0x01)") },
	{ "SOCKS5h: reply 1",
	  { S5H_EX },
	  S5_FAIL("01",
		  "the SOCKS5 proxy failed: general SOCKS server failure (1)") },
	{ "SOCKS5h: reply 2",
	  { S5H_EX },
	  S5_FAIL("02",
		  "the SOCKS5 proxy refused the connection: connection not allowed by ruleset (2)") },
	{ "SOCKS5h: reply 3",
	  { S5H_EX },
	  S5_FAIL("03",
		  "the SOCKS5 proxy could not reach the host: network unreachable (3)") },
	{ "SOCKS5h: reply 4",
	  { S5H_EX },
	  S5_FAIL("04",
		  "the SOCKS5 proxy could not reach the host: host unreachable (4)") },
	{ "SOCKS5h: reply 5",
	  { S5H_EX },
	  S5_FAIL("05",
		  "the SOCKS5 proxy could not reach the host: connection refused (5)") },
	{ "SOCKS5h: reply 6",
	  { S5H_EX },
	  S5_FAIL("06",
		  "the SOCKS5 proxy could not reach the host: TTL expired (6)") },
	{ "SOCKS5h: reply 7",
	  { S5H_EX },
	  S5_FAIL("07",
		  "the SOCKS5 proxy refused CONNECT: command not supported (7)") },
	{ "SOCKS5h: reply 8",
	  { S5H_EX },
	  S5_FAIL("08",
		  "the SOCKS5 proxy refused the target's address: address type not supported (8)") },
	{ "SOCKS5h: reply 9 (unassigned)",
	  { S5H_EX },
	  S5_FAIL("09",
		  "the SOCKS5 proxy failed with the unassigned reply code 9") },
	{ "SOCKS5h: reply 255 (unassigned)",
	  { S5H_EX },
	  S5_FAIL("ff",
		  "the SOCKS5 proxy failed with the unassigned reply code 255") },
	{ "SOCKS5h: a refusal fails on its second byte",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 05" },
	  FAILS("the SOCKS5 proxy could not reach the host: connection refused (5)") },
	{ "SOCKS5h: an HTTP proxy is not a SOCKS5 proxy",
	  { S5H_EX },
	  { GREET },
	  { "'HTTP/1.1 400 Bad Request' 0d0a 0d0a" },
	  FAILS(NOT_S5) },
	{ "SOCKS5h: a SOCKS4 answer is not SOCKS5",
	  { S5H_EX },
	  { GREET },
	  { "00 5a" },
	  FAILS("not a SOCKS5 proxy: its answer starts with 0x00, not 0x05") },
	{ "SOCKS5h: a reply to CONNECT in another version",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "04 00 00 01 7f000001 c350" },
	  FAILS("not a SOCKS5 proxy: its reply to CONNECT starts with 0x04, not 0x05") },
	{ "SOCKS5h: a reply with its reserved byte set",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 01 01 7f000001 c350" },
	  FAILS("the SOCKS5 proxy's reply is malformed: reserved byte 0x01") },
	{ "SOCKS5h: a reply with an unknown address type",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 02 7f000001 c350" },
	  FAILS("the SOCKS5 proxy's reply is malformed: address type 0x02") },
	{ "SOCKS5h: closed before the method",
	  { S5H_EX },
	  { GREET },
	  { "05" },
	  EOF_FAILS(
		  "the SOCKS5 proxy closed the connection before choosing an authentication method") },
	{ "SOCKS5h: closed before the verdict on the password",
	  { S5H_EX, USER("alice", "secret") },
	  { GREET_AUTH, AUTH_ALICE },
	  { "05 02", "01" },
	  EOF_FAILS(
		  "the SOCKS5 proxy closed the connection before answering the user name and password") },
	{ "SOCKS5h: a reply cut short in its BND.PORT",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 01 7f000001 c3" },
	  EOF_FAILS(
		  "the SOCKS5 proxy closed the connection before answering CONNECT example.com:443") },
	{ "SOCKS5h: a reply cut short in its domain",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 03 0d 'proxy.exam'" },
	  EOF_FAILS(
		  "the SOCKS5 proxy closed the connection before answering CONNECT example.com:443") },
	{ "SOCKS5h: a reply cut short in its IPv6 address",
	  { S5H_EX },
	  { GREET, REQ_EX },
	  { "05 00", "05 00 00 04 20010db8" },
	  EOF_FAILS(
		  "the SOCKS5 proxy closed the connection before answering CONNECT example.com:443") },
};

static struct seq
seq_of(const char *s, bool hex)
{
	unsigned char *p;
	size_t n;

	if (!s)
		return (struct seq){ NULL, 0 };
	if (!hex) {
		n = strlen(s);
		p = malloc(n ? n : 1);
		memcpy(p, s, n);
	} else {
		/* the bytes are never more than their notation */
		p = malloc(strlen(s) + 1);
		n = wt_bytes(p, strlen(s), s);
	}
	return (struct seq){ p, n };
}

static void
play_rows(const struct row *rows, size_t n, bool hex)
{
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct xchg x = { .name = r->name,
				  .o = r->o,
				  .result = r->result,
				  .stream = r->stream,
				  .eof = r->eof,
				  .error = r->error };

		for (; x.steps < MAX_STEPS && r->reply[x.steps]; x.steps++) {
			x.sent[x.steps] = seq_of(r->sent[x.steps], hex);
			x.reply[x.steps] = seq_of(r->reply[x.steps], hex);
		}
		play_all(&x);
		for (size_t s = 0; s < x.steps; s++) {
			free((void *)x.sent[s].p);
			free((void *)x.reply[s].p);
		}
	}
}

/* --- generated exchanges -------------------------------------------------- */

static struct seq
seq_str(const char *s)
{
	return (struct seq){ (const unsigned char *)s, strlen(s) };
}

/* An answer of exactly len bytes: a status line, X: fields padded to fit,
 * the blank line, and then stream bytes. */
static char *
http_long(const char *status, size_t len, const char *stream)
{
	size_t sl = strlen(status), tl = strlen(stream);
	char *s = malloc(len + tl + 1), *p = s;
	size_t left;

	memcpy(p, status, sl);
	p += sl;
	left = len - sl - 2;
	while (left) {
		/* "X: " value "\r\n": at least 6 bytes a field */
		size_t f = left > 1000 ? 1000 : left, v;

		if (left - f && left - f < 6)
			f = left - 6;
		v = f - 5;
		memcpy(p, "X: ", 3);
		memset(p + 3, 'v', v);
		memcpy(p + 3 + v, "\r\n", 2);
		p += f;
		left -= f;
	}
	memcpy(p, "\r\n", 2);
	memcpy(p + 2, stream, tl + 1);
	return s;
}

static void
test_http_limits(void)
{
	struct xchg x = { 0 };
	char *big, *many;
	size_t n;

	x.o = (struct wsx_tunnel_opts){ HTTP };
	x.sent[0] = seq_str(REQ "\r\n");
	x.steps = 1;

	big = http_long("HTTP/1.1 200 OK\r\n", WS_HTTP_MAX_HEAD, "stream");
	x.name = "HTTP: a head of exactly 8192 bytes is taken";
	x.reply[0] = seq_str(big);
	x.result = OPEN;
	x.stream = 6;
	is_size(strlen(big), WS_HTTP_MAX_HEAD + 6, "the 8192-byte head is");
	play_all(&x);
	free(big);

	big = http_long("HTTP/1.1 200 OK\r\n", WS_HTTP_MAX_HEAD + 1, "");
	x.name = "HTTP: a head of 8193 bytes fails";
	x.reply[0] = seq_str(big);
	x.result = FAILED;
	x.stream = 0;
	x.error =
		"the proxy's answer to CONNECT example.com:443 has a head over 8192 bytes";
	play_all(&x);
	free(big);

	big = http_long("HTTP/1.1 100 Continue\r\n", WS_HTTP_MAX_HEAD,
			"HTTP/1.1 200 OK\r\n\r\nafter");
	x.name = "HTTP: a 1xx head of 8192 bytes, then the 200";
	x.reply[0] = seq_str(big);
	x.result = OPEN;
	x.stream = 5;
	play_all(&x);
	free(big);

	/* endless garbage that starts like HTTP */
	big = malloc(20000);
	memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
	memset(big + 17, 'a', 20000 - 17);
	x.name = "HTTP: an endless head with no blank line fails at 8192 bytes";
	x.reply[0] = (struct seq){ (unsigned char *)big, 20000 };
	x.result = FAILED;
	x.stream = 0;
	x.error =
		"the proxy's answer to CONNECT example.com:443 has a head over 8192 bytes";
	play_all(&x);
	free(big);

	/* interim heads: 8 are skipped, the 9th fails */
	many = malloc(16 * 32 + 64);
	n = 0;
	for (int i = 0; i < WSX_TUNNEL_MAX_INTERIM; i++)
		n += (size_t)sprintf(many + n, "HTTP/1.1 100 Continue\r\n\r\n");
	strcpy(many + n, "HTTP/1.1 200 OK\r\n\r\n");
	x.name = "HTTP: 8 interim heads, then 200";
	x.reply[0] = seq_str(many);
	x.result = OPEN;
	x.stream = 0;
	play_all(&x);
	strcpy(many + n,
	       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
	x.name = "HTTP: 9 interim heads fail";
	x.reply[0] = seq_str(many);
	x.result = FAILED;
	x.error =
		"the proxy sent over 8 interim answers to CONNECT example.com:443";
	play_all(&x);
	free(many);

	x.name = "HTTP: a NUL in the head";
	x.reply[0] = (struct seq){
		(const unsigned char *)"HTTP/1.1 200 OK\r\nX: \0\r\n\r\n", 25
	};
	x.error =
		"the proxy's answer to CONNECT example.com:443 is not valid HTTP: the response holds a NUL byte";
	play_all(&x);
}

/* The longest fields: 255 bytes of host, user and password. */
static void
test_long_fields(void)
{
	char host[256], user[256], pass[256], *req, *b64;
	unsigned char *s5auth, *s5req;
	struct xchg x = { 0 };
	size_t n;

	memset(host, 'h', 255);
	memcpy(host + 251, ".com", 5);
	memset(user, 'u', 255);
	user[255] = '\0';
	memset(pass, 'p', 255);
	pass[255] = '\0';

	/* HTTP: the Basic credentials are base64 of 511 bytes */
	b64 = malloc(1024);
	{
		char cred[512];

		memcpy(cred, user, 255);
		cred[255] = ':';
		memcpy(cred + 256, pass, 255);
		b64[wsx_base64_encode(b64, cred, 511)] = '\0';
	}
	req = malloc(4096);
	snprintf(req, 4096,
		 "CONNECT %s:65535 HTTP/1.1\r\nHost: %s:65535\r\n"
		 "Proxy-Authorization: Basic %s\r\n\r\n",
		 host, host, b64);
	x.name = "HTTP: 255-byte host, user and password";
	x.o = (struct wsx_tunnel_opts){
		WSX_TUNNEL_HTTP, host, 65535, user, pass, NULL
	};
	x.sent[0] = seq_str(req);
	x.reply[0] = seq_str("HTTP/1.1 200 OK\r\n\r\n");
	x.steps = 1;
	x.result = OPEN;
	play_all(&x);
	free(req);
	free(b64);

	s5auth = malloc(3 + 255 + 255);
	s5auth[0] = 1;
	s5auth[1] = 255;
	memcpy(s5auth + 2, user, 255);
	s5auth[257] = 255;
	memcpy(s5auth + 258, pass, 255);
	s5req = malloc(4 + 1 + 255 + 2);
	memcpy(s5req, "\x05\x01\x00\x03\xff", 5);
	memcpy(s5req + 5, host, 255);
	s5req[260] = 0x00;
	s5req[261] = 0x50;
	x.name = "SOCKS5h: 255-byte host, user and password";
	x.o = (struct wsx_tunnel_opts){
		WSX_TUNNEL_SOCKS5H, host, 80, user, pass, NULL
	};
	x.sent[0] =
		(struct seq){ (const unsigned char *)"\x05\x02\x00\x02", 4 };
	x.reply[0] = (struct seq){ (const unsigned char *)"\x05\x02", 2 };
	x.sent[1] = (struct seq){ s5auth, 3 + 255 + 255 };
	x.reply[1] = (struct seq){ (const unsigned char *)"\x01\x00", 2 };
	x.sent[2] = (struct seq){ s5req, 262 };
	/* the reply's BND.ADDR a 255-byte domain too, then stream bytes */
	{
		unsigned char *r = malloc(262 + 4);

		memcpy(r, "\x05\x00\x00\x03\xff", 5);
		memcpy(r + 5, host, 255);
		memcpy(r + 260,
		       "\x01\xbb"
		       "abcd",
		       6);
		n = 266;
		x.reply[2] = (struct seq){ r, n };
	}
	x.steps = 3;
	x.stream = 4;
	play_all(&x);
	free((void *)x.reply[2].p);
	free(s5auth);
	free(s5req);
}

/* --- options refused ------------------------------------------------------ */

static const struct {
	const char *name;
	struct wsx_tunnel_opts o;
	const char *error;
} refusals[] = {
	{ "CR LF in the host",
	  { WSX_TUNNEL_HTTP, "example.com\r\nX-Evil: 1", 443, NULL, NULL,
	    NULL },
	  "the host 'example.com??X-Evil: 1' holds a byte not allowed in a host name" },
	{ "a space in the host",
	  { WSX_TUNNEL_HTTP, "a b", 443, NULL, NULL, NULL },
	  "the host 'a b' holds a byte not allowed in a host name" },
	{ "a slash in the host",
	  { WSX_TUNNEL_SOCKS5H, "a/b", 443, NULL, NULL, NULL },
	  "the host 'a/b' holds a byte not allowed in a host name" },
	{ "an @ in the host",
	  { WSX_TUNNEL_HTTP, "user@host", 443, NULL, NULL, NULL },
	  "the host 'user@host' holds a byte not allowed in a host name" },
	{ "a colon in a name",
	  { WSX_TUNNEL_HTTP, "host:80", 443, NULL, NULL, NULL },
	  "the host 'host:80' holds a byte not allowed in a host name" },
	{ "a non-ASCII host",
	  { WSX_TUNNEL_SOCKS5H, "b\xc3\xbcro.example", 443, NULL, NULL, NULL },
	  "the host 'b??ro.example' holds a byte not allowed in a host name" },
	{ "a name in brackets",
	  { WSX_TUNNEL_HTTP, "[example.com]", 443, NULL, NULL, NULL },
	  "the host '[example.com]' is not an IPv6 address" },
	{ "an IPv6 zone",
	  { WSX_TUNNEL_HTTP, "fe80::1%eth0", 443, NULL, NULL, NULL },
	  "the host 'fe80::1%eth0' holds a byte not allowed in a host name" },
	{ "an unclosed bracket",
	  { WSX_TUNNEL_HTTP, "[::1", 443, NULL, NULL, NULL },
	  "the host '[::1' holds a byte not allowed in a host name" },
	{ "no host",
	  { WSX_TUNNEL_HTTP, NULL, 443, NULL, NULL, NULL },
	  "no host to reach through the proxy" },
	{ "an empty host",
	  { WSX_TUNNEL_SOCKS5H, "", 443, NULL, NULL, NULL },
	  "no host to reach through the proxy" },
	{ "empty brackets",
	  { WSX_TUNNEL_HTTP, "[]", 443, NULL, NULL, NULL },
	  "no host to reach through the proxy" },
	{ "port 0",
	  { WSX_TUNNEL_HTTP, "example.com", 0, NULL, NULL, NULL },
	  "the port 0 of 'example.com' is not in 1..65535" },
	{ "port 65536",
	  { WSX_TUNNEL_SOCKS5H, "example.com", 65536, NULL, NULL, NULL },
	  "the port 65536 of 'example.com' is not in 1..65535" },
	{ "CR LF in the user name",
	  { WSX_TUNNEL_HTTP, "example.com", 443, "a\r\nb", "pw", NULL },
	  "the proxy user name holds a control character" },
	{ "a tab in the password",
	  { WSX_TUNNEL_SOCKS5H, "example.com", 443, "a", "p\tw", NULL },
	  "the proxy password holds a control character" },
	{ "DEL in the password",
	  { WSX_TUNNEL_HTTP, "example.com", 443, "a", "p\x7f", NULL },
	  "the proxy password holds a control character" },
	{ "a ':' in an HTTP user name",
	  { WSX_TUNNEL_HTTP, "example.com", 443, "a:b", "c", NULL },
	  "the proxy user name holds ':', which HTTP Basic authentication cannot carry" },
	{ "a password without a user",
	  { WSX_TUNNEL_SOCKS5H, "example.com", 443, NULL, "pw", NULL },
	  "a proxy password needs a user name" },
	{ "socks5:// with a name and no address",
	  { WSX_TUNNEL_SOCKS5, "example.com", 443, NULL, NULL, NULL },
	  "socks5:// needs the address of 'example.com' (socks5h:// lets the proxy resolve it)" },
	{ "socks5:// with an address that is a name",
	  { WSX_TUNNEL_SOCKS5, "example.com", 443, NULL, NULL, "example.org" },
	  "the address 'example.org' is not an IP address" },
	{ "socks5:// with an address holding CR LF",
	  { WSX_TUNNEL_SOCKS5, "example.com", 443, NULL, NULL, "1.2.3.4\r\n" },
	  "the address '1.2.3.4?"
	  "?' is not an IP address" },
	{ "an unknown kind",
	  { (enum wsx_tunnel_kind)7, "example.com", 443, NULL, NULL, NULL },
	  "unknown proxy kind 7" },
};

static void
test_refusals(void)
{
	char long_host[300], long_cred[300];
	struct wsx_tunnel_opts o;

	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		struct wsx_tunnel t;
		struct wsx_err err = { 0, "" };
		size_t len;
		bool good;

		good = wsx_tunnel_start(&t, &refusals[i].o, &err) == -1 &&
		       err.code == WSX_EXIT_USAGE &&
		       !strcmp(err.msg, refusals[i].error) &&
		       (wsx_tunnel_output(&t, &len), len == 0);
		if (!ok(good, "refused: %s", refusals[i].name))
			diag("error %d '%s', not 2 '%s'; output %zu bytes",
			     err.code, err.msg, refusals[i].error, len);
		wsx_tunnel_release(&t);
	}

	memset(long_host, 'a', 256);
	long_host[256] = '\0';
	memset(long_cred, 'c', 256);
	long_cred[256] = '\0';
	for (int kind = WSX_TUNNEL_HTTP; kind <= WSX_TUNNEL_SOCKS5H; kind++) {
		static const char *const kinds[] = { "HTTP", "SOCKS5",
						     "SOCKS5h" };
		struct wsx_tunnel t;
		struct wsx_err err = { 0, "" };

		o = (struct wsx_tunnel_opts){ kind, long_host, 443,
					      NULL, NULL,      "1.2.3.4" };
		wsx_tunnel_start(&t, &o, &err);
		is_str(err.msg,
		       "the host 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is over 255 bytes",
		       "%s: a 256-byte host is refused", kinds[kind]);
		wsx_tunnel_release(&t);
		o = (struct wsx_tunnel_opts){ kind, "example.com",
					      443,  long_cred,
					      "pw", "1.2.3.4" };
		wsx_tunnel_start(&t, &o, &err);
		is_str(err.msg, "the proxy user name is over 255 bytes",
		       "%s: a 256-byte user name is refused", kinds[kind]);
		wsx_tunnel_release(&t);
		o = (struct wsx_tunnel_opts){ kind, "example.com", 443,
					      "u",  long_cred,	   "1.2.3.4" };
		wsx_tunnel_start(&t, &o, &err);
		is_str(err.msg, "the proxy password is over 255 bytes",
		       "%s: a 256-byte password is refused", kinds[kind]);
		is_int(err.code, WSX_EXIT_USAGE, "%s: usage error",
		       kinds[kind]);
		wsx_tunnel_release(&t);
	}
}

/* --- the output and the calls around it ----------------------------------- */

static void
test_output(void)
{
	struct wsx_tunnel_opts o = {
		WSX_TUNNEL_SOCKS5H, "example.com", 443, "alice", "secret", NULL
	};
	struct wsx_tunnel t;
	struct wsx_err err = { 0, "" };
	const unsigned char *out;
	size_t len, used;

	is_int(wsx_tunnel_start(&t, &o, &err), 0,
	       "SOCKS5h with credentials starts");
	out = wsx_tunnel_output(&t, &len);
	is_mem(out, len, "\x05\x02\x00\x02", 4, "the greeting is queued");
	wsx_tunnel_consume(&t, 1);
	out = wsx_tunnel_output(&t, &len);
	is_mem(out, len, "\x02\x00\x02", 3, "a partial write leaves the rest");
	is_int(feed(&t, (const unsigned char *)"", 0, &used, &err),
	       WSX_TUNNEL_MORE, "feeding nothing is MORE");
	is_int(feed(&t, (const unsigned char *)"\x05\x02", 2, &used, &err),
	       WSX_TUNNEL_MORE, "the method comes before the greeting is out");
	out = wsx_tunnel_output(&t, &len);
	is_mem(out, len,
	       "\x02\x00\x02\x01\x05"
	       "alice\x06"
	       "secret",
	       17, "the credentials queue behind what is left");
	wsx_tunnel_consume(&t, len);
	out = wsx_tunnel_output(&t, &len);
	ok(out == NULL && len == 0, "drained: NULL, 0");
	wsx_tunnel_release(&t);
	wsx_tunnel_release(&t);
	ok(1, "release twice is harmless");

	/* err NULL is allowed */
	o = (struct wsx_tunnel_opts){
		WSX_TUNNEL_HTTP, "example.com", 443, NULL, NULL, NULL
	};
	wsx_tunnel_start(&t, &o, NULL);
	is_int(feed(&t, (const unsigned char *)"nope", 4, &used, NULL),
	       WSX_TUNNEL_FAILED, "FAILED with err NULL");
	is_int(wsx_tunnel_eof(&t, &err), WSX_TUNNEL_FAILED,
	       "and the words are kept");
	is_str(err.msg, NOT_HTTP, "the words");
	wsx_tunnel_release(&t);
}

int
main(void)
{
	play_rows(http_rows, sizeof(http_rows) / sizeof(http_rows[0]), false);
	play_rows(s5_rows, sizeof(s5_rows) / sizeof(s5_rows[0]), true);
	test_http_limits();
	test_long_fields();
	test_refusals();
	test_output();
	return done_testing();
}
