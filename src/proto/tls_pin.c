/*
 * --pinnedpubkey: the server's public key checked against SHA-256 pins of
 * its SubjectPublicKeyInfo, in curl's spelling; see tls.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "proto/tls.h"
#include "proto/tls_int.h"
#include "util/base64.h"
#include "util/xalloc.h"

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#define pin_peer_certificate SSL_get1_peer_certificate
#else
#define pin_peer_certificate SSL_get_peer_certificate
#endif

#define PIN_PREFIX     "sha256//"
#define PIN_BASE64_LEN 44 /* 32 bytes */
/* a public key file is small; more is not one */
#define PIN_FILE_MAX (64 * 1024)

/* The SHA-256 of a key's SubjectPublicKeyInfo (DER): 0, or -1. */
static int
pin_digest(EVP_PKEY *key, unsigned char out[32])
{
	unsigned char *der = NULL;
	unsigned len = 0;
	int n = i2d_PUBKEY(key, &der);
	int ok;

	if (n <= 0)
		return -1;
	ok = EVP_Digest(der, (size_t)n, out, &len, EVP_sha256(), NULL);
	OPENSSL_free(der);
	return ok == 1 && len == 32 ? 0 : -1;
}

static void
pin_add(struct wsx_tls_pins *p, const unsigned char sha[32])
{
	p->sha256 = xrealloc(p->sha256, (p->n + 1) * sizeof(*p->sha256));
	memcpy(p->sha256[p->n++], sha, 32);
}

/* "sha256//BASE64;sha256//BASE64..." */
static int
pin_parse_list(struct wsx_tls_pins *p, const char *arg, struct wsx_err *err)
{
	const char *s = arg;

	for (;;) {
		size_t n = strcspn(s, ";");
		const char *b64 = s + strlen(PIN_PREFIX);
		unsigned char sha[PIN_BASE64_LEN / 4 * 3 + 3];

		if (!n)
			return wsx_err_set(err, WSX_EXIT_USAGE,
					   "--pinnedpubkey: an empty pin in "
					   "'%.100s' (pins are joined by ';')",
					   arg);
		if (n < strlen(PIN_PREFIX) ||
		    strncmp(s, PIN_PREFIX, strlen(PIN_PREFIX)) ||
		    n - strlen(PIN_PREFIX) > PIN_BASE64_LEN ||
		    wsx_base64_decode(sha, b64, n - strlen(PIN_PREFIX)) != 32)
			return wsx_err_set(
				err, WSX_EXIT_USAGE,
				"--pinnedpubkey: '%.*s' is not sha256// and a "
				"SHA-256 in base64 (44 characters)",
				n > 100 ? 100 : (int)n, s);
		pin_add(p, sha);
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

/* A public key file, PEM or DER: its pin. */
static int
pin_parse_file(struct wsx_tls_pins *p, const char *path, struct wsx_err *err)
{
	unsigned char *data = xmalloc(PIN_FILE_MAX + 1), sha[32];
	const unsigned char *q = data;
	FILE *f = fopen(path, "rb");
	EVP_PKEY *key = NULL;
	size_t len = 0;
	BIO *b;
	int rc = -1;

	if (!f) {
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--pinnedpubkey: cannot read '%.200s': %s (give "
			    "sha256//BASE64 or a public key file)",
			    path, strerror(errno));
		free(data);
		return -1;
	}
	len = fread(data, 1, PIN_FILE_MAX + 1, f);
	fclose(f);
	ERR_clear_error();
	if (len <= PIN_FILE_MAX) {
		b = BIO_new_mem_buf(data, (int)len);
		if (b)
			key = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
		BIO_free(b);
		if (!key)
			key = d2i_PUBKEY(NULL, &q, (long)len);
	}
	if (!key)
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--pinnedpubkey: no public key in '%.200s' (PEM "
			    "\"BEGIN PUBLIC KEY\" or DER)",
			    path);
	else if (pin_digest(key, sha))
		wsx_err_set(err, WSX_EXIT_USAGE,
			    "--pinnedpubkey: cannot hash the key in '%.200s'",
			    path);
	else {
		pin_add(p, sha);
		rc = 0;
	}
	EVP_PKEY_free(key);
	ERR_clear_error();
	free(data);
	return rc;
}

int
wsx_tls_pins_parse(struct wsx_tls_pins *p, const char *arg, struct wsx_err *err)
{
	struct wsx_tls_pins pins = { NULL, 0 };
	int rc;

	/* as curl: the one form or the other, never mixed */
	if (!strncmp(arg, PIN_PREFIX, strlen(PIN_PREFIX)))
		rc = pin_parse_list(&pins, arg, err);
	else
		rc = pin_parse_file(&pins, arg, err);
	if (rc) {
		wsx_tls_pins_release(&pins);
		return -1;
	}
	wsx_tls_pins_release(p);
	*p = pins;
	return 0;
}

void
wsx_tls_pins_release(struct wsx_tls_pins *p)
{
	free(p->sha256);
	p->sha256 = NULL;
	p->n = 0;
}

bool
wsx_tls_pins_match(const struct wsx_tls_pins *pins, SSL *ssl, char *got,
		   size_t cap)
{
	X509 *peer = pin_peer_certificate(ssl);
	EVP_PKEY *key = peer ? X509_get0_pubkey(peer) : NULL;
	unsigned char sha[32];
	char b64[PIN_BASE64_LEN + 1];
	bool match = false;

	if (cap)
		got[0] = '\0';
	if (key && !pin_digest(key, sha)) {
		b64[wsx_base64_encode(b64, sha, sizeof(sha))] = '\0';
		snprintf(got, cap, "%s", b64);
		for (size_t i = 0; i < pins->n && !match; i++)
			match = !memcmp(pins->sha256[i], sha, sizeof(sha));
	}
	X509_free(peer);
	ERR_clear_error();
	return match;
}
