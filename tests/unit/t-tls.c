#include "config.h"
/* proto/tls: client and server sessions pumped against each other in
 * memory, with certificates made at the start (a CA, a server certificate
 * for localhost, an expired one, a self-signed one, client certificates):
 * handshakes, data both ways byte for byte, close_notify, every
 * verification failure in the words a user reads, mTLS, garbage and plain
 * HTTP where TLS was expected, random bytes, and sessions on threads. */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/tls.h"
#include "tap.h"

/* --- certificates -------------------------------------------------------- */

static char dir[256];

struct ext {
	int nid;
	const char *value;
};

static void
die(const char *what)
{
	fprintf(stderr, "t-tls: %s failed\n", what);
	ERR_print_errors_fp(stderr);
	exit(99);
}

static EVP_PKEY *
gen_key(void)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY *k = NULL;

	if (!c || EVP_PKEY_keygen_init(c) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(c, NID_X9_62_prime256v1) <=
		    0 ||
	    EVP_PKEY_keygen(c, &k) <= 0)
		die("key generation");
	EVP_PKEY_CTX_free(c);
	return k;
}

/* A certificate for key, valid from..to days from now, signed by issuer
 * (NULL: self-signed). */
static X509 *
make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
	  long from, long to, const struct ext *exts)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;

	if (!x || !name || !X509_set_version(x, 2) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), from * 86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), to * 86400) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
					(const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
					    : name) ||
	    !X509_set_pubkey(x, key))
		die("certificate");
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	for (; exts && exts->nid; exts++) {
		X509_EXTENSION *e =
			X509V3_EXT_conf_nid(NULL, &v3, exts->nid, exts->value);

		if (!e || !X509_add_ext(x, e, -1))
			die(exts->value);
		X509_EXTENSION_free(e);
	}
	if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
		die("signing");
	X509_NAME_free(name);
	return x;
}

static char *
path(const char *name)
{
	static char p[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static const char *files[] = {
	"ca.pem",      "other-ca.pem",	 "server.pem", "server.key",
	"expired.pem", "self.pem",	 "self.key",   "client.pem",
	"client.key",  "client-all.pem", "rogue.pem",  "rogue.key",
	"junk.pem",    "empty.pem",	 "enc.key",
};

static void
write_pem(const char *name, X509 *x, X509 *x2, EVP_PKEY *k)
{
	FILE *f = fopen(path(name), "w");

	if (!f || (x && !PEM_write_X509(f, x)) ||
	    (x2 && !PEM_write_X509(f, x2)) ||
	    (k && !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL)) ||
	    fclose(f))
		die(name);
}

static void
make_files(void)
{
	static const struct ext ca[] = {
		{ NID_basic_constraints, "critical,CA:TRUE" },
		{ NID_key_usage, "critical,keyCertSign,cRLSign" },
		{ NID_subject_key_identifier, "hash" },
		{ 0, NULL },
	};
	static const struct ext server[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "serverAuth" },
		{ NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1" },
		{ 0, NULL },
	};
	static const struct ext client[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "clientAuth" },
		{ 0, NULL },
	};
	/* as `openssl req -x509` makes them */
	static const struct ext self[] = {
		{ NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1" },
		{ 0, NULL },
	};
	const char *tmp = getenv("TMPDIR");
	EVP_PKEY *ca_key = gen_key(), *other_key = gen_key();
	EVP_PKEY *server_key = gen_key(), *self_key = gen_key();
	EVP_PKEY *client_key = gen_key(), *rogue_key = gen_key();
	X509 *ca_cert, *other_cert, *x;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/t-tls-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp");
	ca_cert = make_cert(ca_key, "wsx test CA", NULL, NULL, -1, 2, ca);
	other_cert = make_cert(other_key, "other CA", NULL, NULL, -1, 2, ca);
	write_pem("ca.pem", ca_cert, NULL, NULL);
	write_pem("other-ca.pem", other_cert, NULL, NULL);

	x = make_cert(server_key, "localhost", ca_cert, ca_key, -1, 2, server);
	write_pem("server.pem", x, NULL, NULL);
	write_pem("server.key", NULL, NULL, server_key);
	X509_free(x);
	x = make_cert(server_key, "localhost", ca_cert, ca_key, -3, -1, server);
	write_pem("expired.pem", x, NULL, NULL);
	X509_free(x);
	x = make_cert(self_key, "localhost", NULL, NULL, -1, 2, self);
	write_pem("self.pem", x, NULL, NULL);
	write_pem("self.key", NULL, NULL, self_key);
	X509_free(x);
	x = make_cert(client_key, "wsx test client", ca_cert, ca_key, -1, 2,
		      client);
	write_pem("client.pem", x, NULL, NULL);
	write_pem("client.key", NULL, NULL, client_key);
	write_pem("client-all.pem", x, NULL, client_key);
	f = fopen(path("enc.key"), "w");
	if (!f ||
	    !PEM_write_PrivateKey(f, client_key, EVP_aes_128_cbc(),
				  (unsigned char *)"secret", 6, NULL, NULL) ||
	    fclose(f))
		die("enc.key");
	X509_free(x);
	x = make_cert(rogue_key, "rogue client", other_cert, other_key, -1, 2,
		      client);
	write_pem("rogue.pem", x, NULL, NULL);
	write_pem("rogue.key", NULL, NULL, rogue_key);
	X509_free(x);

	f = fopen(path("junk.pem"), "w");
	if (!f || fputs("this is not a certificate\n", f) < 0 || fclose(f))
		die("junk.pem");
	f = fopen(path("empty.pem"), "w");
	if (!f || fclose(f))
		die("empty.pem");
	X509_free(ca_cert);
	X509_free(other_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(server_key);
	EVP_PKEY_free(self_key);
	EVP_PKEY_free(client_key);
	EVP_PKEY_free(rogue_key);
}

static void
remove_files(void)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlink(path(files[i])) && errno != ENOENT)
			diag("cannot remove %s", path(files[i]));
	if (rmdir(dir))
		diag("cannot remove %s", dir);
}

/* --- contexts ------------------------------------------------------------ */

static struct wsx_tls_ctx *
server_ctx(const char *cert, const char *key, const char *cacert)
{
	struct wsx_tls_server_opts o = { 0 };
	struct wsx_tls_ctx *ctx;
	struct wsx_err err = { 0 };

	o.cert = path(cert);
	o.key = path(key);
	o.cacert = cacert ? path(cacert) : NULL;
	o.alpn = "http/1.1";
	ctx = wsx_tls_server_ctx(&o, &err);
	if (!ctx) {
		diag("server context: %s", err.msg);
		exit(99);
	}
	return ctx;
}

/* cacert NULL: the system's CAs; "-k": insecure. */
static struct wsx_tls_ctx *
client_ctx(const char *cacert, const char *cert, const char *key)
{
	struct wsx_tls_client_opts o = { 0 };
	struct wsx_tls_ctx *ctx;
	struct wsx_err err = { 0 };

	if (cacert && !strcmp(cacert, "-k"))
		o.insecure = true;
	else
		o.cacert = cacert ? path(cacert) : NULL;
	o.cert = cert ? path(cert) : NULL;
	o.key = key ? path(key) : NULL;
	o.alpn = "h2,http/1.1";
	ctx = wsx_tls_client_ctx(&o, &err);
	if (!ctx) {
		diag("client context: %s", err.msg);
		exit(99);
	}
	return ctx;
}

/* --- pumping ------------------------------------------------------------- */

/* One side: a wsx session, or (raw) a bare OpenSSL client on memory BIOs. */
struct end {
	struct wsx_tls *t;
	SSL *raw;
	BIO *rin, *rout;
	unsigned char *got; /* plaintext received */
	size_t len, cap;
	bool eof, failed;
	size_t max_output; /* most ciphertext seen waiting */
};

static void
end_init(struct end *e, struct wsx_tls *t)
{
	memset(e, 0, sizeof(*e));
	e->t = t;
	if (!t)
		die("wsx_tls_new");
}

static void
end_release(struct end *e)
{
	wsx_tls_free(e->t);
	SSL_free(e->raw);
	free(e->got);
	memset(e, 0, sizeof(*e));
}

static void
end_take(struct end *e, const void *p, size_t n)
{
	if (e->len + n > e->cap) {
		e->cap = (e->len + n) * 2;
		e->got = realloc(e->got, e->cap);
		if (!e->got)
			die("realloc");
	}
	memcpy(e->got + e->len, p, n);
	e->len += n;
}

/* Read all the plaintext there is. */
static void
end_drain(struct end *e)
{
	unsigned char buf[5000];
	long n;

	while (!e->failed && !e->eof) {
		if (e->raw) {
			n = SSL_read(e->raw, buf, sizeof(buf));
			if (n <= 0) {
				int why = SSL_get_error(e->raw, (int)n);

				if (why == SSL_ERROR_ZERO_RETURN)
					e->eof = true;
				else if (why != SSL_ERROR_WANT_READ)
					e->failed = true;
				ERR_clear_error();
				return;
			}
		} else {
			n = wsx_tls_read(e->t, buf, sizeof(buf), &e->eof);
			if (n < 0)
				e->failed = true;
			if (n <= 0)
				return;
		}
		end_take(e, buf, (size_t)n);
	}
}

/* Up to chunk bytes (0: all) of from's ciphertext to to; true if any. */
static bool
move(struct end *from, struct end *to, size_t chunk)
{
	unsigned char buf[20000];
	const unsigned char *p;
	size_t len;

	if (from->raw) {
		int n = BIO_read(from->rout, buf,
				 chunk && chunk < sizeof(buf)
					 ? (int)chunk
					 : (int)sizeof(buf));

		len = n > 0 ? (size_t)n : 0;
		p = buf;
	} else {
		p = wsx_tls_output(from->t, &len);
		if (len > from->max_output)
			from->max_output = len;
		if (chunk && len > chunk)
			len = chunk;
	}
	if (len && !to->failed) {
		if (to->raw)
			BIO_write(to->rin, p, (int)len);
		else if (wsx_tls_feed(to->t, p, len))
			to->failed = true;
	}
	if (len && !from->raw)
		wsx_tls_consume(from->t, len);
	end_drain(to);
	return len > 0;
}

/* Shuttle ciphertext both ways until nothing moves. */
static void
pump(struct end *a, struct end *b, size_t chunk)
{
	bool moved = true;

	end_drain(a);
	end_drain(b);
	while (moved) {
		moved = move(a, b, chunk);
		moved |= move(b, a, chunk);
	}
}

/* A bare OpenSSL client, to speak the versions ours will not. */
static void
raw_client(struct end *e, int min, int max)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	memset(e, 0, sizeof(*e));
	if (!ctx)
		die("SSL_CTX_new");
	SSL_CTX_set_security_level(ctx, 0); /* let it offer TLS 1.1 */
	SSL_CTX_set_min_proto_version(ctx, min);
	SSL_CTX_set_max_proto_version(ctx, max);
	e->raw = SSL_new(ctx);
	e->rin = BIO_new(BIO_s_mem());
	e->rout = BIO_new(BIO_s_mem());
	if (!e->raw || !e->rin || !e->rout)
		die("raw client");
	BIO_set_mem_eof_return(e->rin, -1);
	SSL_set_bio(e->raw, e->rin, e->rout);
	SSL_set_connect_state(e->raw);
	SSL_do_handshake(e->raw);
	ERR_clear_error();
	SSL_CTX_free(ctx);
}

/* A client for host against a server; pumped until nothing moves. */
static void
connect_pair(struct end *c, struct end *s, struct wsx_tls_ctx *cctx,
	     struct wsx_tls_ctx *sctx, const char *host, size_t chunk)
{
	end_init(c, wsx_tls_new(cctx, host));
	end_init(s, wsx_tls_new(sctx, NULL));
	pump(c, s, chunk);
}

static bool
has_control(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* --- tests --------------------------------------------------------------- */

static void
exchange(struct end *c, struct end *s, const char *what)
{
	static const char hello_s[] = "hello, server\n";
	static const char hello_c[] = "hello, client\0with a NUL";

	is_int(wsx_tls_write(c->t, hello_s, sizeof(hello_s) - 1),
	       sizeof(hello_s) - 1, "%s: the client's write is taken whole",
	       what);
	is_int(wsx_tls_write(s->t, hello_c, sizeof(hello_c)), sizeof(hello_c),
	       "%s: the server's write is taken whole", what);
	pump(c, s, 0);
	is_mem(s->got, s->len, hello_s, sizeof(hello_s) - 1,
	       "%s: the server reads what the client wrote", what);
	is_mem(c->got, c->len, hello_c, sizeof(hello_c),
	       "%s: the client reads what the server wrote", what);
}

static void
test_handshake(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	static const char *const hosts[] = { "localhost", "127.0.0.1", "::1",
					     "[::1]" };
	struct end c, s;
	char text[512];
	size_t len;
	long n;

	end_init(&c, wsx_tls_new(cctx, "localhost"));
	end_init(&s, wsx_tls_new(sctx, NULL));
	ok(!wsx_tls_established(c.t) && !wsx_tls_established(s.t),
	   "a new session is not established");
	ok(wsx_tls_output(c.t, &(size_t){ 0 }) != NULL,
	   "a new client has its ClientHello queued");
	is_int(wsx_tls_write(c.t, "x", 1), 0,
	       "a write during the handshake takes nothing");
	is_int(wsx_tls_describe(c.t, text, sizeof(text)), -1,
	       "describe before the handshake is -1");
	pump(&c, &s, 0);
	ok(wsx_tls_established(c.t) && wsx_tls_established(s.t),
	   "a client that trusts the CA completes the handshake");
	ok(!wsx_tls_output(c.t, &len) && !len && !wsx_tls_output(s.t, &len) &&
		   !len,
	   "output consumed is output gone");
	is_str(wsx_tls_error(c.t), NULL, "and has no error");
	exchange(&c, &s, "localhost");

	n = wsx_tls_describe(c.t, text, sizeof(text));
	is_int(n, strlen(text), "describe returns the length written");
	ok(!strncmp(text, "TLSv1.3 TLS_", 12),
	   "describe: the version and "
	   "cipher come first ('%.30s')",
	   text);
	ok(strstr(text, "\nALPN: http/1.1\n") != NULL,
	   "describe: the ALPN the server chose from 'h2,http/1.1'");
	ok(strstr(text, "\nsubject: CN=localhost\nissuer: CN=wsx test "
			"CA\nexpires: 2") != NULL,
	   "describe: the server certificate's subject, issuer, expiry");
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		diag("%s", line);
	n = wsx_tls_describe(c.t, text, 8);
	ok(n == 7 && !strcmp(text, "TLSv1.3"),
	   "describe cut to fit an 8-byte buffer");
	wsx_tls_describe(s.t, text, sizeof(text));
	ok(strstr(text, "\npeer certificate: none") != NULL,
	   "describe on a server without mTLS: no peer certificate");
	end_release(&c);
	end_release(&s);

	for (size_t i = 1; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		connect_pair(&c, &s, cctx, sctx, hosts[i], 0);
		ok(wsx_tls_established(c.t),
		   "the address %s is checked against the certificate's",
		   hosts[i]);
		end_release(&c);
		end_release(&s);
	}

	connect_pair(&c, &s, cctx, sctx, "localhost", 1);
	ok(wsx_tls_established(c.t) && wsx_tls_established(s.t),
	   "a handshake fed one byte at a time");
	exchange(&c, &s, "byte by byte");
	end_release(&c);
	end_release(&s);

	/* a stale error on this thread's queue is not the session's (OpenSSL
	 * clears the queue itself only while it shakes hands) */
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	wsx_tls_write(c.t, "ping", 4);
	BIO_free(BIO_new_file(path("no-such-file"), "r"));
	ok(ERR_peek_error() != 0, "(an error is left on the queue)");
	pump(&c, &s, 0);
	ok(!c.failed && !s.failed && s.len == 4,
	   "an error left on the thread's queue is not the session's");
	end_release(&c);
	end_release(&s);
	ERR_clear_error();

	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

/* 1 MiB each way, written in pieces the session takes a record at a time,
 * carried by a "socket" that takes 7000 bytes at a time. */
static void
test_bulk(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	size_t total = 1 << 20, off[2] = { 0, 0 }, writes = 0, partial = 0;
	unsigned char *data = malloc(total);
	uint32_t x = 2463534242u;
	long first, n;
	struct end c, s;

	if (!data)
		die("malloc");
	for (size_t i = 0; i < total; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (unsigned char)x;
	}
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	first = wsx_tls_write(c.t, data, total);
	is_int(first, 16384, "a 1 MiB write takes one 16 KiB record");
	off[0] = (size_t)first;
	while (off[0] < total || off[1] < total) {
		for (int i = 0; i < 2; i++) {
			struct end *e = i ? &s : &c;

			if (off[i] == total)
				continue;
			n = wsx_tls_write(e->t, data + off[i], total - off[i]);
			if (n < 0)
				break;
			writes++;
			if (n > 0 && (size_t)n < total - off[i])
				partial++;
			off[i] += (size_t)n;
		}
		if (c.failed || s.failed || writes > 100000)
			break;
		move(&c, &s, 7000);
		move(&s, &c, 7000);
	}
	pump(&c, &s, 7000);
	is_mem(s.got, s.len, data, total,
	       "1 MiB from the client arrives byte for byte");
	is_mem(c.got, c.len, data, total,
	       "1 MiB from the server arrives byte for byte");
	ok(partial > 100, "it took partial writes (%zu of %zu calls)", partial,
	   writes);
	ok(c.max_output >= WSX_TLS_OUTPUT_BUDGET &&
		   c.max_output < WSX_TLS_OUTPUT_BUDGET + 17000,
	   "the output stops growing past its budget (at most %zu bytes)",
	   c.max_output);
	end_release(&c);
	end_release(&s);

	/* nobody consumes: writes stop at the budget */
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	off[0] = 0;
	while ((n = wsx_tls_write(c.t, data + off[0], total - off[0])) > 0)
		off[0] += (size_t)n;
	ok(n == 0 && off[0] >= WSX_TLS_OUTPUT_BUDGET &&
		   off[0] < WSX_TLS_OUTPUT_BUDGET + 16384,
	   "with nothing consumed, writes take 0 once the budget is "
	   "reached (%zu bytes taken)",
	   off[0]);
	pump(&c, &s, 0);
	ok(wsx_tls_write(c.t, data, 10) == 10,
	   "and take again once the output is consumed");
	pump(&c, &s, 0);
	ok(s.len == off[0] + 10 && !memcmp(s.got, data, off[0]) &&
		   !memcmp(s.got + off[0], data, 10),
	   "and everything taken arrives (%zu bytes)", s.len);
	end_release(&c);
	end_release(&s);
	free(data);
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

static void
test_close(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	struct end c, s;
	bool eof = false;
	char buf[16];

	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	/* the sessions outlive their contexts */
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
	wsx_tls_close(c.t);
	pump(&c, &s, 0);
	ok(s.eof && !s.failed, "the client's close_notify is eof at the "
			       "server");
	is_int(wsx_tls_read(s.t, buf, sizeof(buf), &eof), 0,
	       "reading after eof gives 0");
	ok(eof, "and eof again");
	is_int(wsx_tls_feed(s.t, "junk after close_notify", 23), 0,
	       "bytes after close_notify are taken");
	is_int(wsx_tls_read(s.t, buf, sizeof(buf), &eof), 0, "and ignored");
	is_int(wsx_tls_write(s.t, "bye", 3), 3,
	       "the server may still write after the client's close_notify");
	wsx_tls_close(s.t);
	pump(&c, &s, 0);
	is_mem(c.got, c.len, "bye", 3,
	       "the client reads what came before the server's close_notify");
	ok(c.eof && !c.failed, "then eof");
	is_int(wsx_tls_write(c.t, "late", 4), -1,
	       "a write after close_notify fails");
	is_str(wsx_tls_error(c.t), "TLS: write after close_notify",
	       "and says so");
	end_release(&c);
	end_release(&s);
}

/* A record changed on the way, after the handshake. */
static void
test_tampered(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	unsigned char rec[100];
	const unsigned char *p;
	size_t len;
	struct end c, s;

	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	wsx_tls_write(s.t, "a record to tamper with", 23);
	p = wsx_tls_output(s.t, &len);
	ok(len > 23 && len < sizeof(rec), "a record of %zu bytes", len);
	memcpy(rec, p, len < sizeof(rec) ? len : sizeof(rec));
	wsx_tls_consume(s.t, len);
	rec[10] ^= 1;
	wsx_tls_feed(c.t, rec, len < sizeof(rec) ? len : sizeof(rec));
	is_int(wsx_tls_read(c.t, rec, sizeof(rec), NULL), -1,
	       "a record changed on the way fails the session");
	is_str(wsx_tls_error(c.t),
	       "TLS connection with the server failed: decryption failed or "
	       "bad record mac",
	       "and says so, after the handshake");
	ok(wsx_tls_output(c.t, &len) && len > 0, "an alert waits to be sent");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

struct verify_case {
	const char *name;
	const char *cert, *key; /* the server's */
	const char *cacert;	/* the client's: NULL system, "-k" */
	const char *host;
	const char *error; /* NULL: it connects */
};

static const struct verify_case verify_cases[] = {
	{ "a self-signed certificate", "self.pem", "self.key", "ca.pem",
	  "localhost",
	  "TLS certificate problem: self-signed certificate (--cacert FILE "
	  "trusts a CA, -k skips the check)" },
	{ "an expired certificate", "expired.pem", "server.key", "ca.pem",
	  "localhost", "TLS certificate problem: certificate has expired" },
	{ "another host's certificate", "server.pem", "server.key", "ca.pem",
	  "wrong.example",
	  "TLS certificate problem: hostname mismatch ('wrong.example' is not "
	  "in the certificate)" },
	{ "another address's certificate", "server.pem", "server.key", "ca.pem",
	  "10.1.2.3",
	  "TLS certificate problem: IP address mismatch ('10.1.2.3' is not in "
	  "the certificate)" },
	{ "a CA the client does not trust", "server.pem", "server.key",
	  "other-ca.pem", "localhost",
	  "TLS certificate problem: unable to get local issuer certificate "
	  "(--cacert FILE trusts a CA, -k skips the check)" },
	{ "a CA the system does not trust", "server.pem", "server.key", NULL,
	  "localhost",
	  "TLS certificate problem: unable to get local issuer certificate "
	  "(--cacert FILE trusts a CA, -k skips the check)" },
	{ "-k: a self-signed certificate", "self.pem", "self.key", "-k",
	  "localhost", NULL },
	{ "-k: an expired certificate", "expired.pem", "server.key", "-k",
	  "localhost", NULL },
	{ "-k: another host's certificate", "server.pem", "server.key", "-k",
	  "wrong.example", NULL },
	{ "-k: a CA nobody trusts", "server.pem", "server.key", "-k",
	  "localhost", NULL },
	{ "a self-signed certificate given as --cacert", "self.pem", "self.key",
	  "self.pem", "localhost", NULL },
};

static void
test_verify(void)
{
	for (size_t i = 0; i < sizeof(verify_cases) / sizeof(verify_cases[0]);
	     i++) {
		const struct verify_case *v = &verify_cases[i];
		struct wsx_tls_ctx *sctx = server_ctx(v->cert, v->key, NULL);
		struct wsx_tls_ctx *cctx = client_ctx(v->cacert, NULL, NULL);
		struct end c, s;

		connect_pair(&c, &s, cctx, sctx, v->host, 0);
		if (v->error) {
			ok(c.failed && !wsx_tls_established(c.t),
			   "%s: the client fails", v->name);
			is_str(wsx_tls_error(c.t), v->error,
			       "%s: the client says why", v->name);
			is_int(wsx_tls_read(c.t, (char[4]){ 0 }, 4, NULL), -1,
			       "%s: and goes on failing", v->name);
			ok(s.failed && wsx_tls_error(s.t) &&
				   !strncmp(wsx_tls_error(s.t),
					    "TLS handshake with the client "
					    "failed: ",
					    38),
			   "%s: the server fails on the client's alert "
			   "('%s')",
			   v->name,
			   wsx_tls_error(s.t) ? wsx_tls_error(s.t) : "");
		} else {
			ok(wsx_tls_established(c.t) && wsx_tls_established(s.t),
			   "%s: connects", v->name);
			exchange(&c, &s, v->name);
		}
		end_release(&c);
		end_release(&s);
		wsx_tls_ctx_free(cctx);
		wsx_tls_ctx_free(sctx);
	}
}

static void
test_mtls(void)
{
	struct wsx_tls_ctx *sctx =
		server_ctx("server.pem", "server.key", "ca.pem");
	struct wsx_tls_ctx *cctx;
	struct end c, s;
	char text[512];

	cctx = client_ctx("ca.pem", NULL, NULL);
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(s.failed && !wsx_tls_established(s.t),
	   "mTLS: a client without a certificate is refused");
	is_str(wsx_tls_error(s.t),
	       "TLS handshake with the client failed: it sent no certificate "
	       "(--cacert asks for one)",
	       "mTLS: the server says why");
	ok(c.failed, "mTLS: the client without a certificate fails too");
	is_str(wsx_tls_error(c.t),
	       "TLS handshake with the server failed: it wants a client "
	       "certificate (--cert)",
	       "mTLS: the client says why");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);

	cctx = client_ctx("ca.pem", "client.pem", "client.key");
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(wsx_tls_established(c.t) && wsx_tls_established(s.t) && !c.failed &&
		   !s.failed,
	   "mTLS: a client with a certificate from the CA is accepted");
	exchange(&c, &s, "mTLS");
	wsx_tls_describe(s.t, text, sizeof(text));
	ok(strstr(text, "\nsubject: CN=wsx test client\nissuer: CN=wsx test "
			"CA\n") != NULL,
	   "mTLS: describe on the server shows the client's certificate");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);

	cctx = client_ctx("ca.pem", "client-all.pem", NULL);
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(wsx_tls_established(c.t) && wsx_tls_established(s.t) && !c.failed,
	   "mTLS: a key in the certificate's file is found without --key");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);

	cctx = client_ctx("ca.pem", "rogue.pem", "rogue.key");
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(s.failed && c.failed,
	   "mTLS: a client certificate from another CA is refused");
	is_str(wsx_tls_error(s.t),
	       "TLS client certificate problem: unable to get local issuer "
	       "certificate",
	       "mTLS: the server says why");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

static void
test_versions(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct end c, s;
	char text[512];

	raw_client(&c, TLS1_2_VERSION, TLS1_2_VERSION);
	end_init(&s, wsx_tls_new(sctx, NULL));
	pump(&c, &s, 0);
	ok(wsx_tls_established(s.t) && !c.failed, "a TLS 1.2 client is served");
	wsx_tls_describe(s.t, text, sizeof(text));
	text[strcspn(text, "\n")] = '\0';
	ok(!strncmp(text, "TLSv1.2 ECDHE-ECDSA-", 20),
	   "describe: TLS 1.2 ('%s')", text);
	SSL_write(c.raw, "over 1.2", 8);
	pump(&c, &s, 0);
	is_mem(s.got, s.len, "over 1.2", 8, "data over TLS 1.2");
	end_release(&c);
	end_release(&s);

	raw_client(&c, TLS1_VERSION, TLS1_1_VERSION);
	end_init(&s, wsx_tls_new(sctx, NULL));
	pump(&c, &s, 0);
	ok(s.failed && c.failed, "a client that speaks at most TLS 1.1 is "
				 "refused");
	is_str(wsx_tls_error(s.t),
	       "TLS handshake with the client failed: unsupported protocol",
	       "and the server says why");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(sctx);
}

static void
test_not_tls(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	static const struct {
		bool to_server;
		const char *name, *bytes, *error;
	} cases[] = {
		{ true, "garbage instead of a ClientHello",
		  "hello? is anybody there?\r\n",
		  "TLS handshake with the client failed: wrong version number" },
		{ true, "an HTTP request to a TLS port",
		  "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
		  "TLS handshake with the client failed: http request" },
		{ false, "an HTTP answer to a ClientHello",
		  "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
		  "TLS handshake with the server failed: wrong version number" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wsx_tls *t =
			wsx_tls_new(cases[i].to_server ? sctx : cctx,
				    cases[i].to_server ? NULL : "localhost");
		const char *b = cases[i].bytes;

		is_int(wsx_tls_feed(t, b, strlen(b)), 0, "%s: fed",
		       cases[i].name);
		is_int(wsx_tls_read(t, (char[64]){ 0 }, 64, NULL), -1,
		       "%s: fails", cases[i].name);
		is_str(wsx_tls_error(t), cases[i].error, "%s: and says why",
		       cases[i].name);
		is_int(wsx_tls_feed(t, "x", 1), -1,
		       "%s: a failed session takes no more input",
		       cases[i].name);
		is_int(wsx_tls_write(t, "x", 1), -1, "%s: nor output",
		       cases[i].name);
		wsx_tls_free(t);
	}
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

static uint32_t
rnd(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

/*
 * Hostile input: random bytes, and real ClientHellos with bytes flipped
 * followed by random bytes, to servers; random bytes after its ClientHello
 * to clients. ASan and valgrind see every access; each session must end
 * in -1 with one printable line.
 */
static void
test_random(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	int runs = 300, failed[3] = { 0, 0, 0 }, bad_words = 0;
	unsigned char buf[4096];

	for (int i = 0; i < runs; i++) {
		for (int kind = 0; kind < 3; kind++) {
			uint32_t x = 0x9e3779b9u * (uint32_t)(i + 1) +
				     (uint32_t)kind;
			struct wsx_tls *t;
			size_t fed = 0;
			long r = 0;

			if (kind == 1) {
				/* a real ClientHello, 1 to 4 bytes changed */
				struct wsx_tls *c =
					wsx_tls_new(cctx, "localhost");
				size_t len;
				const unsigned char *p =
					wsx_tls_output(c, &len);
				unsigned char *hello = malloc(len);
				int flips = 1 + (int)(rnd(&x) % 4);

				if (!hello)
					die("malloc");
				memcpy(hello, p, len);
				while (flips--)
					hello[rnd(&x) % len] ^=
						(unsigned char)(1 +
								rnd(&x) % 255);
				t = wsx_tls_new(sctx, NULL);
				wsx_tls_feed(t, hello, len);
				r = wsx_tls_read(t, buf, sizeof(buf), NULL);
				free(hello);
				wsx_tls_free(c);
			} else {
				t = wsx_tls_new(kind ? cctx : sctx,
						kind ? "localhost" : NULL);
			}
			while (r >= 0 && fed < 256 * 1024) {
				size_t n = 1 + rnd(&x) % 600;

				for (size_t j = 0; j < n; j++)
					buf[j] = (unsigned char)rnd(&x);
				if (wsx_tls_feed(t, buf, n) < 0)
					r = -1;
				else
					r = wsx_tls_read(t, buf, sizeof(buf),
							 NULL);
				fed += n;
			}
			if (r < 0)
				failed[kind]++;
			if (r < 0 && (!wsx_tls_error(t) ||
				      has_control(wsx_tls_error(t)) ||
				      strncmp(wsx_tls_error(t), "TLS ", 4))) {
				bad_words++;
				diag("bad words: '%s'", wsx_tls_error(t));
			}
			wsx_tls_free(t);
		}
	}
	is_int(failed[0], runs, "random bytes fail every server session");
	is_int(failed[1], runs,
	       "a ClientHello with bytes changed, then random bytes, fail "
	       "every server session");
	is_int(failed[2], runs,
	       "random bytes after its ClientHello fail every client session");
	is_int(bad_words, 0, "each failure is one printable line");
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

/* pattern with each "DIR" replaced by the temporary directory */
static void
expand_dir(char *out, size_t cap, const char *pattern)
{
	size_t n = 0;

	for (const char *p = pattern; *p && n + 1 < cap; p++) {
		if (!strncmp(p, "DIR", 3)) {
			n += (size_t)snprintf(out + n, cap - n, "%s", dir);
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
}

/* --- --pinnedpubkey ------------------------------------------------------ */

/* The pin of the public key in a PEM certificate file, base64. */
static void
cert_pin(const char *cert, char b64[45], const char *pub_pem,
	 const char *pub_der)
{
	FILE *f = fopen(path(cert), "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL, sha[32];
	unsigned len = 0;
	int n;

	if (f)
		fclose(f);
	if (!x || (n = i2d_PUBKEY(X509_get0_pubkey(x), &der)) <= 0 ||
	    EVP_Digest(der, (size_t)n, sha, &len, EVP_sha256(), NULL) != 1)
		die("cert_pin");
	EVP_EncodeBlock((unsigned char *)b64, sha, 32);
	if (pub_pem) {
		f = fopen(path(pub_pem), "w");
		if (!f || !PEM_write_PUBKEY(f, X509_get0_pubkey(x)) ||
		    fclose(f))
			die(pub_pem);
	}
	if (pub_der) {
		f = fopen(path(pub_der), "w");
		if (!f || fwrite(der, 1, (size_t)n, f) != (size_t)n ||
		    fclose(f))
			die(pub_der);
	}
	OPENSSL_free(der);
	X509_free(x);
}

static struct wsx_tls_ctx *
pinned_ctx(const char *cacert, const char *pins)
{
	struct wsx_tls_client_opts o = { 0 };
	struct wsx_tls_pins p = { NULL, 0 };
	struct wsx_tls_ctx *ctx;
	struct wsx_err err = { 0 };

	if (wsx_tls_pins_parse(&p, pins, &err)) {
		diag("pins '%s': %s", pins, err.msg);
		exit(99);
	}
	if (!strcmp(cacert, "-k"))
		o.insecure = true;
	else
		o.cacert = path(cacert);
	o.pins = &p;
	ctx = wsx_tls_client_ctx(&o, &err);
	wsx_tls_pins_release(&p); /* the context keeps a copy */
	if (!ctx)
		die("pinned client context");
	return ctx;
}

static void
test_pins(void)
{
	static const char *const bad[] = {
		"sha256//",
		"sha256//abc",
		"sha256//AAAA",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;AAAA",
		"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!=",
	};
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx;
	struct wsx_tls_pins p = { NULL, 0 };
	struct wsx_err err = { 0 };
	char pin[45], ca_pin[45], arg[200], want[300], text[1024];
	struct end c, s;

	cert_pin("server.pem", pin, "server-pub.pem", "server-pub.der");
	cert_pin("ca.pem", ca_pin, NULL, NULL);

	snprintf(arg, sizeof(arg), "sha256//%s;sha256//%s", ca_pin, pin);
	ok(!wsx_tls_pins_parse(&p, arg, &err) && p.n == 2,
	   "pins: two, joined by ';'");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		ok(wsx_tls_pins_parse(&p, bad[i], &err) == -1 &&
			   err.code == WSX_EXIT_USAGE && p.n == 2 &&
			   (strstr(err.msg, "is not sha256//") ||
			    strstr(err.msg, "an empty pin in")),
		   "pins: '%s' is a usage error, the pins stay ('%s')", bad[i],
		   err.msg);
	}
	ok(!wsx_tls_pins_parse(&p, path("server-pub.der"), &err) && p.n == 1,
	   "pins: a DER public key file");
	ok(wsx_tls_pins_parse(&p, path("server.pem"), &err) == -1 &&
		   strstr(err.msg, "no public key in"),
	   "pins: a certificate is not a public key file ('%s')", err.msg);
	ok(wsx_tls_pins_parse(&p, path("none"), &err) == -1 &&
		   strstr(err.msg, "No such file"),
	   "pins: a missing file ('%s')", err.msg);
	wsx_tls_pins_release(&p);

	/* the key matches: established, and -v says so */
	cctx = pinned_ctx("ca.pem", arg);
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(wsx_tls_established(c.t) && wsx_tls_established(s.t),
	   "pins: the second of two matches: connects");
	snprintf(want, sizeof(want), "public key pinned: sha256//%s matches",
		 pin);
	ok(wsx_tls_describe(c.t, text, sizeof(text)) > 0 && strstr(text, want),
	   "pins: described as matched");
	exchange(&c, &s, "pins");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);

	/* a PEM file, and -k */
	cctx = pinned_ctx("-k", path("server-pub.pem"));
	connect_pair(&c, &s, cctx, sctx, "localhost", 0);
	ok(wsx_tls_established(c.t), "pins: a PEM key file, with -k");
	end_release(&c);
	end_release(&s);
	wsx_tls_ctx_free(cctx);

	/* another key: fails, naming the server's pin, nothing written */
	snprintf(want, sizeof(want),
		 "TLS: the server's public key does not match "
		 "--pinnedpubkey (it is sha256//%s)",
		 pin);
	for (int k = 0; k < 2; k++) {
		snprintf(arg, sizeof(arg), "sha256//%s", ca_pin);
		cctx = pinned_ctx(k ? "-k" : "ca.pem", arg);
		end_init(&c, wsx_tls_new(cctx, "localhost"));
		end_init(&s, wsx_tls_new(sctx, NULL));
		/* written while the handshake is under way: must not go */
		is_int(wsx_tls_write(c.t, "secret", 6), 0,
		       "pins%s: a write waits for the handshake",
		       k ? " -k" : "");
		pump(&c, &s, 0);
		ok(c.failed && !wsx_tls_established(c.t),
		   "pins%s: another key fails", k ? " -k" : "");
		is_str(wsx_tls_error(c.t), want,
		       "pins%s: says the server's pin", k ? " -k" : "");
		is_int(wsx_tls_write(c.t, "secret", 6), -1,
		       "pins%s: no write after", k ? " -k" : "");
		pump(&c, &s, 0);
		is_int(s.len, 0, "pins%s: the server got no plaintext",
		       k ? " -k" : "");
		end_release(&c);
		end_release(&s);
		wsx_tls_ctx_free(cctx);
	}
	unlink(path("server-pub.pem"));
	unlink(path("server-pub.der"));
	wsx_tls_ctx_free(sctx);
}

static void
test_contexts(void)
{
	static const struct {
		bool server;
		const char *cert, *key, *cacert, *alpn, *error;
	} cases[] = {
		{ true, "missing.pem", "server.key", NULL, NULL,
		  "cannot load --cert 'DIR/missing.pem': No such file or "
		  "directory" },
		{ true, "junk.pem", "server.key", NULL, NULL,
		  "cannot load --cert 'DIR/junk.pem': no PEM certificate in it" },
		{ true, "server.pem", "missing.key", NULL, NULL,
		  "cannot load --key 'DIR/missing.key': No such file or "
		  "directory" },
		{ true, "server.pem", "client.key", NULL, NULL,
		  "--key 'DIR/client.key' is not the key of --cert "
		  "'DIR/server.pem'" },
		{ true, "server.pem", "server.key", "missing.pem", NULL,
		  "cannot load --cacert 'DIR/missing.pem': No such file or "
		  "directory" },
		{ true, "server.pem", "server.key", "junk.pem", NULL,
		  "cannot load --cacert 'DIR/junk.pem': no PEM certificate in "
		  "it" },
		{ true, "server.pem", "server.key", NULL, "http/1.1,",
		  "ALPN 'http/1.1,' is not a list of protocol names" },
		{ false, NULL, NULL, "missing.pem", NULL,
		  "cannot load --cacert 'DIR/missing.pem': No such file or "
		  "directory" },
		{ false, "client.pem", "server.key", "ca.pem", NULL,
		  "--key 'DIR/server.key' is not the key of --cert "
		  "'DIR/client.pem'" },
		{ false, "client.pem", NULL, "ca.pem", NULL,
		  "cannot load --key 'DIR/client.pem': no PEM private key in "
		  "it" },
		{ false, "client.pem", "enc.key", "ca.pem", NULL,
		  "cannot load --key 'DIR/enc.key': it is encrypted, and wsx "
		  "does not ask for passphrases" },
		{ true, "server.pem", "server.key", "empty.pem", NULL,
		  "cannot load --cacert 'DIR/empty.pem': no PEM certificate in "
		  "it" },
		{ false, NULL, "client.key", "ca.pem", NULL,
		  "--key needs --cert" },
		{ true, "server.pem", NULL, NULL, NULL,
		  "--cert and --key go together" },
		{ false, NULL, NULL, "ca.pem", "",
		  "ALPN '' is not a list of "
		  "protocol names" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct wsx_err err = { 0 };
		struct wsx_tls_ctx *ctx;
		char want[512], cert[300] = "", key[300] = "", ca[300] = "";

		expand_dir(want, sizeof(want), cases[i].error);
		if (cases[i].cert)
			snprintf(cert, sizeof(cert), "%s", path(cases[i].cert));
		if (cases[i].key)
			snprintf(key, sizeof(key), "%s", path(cases[i].key));
		if (cases[i].cacert)
			snprintf(ca, sizeof(ca), "%s", path(cases[i].cacert));
		if (cases[i].server) {
			struct wsx_tls_server_opts o = { cert,
							 *key ? key : NULL,
							 *ca ? ca : NULL,
							 cases[i].alpn };

			ctx = wsx_tls_server_ctx(&o, &err);
		} else {
			struct wsx_tls_client_opts o = { *ca ? ca : NULL,
							 *cert ? cert : NULL,
							 *key ? key : NULL,
							 cases[i].alpn,
							 false,
							 NULL };

			ctx = wsx_tls_client_ctx(&o, &err);
		}
		ok(!ctx && err.code == WSX_EXIT_USAGE,
		   "%s context %zu is refused with exit status 2",
		   cases[i].server ? "server" : "client", i);
		is_str(err.msg, want, "%s context %zu: the error says why",
		       cases[i].server ? "server" : "client", i);
		wsx_tls_ctx_free(ctx);
		ok(ERR_peek_error() == 0,
		   "%s context %zu: nothing is left on the error queue",
		   cases[i].server ? "server" : "client", i);
	}
}

/* Sessions on threads sharing contexts: each thread's errors are its own. */
struct worker {
	struct wsx_tls_ctx *sctx, *cctx;
	int bad;
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 12; i++) {
		struct end c, s;
		bool wrong = i % 3 == 2;
		char msg[32];

		snprintf(msg, sizeof(msg), "thread message %d", i);
		connect_pair(&c, &s, w->cctx, w->sctx,
			     wrong ? "wrong.example" : "localhost", 0);
		if (wrong) {
			if (!c.failed ||
			    strcmp(wsx_tls_error(c.t),
				   "TLS certificate problem: hostname mismatch "
				   "('wrong.example' is not in the "
				   "certificate)"))
				w->bad++;
		} else {
			if (wsx_tls_write(c.t, msg, strlen(msg)) !=
			    (long)strlen(msg))
				w->bad++;
			pump(&c, &s, 0);
			if (s.len != strlen(msg) || memcmp(s.got, msg, s.len))
				w->bad++;
		}
		end_release(&c);
		end_release(&s);
	}
	return NULL;
}

static void
test_threads(void)
{
	struct wsx_tls_ctx *sctx = server_ctx("server.pem", "server.key", NULL);
	struct wsx_tls_ctx *cctx = client_ctx("ca.pem", NULL, NULL);
	struct worker w[4];
	pthread_t th[4];
	int bad = 0, started = 0;

	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ sctx, cctx, 0 };
		if (!pthread_create(&th[i], NULL, worker_run, &w[i]))
			started++;
		else
			break;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		bad += w[i].bad;
	}
	is_int(started, 4, "four threads started");
	is_int(bad, 0,
	       "four threads sharing contexts: every handshake, message and "
	       "error as expected");
	wsx_tls_ctx_free(cctx);
	wsx_tls_ctx_free(sctx);
}

int
main(void)
{
	make_files();
	test_handshake();
	test_bulk();
	test_close();
	test_tampered();
	test_verify();
	test_mtls();
	test_versions();
	test_not_tls();
	test_random();
	test_pins();
	test_contexts();
	test_threads();
	remove_files();
	return done_testing();
}
