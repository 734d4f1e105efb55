/*
 * permessage-deflate on zlib; see deflate.h.
 *
 * Window bits: zlib's raw deflate refuses an 8-bit window (it silently
 * makes 8 into 9 only for the zlib wrapper), so a compressor held to 8
 * bits by the agreement cannot be built. Compressing with 9 would send
 * back-references the peer's 256-byte window cannot follow, so instead
 * that direction sends its messages uncompressed, which RFC 7692 allows
 * per message. A client offering client_max_window_bits=8 offers 9 for the
 * same reason. Decompressing uses at least 9 bits, which costs 256 bytes
 * and tolerates peers that agreed 8 and used zlib's 9.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ws/deflate.h"
#include "ws/http.h"

static const unsigned char pmd_tail[4] = { 0x00, 0x00, 0xff, 0xff };

size_t
ws_deflate_offer(char out[WS_DEFLATE_HEADER_MAX],
		 const struct ws_deflate_params *want)
{
	int n, cb = want->client_max_window_bits;

	if (cb == 8)
		cb = 9;
	n = snprintf(out, WS_DEFLATE_HEADER_MAX, "permessage-deflate%s%s",
		     want->server_no_context_takeover
			     ? "; server_no_context_takeover"
			     : "",
		     want->client_no_context_takeover
			     ? "; client_no_context_takeover"
			     : "");
	if (want->server_max_window_bits)
		n += snprintf(out + n, WS_DEFLATE_HEADER_MAX - (size_t)n,
			      "; server_max_window_bits=%d",
			      want->server_max_window_bits);
	if (cb == WS_DEFLATE_BITS_ANY)
		n += snprintf(out + n, WS_DEFLATE_HEADER_MAX - (size_t)n,
			      "; client_max_window_bits");
	else if (cb)
		n += snprintf(out + n, WS_DEFLATE_HEADER_MAX - (size_t)n,
			      "; client_max_window_bits=%d", cb);
	return (size_t)n;
}

size_t
ws_deflate_answer(char out[WS_DEFLATE_HEADER_MAX],
		  const struct ws_deflate_params *a)
{
	int n = snprintf(
		out, WS_DEFLATE_HEADER_MAX, "permessage-deflate%s%s",
		a->server_no_context_takeover ? "; server_no_context_takeover"
					      : "",
		a->client_no_context_takeover ? "; client_no_context_takeover"
					      : "");

	if (a->server_max_window_bits)
		n += snprintf(out + n, WS_DEFLATE_HEADER_MAX - (size_t)n,
			      "; server_max_window_bits=%d",
			      a->server_max_window_bits);
	if (a->client_max_window_bits > 0)
		n += snprintf(out + n, WS_DEFLATE_HEADER_MAX - (size_t)n,
			      "; client_max_window_bits=%d",
			      a->client_max_window_bits);
	return (size_t)n;
}

/*
 * Parse the parameters after an extension's name (";" param ...) into p.
 * Returns 0, or -1 with *why for an unknown or repeated parameter or a
 * bad value. A value may be a quoted string holding a token (RFC 7692 5).
 */
static int
pmd_params(const char *s, const char *end, struct ws_deflate_params *p,
	   const char **why)
{
	unsigned seen = 0;

	memset(p, 0, sizeof(*p));
	while (s < end) {
		const char *name, *val = NULL;
		size_t nlen, vlen = 0;
		unsigned bit;
		int bits = 0;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		if (*s++ != ';')
			return *why = "parameters must follow ';'", -1;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		for (name = s; s < end && !strchr(" \t;=", *s); s++)
			;
		nlen = (size_t)(s - name);
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s < end && *s == '=') {
			s++;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			if (s < end && *s == '"') {
				val = ++s;
				while (s < end && *s != '"')
					s++;
				if (s == end)
					return *why = "an unterminated quoted value",
					       -1;
				vlen = (size_t)(s++ - val);
			} else {
				for (val = s; s < end && !strchr(" \t;", *s);
				     s++)
					;
				vlen = (size_t)(s - val);
			}
			if (vlen == 2 && val[0] == '1' && val[1] >= '0' &&
			    val[1] <= '5')
				bits = 10 + val[1] - '0';
			else if (vlen == 1 && val[0] >= '8' && val[0] <= '9')
				bits = val[0] - '0';
			else
				return *why = "a window size is not 8..15", -1;
		}
#define PMD_IS(lit) (nlen == sizeof(lit) - 1 && !strncasecmp(name, lit, nlen))
		if (PMD_IS("server_no_context_takeover") && !val) {
			bit = 1;
			p->server_no_context_takeover = true;
		} else if (PMD_IS("client_no_context_takeover") && !val) {
			bit = 2;
			p->client_no_context_takeover = true;
		} else if (PMD_IS("server_max_window_bits") && val) {
			bit = 4;
			p->server_max_window_bits = bits;
		} else if (PMD_IS("client_max_window_bits")) {
			bit = 8;
			p->client_max_window_bits =
				val ? bits : WS_DEFLATE_BITS_ANY;
		} else {
			return *why = "an unknown parameter or a value where none belongs",
			       -1;
		}
#undef PMD_IS
		if (seen & bit)
			return *why = "a parameter given twice", -1;
		seen |= bit;
	}
	return 0;
}

int
ws_deflate_negotiate(const char *value, size_t len,
		     const struct ws_deflate_params *want,
		     struct ws_deflate_params *agreed)
{
	const char *s = value, *end = value + len, *item;
	size_t ilen;

	while (ws_http_list_next(&s, end, &item, &ilen)) {
		struct ws_deflate_params o;
		const char *why;
		size_t nl = 0;
		int w;

		while (nl < ilen && !strchr(" \t;", item[nl]))
			nl++;
		if (!ws_http_is_token(item, nl))
			return -1;
		if (nl != 18 || strncasecmp(item, "permessage-deflate", 18) ||
		    pmd_params(item + nl, item + ilen, &o, &why))
			continue; /* another extension, or an offer declined */
		agreed->server_no_context_takeover =
			o.server_no_context_takeover ||
			want->server_no_context_takeover;
		agreed->client_no_context_takeover =
			o.client_no_context_takeover ||
			want->client_no_context_takeover;
		w = want->server_max_window_bits > 0
			    ? want->server_max_window_bits
			    : 15;
		if (o.server_max_window_bits)
			agreed->server_max_window_bits =
				o.server_max_window_bits < w
					? o.server_max_window_bits
					: w;
		else
			agreed->server_max_window_bits =
				want->server_max_window_bits;
		/* client_max_window_bits may be answered only if offered */
		agreed->client_max_window_bits = 0;
		if (o.client_max_window_bits) {
			w = want->client_max_window_bits > 0
				    ? want->client_max_window_bits
				    : 0;
			if (o.client_max_window_bits > 0 &&
			    (!w || o.client_max_window_bits < w))
				w = o.client_max_window_bits;
			agreed->client_max_window_bits = w;
		}
		return 1;
	}
	return 0;
}

int
ws_deflate_check_answer(const char *value, size_t len,
			const struct ws_deflate_params *offered,
			struct ws_deflate_params *agreed, const char **why)
{
	int ocb = offered->client_max_window_bits;

	if (ocb == 8)
		ocb = 9; /* what ws_deflate_offer sent */
	if (pmd_params(value, value + len, agreed, why))
		return -1;
	if (offered->server_max_window_bits &&
	    (!agreed->server_max_window_bits ||
	     agreed->server_max_window_bits > offered->server_max_window_bits))
		return *why = "server_max_window_bits is not what was asked",
		       -1;
	if (agreed->client_max_window_bits == WS_DEFLATE_BITS_ANY)
		return *why = "client_max_window_bits has no value", -1;
	if (agreed->client_max_window_bits &&
	    (!ocb || (ocb > 0 && agreed->client_max_window_bits > ocb)))
		return *why = "client_max_window_bits was not offered so", -1;
	return 0;
}

void
ws_deflate_init(struct ws_deflate *d, const struct ws_deflate_params *a,
		bool server, size_t max_message)
{
	int sb = a->server_max_window_bits > 0 ? a->server_max_window_bits : 15;
	int cb = a->client_max_window_bits > 0 ? a->client_max_window_bits : 15;

	memset(d, 0, sizeof(*d));
	d->tx_reset = server ? a->server_no_context_takeover
			     : a->client_no_context_takeover;
	d->rx_reset = server ? a->client_no_context_takeover
			     : a->server_no_context_takeover;
	d->tx_bits = server ? sb : cb;
	/*
	 * Inflate with the largest window, whatever was agreed: zlib sees a
	 * distance past a smaller window only when it reaches before what
	 * the same call wrote, so a peer that overstepped its window would
	 * fail or not depending on how its bytes were split (the fuzzer
	 * found this). With 15 bits every valid stream still inflates.
	 */
	d->rx_bits = 15;
	d->tx_off = d->tx_bits < 9;
	d->rx_max = max_message;
}

void
ws_deflate_release(struct ws_deflate *d)
{
	if (d->tx_ready)
		deflateEnd(&d->tx);
	if (d->rx_ready)
		inflateEnd(&d->rx);
	d->tx_ready = d->rx_ready = false;
}

bool
ws_deflate_can_compress(const struct ws_deflate *d)
{
	return !d->tx_off;
}

int
ws_deflate_compress(struct ws_deflate *d, const void *data, size_t len,
		    bool fin, struct wsx_buf *out)
{
	size_t start = out->len;
	int rc;

	if (!d->tx_ready) {
		if (deflateInit2(&d->tx, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
				 -d->tx_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
		d->tx_ready = true;
	}
	d->tx.next_in = (Bytef *)(uintptr_t)data;
	d->tx.avail_in = 0;
	/* avail_in is 32 bits: feed a long message in pieces */
	do {
		size_t piece = len > (1u << 30) ? (1u << 30) : len;
		size_t room = deflateBound(&d->tx, (uLong)piece) + 16;

		d->tx.avail_in = (uInt)piece;
		len -= piece;
		/* every piece flushed so a streaming sender's data goes out;
		 * each flush ends in 00 00 ff ff, the last one is removed */
		do {
			if (wsx_buf_reserve(out, room))
				return -1;
			d->tx.next_out = wsx_buf_tail(out);
			d->tx.avail_out = (uInt)room;
			rc = deflate(&d->tx, len ? Z_NO_FLUSH : Z_SYNC_FLUSH);
			wsx_buf_commit(out, room - d->tx.avail_out);
		} while (rc == Z_OK && d->tx.avail_out == 0);
	} while (len);
	if (!fin)
		return 0;
	if (out->len - start >= 4 &&
	    !memcmp(wsx_buf_data(out) + out->len - 4, pmd_tail, 4)) {
		out->len -= 4;
	} else if (out->len == start) {
		/* nothing since the last flush: one byte starts the empty
		 * stored block that the receiver's appended tail completes */
		if (wsx_buf_append(out, "", 1))
			return -1;
	}
	if (d->tx_reset)
		deflateReset(&d->tx);
	return 0;
}

/* Inflate what d->rx holds as input into out, within the size limit. */
static int
pmd_inflate(struct ws_deflate *d, struct wsx_buf *out, size_t *total)
{
	for (;;) {
		size_t left = d->rx_max - *total, room = 16384;
		int rc;

		/* one byte past the limit tells a bomb from a fit */
		if (room > left + 1)
			room = left + 1;
		if (wsx_buf_reserve(out, room))
			return 1009;
		d->rx.next_out = wsx_buf_tail(out);
		d->rx.avail_out = (uInt)room;
		rc = inflate(&d->rx, Z_SYNC_FLUSH);
		wsx_buf_commit(out, room - d->rx.avail_out);
		*total += room - d->rx.avail_out;
		if (*total > d->rx_max)
			return 1009;
		if (rc == Z_STREAM_END) {
			/*
			 * A block with BFINAL set (RFC 7692 7.2.3.4): what
			 * follows starts a new stream, and the message ends
			 * with the inflater reset whatever was agreed
			 */
			inflateReset(&d->rx);
			d->rx_end = true;
			if (!d->rx.avail_in)
				return 0;
			continue;
		}
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			return rc == Z_MEM_ERROR ? 1011 : 1007;
		if (d->rx.avail_out == 0)
			continue; /* more output may be waiting */
		if (!d->rx.avail_in || rc == Z_BUF_ERROR)
			return 0;
	}
}

int
ws_deflate_decompress(struct ws_deflate *d, const void *data, size_t len,
		      bool fin, struct wsx_buf *out, size_t *total)
{
	const unsigned char *p = data;
	int rc;

	if (!d->rx_ready) {
		if (inflateInit2(&d->rx, -d->rx_bits) != Z_OK)
			return 1011;
		d->rx_ready = true;
	}
	while (len) {
		size_t piece = len > (1u << 30) ? (1u << 30) : len;

		d->rx.next_in = (Bytef *)(uintptr_t)p;
		d->rx.avail_in = (uInt)piece;
		if ((rc = pmd_inflate(d, out, total)))
			return rc;
		p += piece;
		len -= piece;
	}
	if (!fin)
		return 0;
	d->rx.next_in = (Bytef *)(uintptr_t)pmd_tail;
	d->rx.avail_in = 4;
	if ((rc = pmd_inflate(d, out, total)))
		return rc;
	if (d->rx_reset || d->rx_end)
		inflateReset(&d->rx);
	d->rx_end = false;
	return 0;
}
