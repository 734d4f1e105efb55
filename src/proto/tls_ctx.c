/*
 * TLS contexts: OpenSSL's SSL_CTX with wsx's settings, the certificates and
 * keys loaded and checked; see tls.h.
 */
#include "config.h"

#include <stdatomic.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "proto/tls.h"
#include "proto/tls_int.h"
#include "util/xalloc.h"

/* The file held nothing of the kind OpenSSL looked for. */
static bool
tls_nothing_found(unsigned long e)
{
	return wsx_tls_is_reason(e, ERR_LIB_PEM, PEM_R_NO_START_LINE) ||
	       wsx_tls_is_reason(e, ERR_LIB_X509,
				 X509_R_NO_CERTIFICATE_OR_CRL_FOUND)
#ifdef ERR_LIB_OSSL_DECODER
	       /* OpenSSL 3 found no key it could decode */
	       || wsx_tls_is_reason(e, ERR_LIB_OSSL_DECODER, ERR_R_UNSUPPORTED)
#endif
		;
}

static int
tls_no_password(char *buf, int size, int rwflag, void *u)
{
	struct wsx_tls_ctx *ctx = u;

	/* an encrypted key fails to load instead of prompting on the tty */
	(void)buf;
	(void)size;
	(void)rwflag;
	ctx->asked_password = true;
	return 0;
}

void
wsx_tls_ctx_unref(struct wsx_tls_ctx *ctx)
{
	if (atomic_fetch_sub(&ctx->refs, 1) != 1)
		return;
	SSL_CTX_free(ctx->ssl);
	BIO_meth_free(ctx->bio);
	wsx_tls_pins_release(&ctx->pins);
	free(ctx);
}

struct wsx_tls_ctx *
wsx_tls_ctx_ref(struct wsx_tls_ctx *ctx)
{
	atomic_fetch_add(&ctx->refs, 1);
	return ctx;
}

void
wsx_tls_ctx_free(struct wsx_tls_ctx *ctx)
{
	if (ctx)
		wsx_tls_ctx_unref(ctx);
}

/* "a,b" -> "\1a\1b"; -1 when a name is empty or the list too long. */
static int
tls_alpn_encode(struct wsx_tls_ctx *ctx, const char *list)
{
	const char *p = list;

	ctx->alpn_len = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (!n || n > 255 || ctx->alpn_len + 1 + n > sizeof(ctx->alpn))
			return -1;
		ctx->alpn[ctx->alpn_len++] = (unsigned char)n;
		memcpy(ctx->alpn + ctx->alpn_len, p, n);
		ctx->alpn_len += (unsigned)n;
		p += n;
		if (*p && !*++p)
			return -1; /* a trailing comma */
	}
	return ctx->alpn_len ? 0 : -1;
}

/* Server: our first protocol that the client offers, else no ALPN at all
 * (RFC 7301 would allow an alert; a WebSocket needs no ALPN). */
static int
tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		const unsigned char *in, unsigned int inlen, void *arg)
{
	struct wsx_tls_ctx *ctx = arg;
	unsigned char *sel;

	(void)ssl;
	if (SSL_select_next_proto(&sel, outlen, ctx->alpn, ctx->alpn_len, in,
				  inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static struct wsx_tls_ctx *
tls_ctx_new(bool server, const char *alpn, struct wsx_err *err)
{
	struct wsx_tls_ctx *ctx = xcalloc(1, sizeof(*ctx));
	const char *why;

	atomic_init(&ctx->refs, 1);
	ctx->server = server;
	if (alpn && tls_alpn_encode(ctx, alpn)) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "ALPN '%.100s' is not a list of protocol names",
			    alpn);
		free(ctx);
		return NULL;
	}
	ERR_clear_error();
	ctx->ssl =
		SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	ctx->bio = wsx_tls_bio_method_new();
	if (!ctx->ssl || !ctx->bio) {
		why = wsx_tls_reason(NULL);
		wsx_err_set(err, WSX_EXIT_TLS, "cannot set up TLS%s%s",
			    why ? ": " : "", why ? why : "");
		ERR_clear_error();
		wsx_tls_ctx_unref(ctx);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx->ssl, TLS1_2_VERSION);
	/* partial writes: wsx_tls_write() takes a record at a time */
	SSL_CTX_set_mode(ctx->ssl, SSL_MODE_RELEASE_BUFFERS |
					   SSL_MODE_ENABLE_PARTIAL_WRITE |
					   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/*
	 * No resumption: a server's session cache and its tickets would grow
	 * with the connections served, and no client here keeps sessions.
	 * No renegotiation: a client could make a server redo the costly
	 * part of a handshake at will.
	 */
	SSL_CTX_set_options(ctx->ssl, SSL_OP_NO_TICKET |
					      SSL_OP_NO_RENEGOTIATION |
					      SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(ctx->ssl, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx->ssl, 0);
	SSL_CTX_set_default_passwd_cb(ctx->ssl, tls_no_password);
	SSL_CTX_set_default_passwd_cb_userdata(ctx->ssl, ctx);
	wsx_tls_keylog_attach(ctx->ssl);
	return ctx;
}

/* err for a file OpenSSL would not take, with its reason. */
static struct wsx_tls_ctx *
tls_ctx_fail(struct wsx_tls_ctx *ctx, struct wsx_err *err, const char *opt,
	     const char *file, const char *what)
{
	unsigned long e;
	const char *why = wsx_tls_reason(&e);

	if (ctx->asked_password)
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "cannot load %s '%.200s': it is encrypted, and "
			    "wsx does not ask for passphrases",
			    opt, file);
	else if (tls_nothing_found(e))
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "cannot load %s '%.200s': no PEM %s in it", opt,
			    file, what);
	else
		wsx_err_set(err, WSX_EXIT_USAGE, "cannot load %s '%.200s'%s%s",
			    opt, file, why ? ": " : "", why ? why : "");
	ERR_clear_error();
	wsx_tls_ctx_unref(ctx);
	return NULL;
}

/* A certificate and its key, checked to belong together. */
static struct wsx_tls_ctx *
tls_ctx_identity(struct wsx_tls_ctx *ctx, const char *cert, const char *key,
		 struct wsx_err *err)
{
	unsigned long e;

	ERR_clear_error();
	if (SSL_CTX_use_certificate_chain_file(ctx->ssl, cert) != 1)
		return tls_ctx_fail(ctx, err, "--cert", cert, "certificate");
	if (SSL_CTX_use_PrivateKey_file(ctx->ssl, key, SSL_FILETYPE_PEM) != 1) {
		wsx_tls_reason(&e);
		if (!wsx_tls_is_reason(e, ERR_LIB_X509,
				       X509_R_KEY_VALUES_MISMATCH))
			return tls_ctx_fail(ctx, err, "--key", key,
					    "private key");
	} else if (SSL_CTX_check_private_key(ctx->ssl) == 1) {
		return ctx;
	}
	wsx_err_set(err, WSX_EXIT_USAGE,
		    "--key '%.100s' is not the key of --cert '%.100s'", key,
		    cert);
	ERR_clear_error();
	wsx_tls_ctx_unref(ctx);
	return NULL;
}

struct wsx_tls_ctx *
wsx_tls_server_ctx(const struct wsx_tls_server_opts *o, struct wsx_err *err)
{
	static const unsigned char sid_ctx[] = "wsx";
	struct wsx_tls_ctx *ctx;
	STACK_OF(X509_NAME) * cas;

	if (!o->cert || !o->key) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--cert and --key go together");
		return NULL;
	}
	ctx = tls_ctx_new(true, o->alpn, err);
	if (!ctx || !(ctx = tls_ctx_identity(ctx, o->cert, o->key, err)))
		return NULL;
	SSL_CTX_set_options(ctx->ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_session_id_context(ctx->ssl, sid_ctx, sizeof(sid_ctx) - 1);
	if (ctx->alpn_len)
		SSL_CTX_set_alpn_select_cb(ctx->ssl, tls_alpn_select, ctx);
	if (o->cacert) {
		ERR_clear_error();
		if (SSL_CTX_load_verify_locations(ctx->ssl, o->cacert, NULL) !=
		    1)
			return tls_ctx_fail(ctx, err, "--cacert", o->cacert,
					    "certificate");
		/* the CAs named in the CertificateRequest */
		cas = SSL_load_client_CA_file(o->cacert);
		if (!cas)
			return tls_ctx_fail(ctx, err, "--cacert", o->cacert,
					    "certificate");
		SSL_CTX_set_client_CA_list(ctx->ssl, cas);
		SSL_CTX_set_verify(ctx->ssl,
				   SSL_VERIFY_PEER |
					   SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
				   NULL);
		ctx->verify = true;
	}
	ERR_clear_error();
	return ctx;
}

struct wsx_tls_ctx *
wsx_tls_client_ctx(const struct wsx_tls_client_opts *o, struct wsx_err *err)
{
	struct wsx_tls_ctx *ctx;
	const char *why;

	if (o->key && !o->cert) {
		wsx_err_set(err, WSX_EXIT_USAGE, "--key needs --cert");
		return NULL;
	}
	ctx = tls_ctx_new(false, o->alpn, err);
	if (!ctx)
		return NULL;
	ctx->verify = !o->insecure;
	if (o->pins && o->pins->n) {
		ctx->pins.sha256 =
			xmalloc(o->pins->n * sizeof(*ctx->pins.sha256));
		memcpy(ctx->pins.sha256, o->pins->sha256,
		       o->pins->n * sizeof(*ctx->pins.sha256));
		ctx->pins.n = o->pins->n;
	}
	SSL_CTX_set_verify(ctx->ssl,
			   ctx->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
			   NULL);
	ERR_clear_error();
	if (ctx->verify && o->cacert) {
		if (SSL_CTX_load_verify_locations(ctx->ssl, o->cacert, NULL) !=
		    1)
			return tls_ctx_fail(ctx, err, "--cacert", o->cacert,
					    "certificate");
		/* as curl does: a CA given may be an intermediate */
		X509_STORE_set_flags(SSL_CTX_get_cert_store(ctx->ssl),
				     X509_V_FLAG_PARTIAL_CHAIN);
	} else if (ctx->verify &&
		   SSL_CTX_set_default_verify_paths(ctx->ssl) != 1) {
		why = wsx_tls_reason(NULL);
		wsx_err_set(err, WSX_EXIT_TLS,
			    "cannot load the system's CA certificates%s%s",
			    why ? ": " : "", why ? why : "");
		ERR_clear_error();
		wsx_tls_ctx_unref(ctx);
		return NULL;
	}
	if (o->cert && !(ctx = tls_ctx_identity(
				 ctx, o->cert, o->key ? o->key : o->cert, err)))
		return NULL;
	/* 0 is success here */
	if (ctx->alpn_len &&
	    SSL_CTX_set_alpn_protos(ctx->ssl, ctx->alpn, ctx->alpn_len)) {
		wsx_err_set(err, WSX_EXIT_TLS, "cannot set up TLS: ALPN");
		ERR_clear_error();
		wsx_tls_ctx_unref(ctx);
		return NULL;
	}
	ERR_clear_error();
	return ctx;
}
