/* TLS on in-memory buffers; see tls.h. */
#include "config.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/tls.h"
#include "proto/tls_int.h"
#include "util/buf.h"
#include "util/xalloc.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define tls_peer_certificate SSL_get1_peer_certificate
#else
#define tls_peer_certificate SSL_get_peer_certificate
#endif

struct wsx_tls {
	SSL *ssl;
	struct wsx_tls_ctx *ctx;
	struct wsx_buf in;  /* ciphertext fed, not yet taken by OpenSSL */
	struct wsx_buf out; /* ciphertext OpenSSL wrote, not yet consumed */
	char *host;	    /* client: the name or address checked */
	char *error;	    /* set once failed */
	bool failed;
	bool opened; /* the handshake was seen done (a fatal error makes
			OpenSSL forget it) */
	bool eof;    /* the peer's close_notify came */
	bool closed; /* ours was queued */
};

/*
 * The BIO. OpenSSL's memory BIO would do, but its buffer keeps the size of
 * the largest burst for the session's life (BUF_MEM only grows), and taking
 * bytes off its front means copying them out with BIO_read(). This one is
 * two wsx_bufs: OpenSSL appends its records to `out`, which wsx_tls_output()
 * hands to the caller in place and wsx_tls_consume() drops by moving an
 * offset; `in` holds what was fed until OpenSSL reads it. Either buffer is
 * freed once drained, so an idle session holds none, at the cost of a
 * malloc per burst (OpenSSL's own buffers do the same under
 * SSL_MODE_RELEASE_BUFFERS).
 */
static int
tls_bio_write(BIO *b, const char *data, int len)
{
	struct wsx_tls *t = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	if (wsx_buf_append(&t->out, data, (size_t)len))
		return -1;
	return len;
}

static int
tls_bio_read(BIO *b, char *buf, int cap)
{
	struct wsx_tls *t = BIO_get_data(b);
	size_t n = cap > 0 && t->in.len > (size_t)cap ? (size_t)cap : t->in.len;

	BIO_clear_retry_flags(b);
	if (cap <= 0)
		return 0;
	if (!n) {
		/* never end of file: more may be fed */
		BIO_set_retry_read(b);
		return -1;
	}
	memcpy(buf, wsx_buf_data(&t->in), n);
	wsx_buf_consume(&t->in, n);
	if (!t->in.len)
		wsx_buf_release(&t->in);
	return (int)n;
}

static long
tls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct wsx_tls *t = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return (long)t->in.len;
	case BIO_CTRL_WPENDING:
		return (long)t->out.len;
	default:
		return 0;
	}
}

BIO_METHOD *
wsx_tls_bio_method_new(void)
{
	/*
	 * The type is only a label; BIO_get_new_index() would hand out one
	 * of a few hundred numbers per process, one per context made.
	 */
	BIO_METHOD *m = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "wsx tls");

	if (m) {
		BIO_meth_set_write(m, tls_bio_write);
		BIO_meth_set_read(m, tls_bio_read);
		BIO_meth_set_ctrl(m, tls_bio_ctrl);
	}
	return m;
}

/* Copy s into out, control characters masked: peers choose these bytes. */
static void
tls_mask(char *out, size_t cap, const char *s, size_t len)
{
	size_t i;

	if (!cap)
		return;
	for (i = 0; i < len && i < cap - 1; i++)
		out[i] =
			(unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

const char *
wsx_tls_reason(unsigned long *code)
{
	unsigned long e = ERR_peek_error();

	if (code)
		*code = e;
	if (!e)
		return NULL;
	/* a failed fopen() and the like: OpenSSL keeps errno */
	if (ERR_GET_LIB(e) == ERR_LIB_SYS)
		return strerror(ERR_GET_REASON(e));
	return ERR_reason_error_string(e);
}

bool
wsx_tls_is_reason(unsigned long e, int lib, int reason)
{
	return ERR_GET_LIB(e) == lib && ERR_GET_REASON(e) == reason;
}

/* --- failures ------------------------------------------------------------ */

static void tls_fail_with(struct wsx_tls *t, const char *fmt, ...)
	WSX_PRINTF(2, 3);

static void
tls_fail_with(struct wsx_tls *t, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->failed = true;
	free(t->error);
	t->error = xstrdup(msg);
	/* nothing more will be read */
	wsx_buf_release(&t->in);
	ERR_clear_error();
}

/* The words for a certificate that did not verify, like curl's. */
static void
tls_fail_verify(struct wsx_tls *t, long vr)
{
	const char *what = X509_verify_cert_error_string(vr);
	char host[256];

	if (t->ctx->server) {
		tls_fail_with(t, "TLS client certificate problem: %s", what);
		return;
	}
	switch (vr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		tls_mask(host, sizeof(host), t->host ? t->host : "",
			 t->host ? strlen(t->host) : 0);
		tls_fail_with(t,
			      "TLS certificate problem: %s ('%s' is not in the "
			      "certificate)",
			      what, host);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		tls_fail_with(t,
			      "TLS certificate problem: %s (--cacert FILE "
			      "trusts a CA, -k skips the check)",
			      what);
		break;
	default:
		tls_fail_with(t, "TLS certificate problem: %s", what);
	}
}

/*
 * An SSL call failed: one line from the verify result or the first error
 * OpenSSL queued (never the whole queue), then the queue is cleared.
 */
static void
tls_fail(struct wsx_tls *t)
{
	const char *peer = t->ctx->server ? "client" : "server";
	/* after a fatal error OpenSSL counts the handshake as unfinished */
	const char *stage = t->opened ? "connection" : "handshake";
	long vr = SSL_get_verify_result(t->ssl);
	unsigned long e;
	const char *why = wsx_tls_reason(&e);

	if (t->ctx->verify && vr != X509_V_OK &&
	    wsx_tls_is_reason(e, ERR_LIB_SSL, SSL_R_CERTIFICATE_VERIFY_FAILED))
		tls_fail_verify(t, vr);
	else if (wsx_tls_is_reason(e, ERR_LIB_SSL,
				   SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE))
		tls_fail_with(t, "TLS handshake with the client failed: it "
				 "sent no certificate (--cacert asks for one)");
	else if (wsx_tls_is_reason(e, ERR_LIB_SSL,
				   SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED))
		/* TLS 1.3: the client had sent its Finished; still the
		 * handshake's failure for a person */
		tls_fail_with(t, "TLS handshake with the server failed: it "
				 "wants a client certificate (--cert)");
	else if (why)
		tls_fail_with(t, "TLS %s with the %s failed: %s", stage, peer,
			      why);
	else
		tls_fail_with(t, "TLS %s with the %s failed", stage, peer);
}

/*
 * The handshake is done: a client with --pinnedpubkey checks the server's
 * key now, as curl does, whether or not the certificate was verified;
 * no plaintext has been written yet (see wsx_tls_write()).
 */
static int
tls_check_pins(struct wsx_tls *t)
{
	char got[64];

	if (t->ctx->server || !t->ctx->pins.n ||
	    wsx_tls_pins_match(&t->ctx->pins, t->ssl, got, sizeof(got)))
		return 0;
	if (!*got)
		tls_fail_with(t, "TLS: the server showed no public key to "
				 "check against --pinnedpubkey");
	else
		tls_fail_with(t,
			      "TLS: the server's public key does not match "
			      "--pinnedpubkey (it is sha256//%s)",
			      got);
	return -1;
}

/* After an SSL call returned r: r > 0 done, 0 to wait for input, -1
 * failed. */
static int
tls_check(struct wsx_tls *t, int r)
{
	if (r <= 0) {
		switch (SSL_get_error(t->ssl, r)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			break;
		case SSL_ERROR_ZERO_RETURN:
			t->eof = true;
			break;
		default:
			tls_fail(t);
			return -1;
		}
	}
	if (!t->opened && SSL_is_init_finished(t->ssl)) {
		t->opened = true;
		if (tls_check_pins(t))
			return -1;
	}
	return r > 0 ? r : 0;
}

/* --- sessions ------------------------------------------------------------ */

/* Client: SNI and the name or address the certificate must be for. */
static void
tls_set_host(struct wsx_tls *t, const char *servername)
{
	size_t len = strlen(servername);
	unsigned char addr[16];
	X509_VERIFY_PARAM *param = SSL_get0_param(t->ssl);
	bool ip;
	int ok = 1;

	if (len >= 2 && servername[0] == '[' && servername[len - 1] == ']')
		t->host = xstrndup(servername + 1, len - 2);
	else
		t->host = xstrdup(servername);
	ip = inet_pton(AF_INET, t->host, addr) == 1 ||
	     inet_pton(AF_INET6, t->host, addr) == 1;
	ERR_clear_error();
	/* no SNI for an address (RFC 6066 3) */
	if (!ip)
		ok = SSL_set_tlsext_host_name(t->ssl, t->host);
	if (ok && t->ctx->verify) {
		X509_VERIFY_PARAM_set_hostflags(
			param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, t->host)
			: SSL_set1_host(t->ssl, t->host);
	}
	if (ok != 1) {
		char host[256];

		tls_mask(host, sizeof(host), t->host, strlen(t->host));
		tls_fail_with(t, "TLS: '%s' is not a host name", host);
	}
}

struct wsx_tls *
wsx_tls_new(struct wsx_tls_ctx *ctx, const char *servername)
{
	struct wsx_tls *t = xcalloc(1, sizeof(*t));
	BIO *bio = NULL;

	ERR_clear_error();
	t->ssl = SSL_new(ctx->ssl);
	if (t->ssl)
		bio = BIO_new(ctx->bio);
	if (!bio) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return NULL;
	}
	BIO_set_data(bio, t);
	BIO_set_init(bio, 1);
	SSL_set_bio(t->ssl, bio, bio); /* one reference for both */
	wsx_buf_init(&t->in, 0, WSX_TLS_INPUT_MAX);
	wsx_buf_init(&t->out, 0, SIZE_MAX);
	t->ctx = ctx;
	atomic_fetch_add(&ctx->refs, 1);
	if (ctx->server) {
		SSL_set_accept_state(t->ssl);
		return t;
	}
	SSL_set_connect_state(t->ssl);
	if (servername && *servername)
		tls_set_host(t, servername);
	if (!t->failed) {
		/* the ClientHello, so the caller has something to send */
		ERR_clear_error();
		tls_check(t, SSL_do_handshake(t->ssl));
	}
	return t;
}

void
wsx_tls_free(struct wsx_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl); /* and the BIO */
	wsx_buf_release(&t->in);
	wsx_buf_release(&t->out);
	free(t->host);
	free(t->error);
	wsx_tls_ctx_unref(t->ctx);
	free(t);
}

int
wsx_tls_feed(struct wsx_tls *t, const void *data, size_t len)
{
	if (t->failed)
		return -1;
	/* nothing comes after close_notify: nothing would read it */
	if (t->eof)
		return 0;
	if (wsx_buf_append(&t->in, data, len)) {
		tls_fail_with(t,
			      "TLS: more than %d bytes received and not read",
			      WSX_TLS_INPUT_MAX);
		return -1;
	}
	return 0;
}

long
wsx_tls_read(struct wsx_tls *t, void *buf, size_t cap, bool *eof)
{
	int r = 0;

	if (t->failed)
		return -1;
	/* cap 0: only the handshake is driven */
	if (!t->eof && (cap || !SSL_is_init_finished(t->ssl))) {
		ERR_clear_error();
		r = cap ? SSL_read(t->ssl, buf,
				   cap > INT_MAX ? INT_MAX : (int)cap)
			: SSL_do_handshake(t->ssl);
		if (tls_check(t, r) < 0)
			return -1;
	}
	if (eof)
		*eof = t->eof;
	return r > 0 && cap ? r : 0;
}

long
wsx_tls_write(struct wsx_tls *t, const void *data, size_t len)
{
	int r;

	if (t->failed)
		return -1;
	if (t->closed) {
		tls_fail_with(t, "TLS: write after close_notify");
		return -1;
	}
	if (!len || t->out.len >= WSX_TLS_OUTPUT_BUDGET)
		return 0;
	ERR_clear_error();
	if (!t->opened) {
		/* the handshake alone first: SSL_write() could finish it and
		 * encrypt the data in one call, before the pins are checked */
		if (tls_check(t, SSL_do_handshake(t->ssl)) < 0)
			return -1;
		if (!t->opened)
			return 0;
		ERR_clear_error();
	}
	r = SSL_write(t->ssl, data, len > INT_MAX ? INT_MAX : (int)len);
	return tls_check(t, r);
}

const unsigned char *
wsx_tls_output(const struct wsx_tls *t, size_t *len)
{
	*len = t->out.len;
	return t->out.len ? wsx_buf_data(&t->out) : NULL;
}

void
wsx_tls_consume(struct wsx_tls *t, size_t n)
{
	wsx_buf_consume(&t->out, n);
	if (!t->out.len)
		wsx_buf_release(&t->out);
}

void
wsx_tls_close(struct wsx_tls *t)
{
	if (t->failed || t->closed || !SSL_is_init_finished(t->ssl))
		return;
	t->closed = true;
	ERR_clear_error();
	SSL_shutdown(t->ssl);
	ERR_clear_error();
}

bool
wsx_tls_established(const struct wsx_tls *t)
{
	return !t->failed && SSL_is_init_finished(t->ssl);
}

const char *
wsx_tls_error(const struct wsx_tls *t)
{
	return t->error;
}

/* --- description --------------------------------------------------------- */

struct tls_text {
	char *out;
	size_t cap, len;
};

static void tls_cat(struct tls_text *x, const char *fmt, ...) WSX_PRINTF(2, 3);

static void
tls_cat(struct tls_text *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->len + 1 >= x->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(x->out + x->len, x->cap - x->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->len += (size_t)n < x->cap - x->len ? (size_t)n
						      : x->cap - x->len - 1;
}

/* "label: name" for a certificate's subject or issuer, RFC 2253 order. */
static void
tls_cat_name(struct tls_text *x, const char *label, const X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, masked[256];
	long n = 0;

	if (b &&
	    X509_NAME_print_ex(b, name, 0,
			       XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &p);
	tls_mask(masked, sizeof(masked), p ? p : "", n > 0 ? (size_t)n : 0);
	tls_cat(x, "\n%s: %s", label, masked);
	BIO_free(b);
}

int
wsx_tls_describe(const struct wsx_tls *t, char *out, size_t cap)
{
	struct tls_text x = { out, cap, 0 };
	const unsigned char *alpn = NULL;
	unsigned alpn_len = 0;
	char masked[256];
	X509 *peer;
	struct tm tm;

	if (!wsx_tls_established(t))
		return -1;
	if (cap)
		out[0] = '\0';
	tls_cat(&x, "%s %s", SSL_get_version(t->ssl),
		SSL_CIPHER_get_name(SSL_get_current_cipher(t->ssl)));
	SSL_get0_alpn_selected(t->ssl, &alpn, &alpn_len);
	tls_mask(masked, sizeof(masked), (const char *)alpn, alpn_len);
	tls_cat(&x, "\nALPN: %s", alpn_len ? masked : "none");
	peer = tls_peer_certificate(t->ssl);
	if (!peer) {
		tls_cat(&x, "\npeer certificate: none");
		return (int)x.len;
	}
	tls_cat_name(&x, "subject", X509_get_subject_name(peer));
	tls_cat_name(&x, "issuer", X509_get_issuer_name(peer));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(peer), &tm) == 1)
		tls_cat(&x, "\nexpires: %04d-%02d-%02d %02d:%02d:%02d UTC",
			tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour, tm.tm_min, tm.tm_sec);
	/* established with verify on: the chain and the name were checked */
	if (!t->ctx->verify)
		tls_cat(&x, "\ncertificate not verified (--insecure)");
	else if (t->host)
		tls_cat(&x, "\ncertificate verified for %s", t->host);
	else
		tls_cat(&x, "\ncertificate verified");
	/* established with pins: they matched */
	if (!t->ctx->server && t->ctx->pins.n &&
	    wsx_tls_pins_match(&t->ctx->pins, t->ssl, masked, sizeof(masked)))
		tls_cat(&x, "\npublic key pinned: sha256//%s matches", masked);
	X509_free(peer);
	ERR_clear_error();
	return (int)x.len;
}
