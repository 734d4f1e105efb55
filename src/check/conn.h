/*
 * wsx check's own client: one TCP connection with blocking-with-deadline
 * I/O (poll), which writes whatever bytes a case asks for (bad requests,
 * bad frames) and reads the server's HTTP answer and frames back.
 */
#ifndef WSX_CHECK_CONN_H
#define WSX_CHECK_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ssl_ctx_st;
struct ssl_st;

/* Where the server is: ws:// or wss:// (tls set). */
struct chk_target {
	bool tls;
	struct ssl_ctx_st *ssl_ctx; /* wss://: made by the caller */
	char host[256];
	unsigned port;
	char hostport[300]; /* the Host header's value */
	char path[2048];
};

/* The largest frame payload read back (a server's echo of a big message). */
#define CHK_MAX_FRAME (64u << 20)

struct chk_conn {
	int fd;
	struct ssl_st *ssl; /* wss:// */
	unsigned char *rx;
	size_t rx_len, rx_cap;
	size_t rx_used; /* consumed by the last frame, dropped on the next read
			 */
	bool eof;	/* the server closed (FIN or reset) */
	bool wfail;	/* a write failed: the server is gone */
	uint64_t deadline_us;
	uint32_t rng;
	char why[160]; /* the last connect or I/O error, for reports */
};

/* A TLS client context verifying with cacert (NULL: the system's CAs), or
 * nothing when insecure; NULL with why filled when cacert does not load. */
struct ssl_ctx_st *chk_tls_ctx_new(const char *cacert, bool insecure, char *why,
				   size_t size);
void chk_tls_ctx_free(struct ssl_ctx_st *ctx);

void chk_conn_init(struct chk_conn *c);
void chk_conn_release(struct chk_conn *c);

/*
 * Connect (and for wss:// do the TLS handshake) before the deadline. 0,
 * or -1 with c->why filled.
 */
int chk_conn_open(struct chk_conn *c, const struct chk_target *t);
/* As chk_conn_open; a TLS failure returns -2. */
int chk_conn_open_tls(struct chk_conn *c, const struct chk_target *t);
/* Write all of buf (errors set c->wfail: what the server said is read next). */
void chk_conn_write(struct chk_conn *c, const void *buf, size_t len);

/*
 * Read the HTTP response head (up to the empty line) into head, NUL
 * terminated. Returns the status code; -1 on timeout, on EOF or when the
 * first line is not an HTTP status line, with c->why filled. Bytes after
 * the head stay buffered for chk_conn_frame.
 */
int chk_conn_http(struct chk_conn *c, char *head, size_t size);
/* A header's value from a head read by chk_conn_http, or NULL. */
const char *chk_http_header(const char *head, const char *name, char *out,
			    size_t size);

/* How to write a frame's length and mask. */
enum {
	CHK_LEN_MINIMAL = 0,
	CHK_LEN_16 = 1,	    /* 126 + 16 bits even when shorter would do */
	CHK_LEN_64 = 2,	    /* 127 + 64 bits even when shorter would do */
	CHK_LEN_TOPBIT = 3, /* 127 + 64 bits with the top bit set */
	CHK_LEN_MASK = 3,
	CHK_UNMASKED = 0x10, /* no mask, which a client must never do */
};

/*
 * Write one frame: b0 is the first byte as sent (FIN, RSV, opcode), so
 * anything can be expressed. The payload is masked with a fresh key.
 */
void chk_conn_send(struct chk_conn *c, uint8_t b0, const void *data, size_t len,
		   unsigned how);
/* The frame bytes chk_conn_send would write, into a new buffer. */
unsigned char *chk_frame_bytes(struct chk_conn *c, uint8_t b0, const void *data,
			       size_t len, unsigned how, size_t *out_len);

struct chk_frame {
	bool fin, masked;
	uint8_t rsv, opcode;
	const unsigned char *data; /* valid until the next read */
	size_t len;
};

enum chk_read {
	CHK_READ_FRAME = 1,
	CHK_READ_EOF = 0,
	CHK_READ_TIMEOUT = -1,
	CHK_READ_BAD = -2, /* a header that breaks RFC 6455 5.2, or too big */
};

/* Read the next frame before the deadline. */
enum chk_read chk_conn_frame(struct chk_conn *c, struct chk_frame *f);
/* Wait up to until_us (absolute, capped by the deadline) for the server
 * to close the TCP connection; true when it did. Data that comes is
 * dropped. */
bool chk_conn_wait_eof(struct chk_conn *c, uint64_t until_us);

#endif
