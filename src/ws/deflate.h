/*
 * permessage-deflate (RFC 7692) on zlib: negotiating its parameters in
 * both roles, and compressing and decompressing whole messages with or
 * without context takeover, with a limit on the decompressed size.
 */
#ifndef WSX_WS_DEFLATE_H
#define WSX_WS_DEFLATE_H

#include <stdbool.h>
#include <stddef.h>

#include <zlib.h>

#include "util/buf.h"

/*
 * The extension's parameters, as offered, wanted or agreed. A window of 0
 * means "not given" (15 is then in force); client_max_window_bits may also
 * be WS_DEFLATE_BITS_ANY in a client's offer: the parameter without a
 * value, "I can limit my window if you ask".
 */
struct ws_deflate_params {
	bool server_no_context_takeover;
	bool client_no_context_takeover;
	int server_max_window_bits; /* 0 or 8..15 */
	int client_max_window_bits; /* 0, 8..15, or WS_DEFLATE_BITS_ANY */
};
#define WS_DEFLATE_BITS_ANY (-1)

/* The longest value ws_deflate_offer and ws_deflate_answer write. */
#define WS_DEFLATE_HEADER_MAX 128

/*
 * Client: write the Sec-WebSocket-Extensions value offering want (and its
 * NUL) to out; returns its length. Window bits of 8 are offered as 9:
 * zlib cannot compress raw deflate in a 256-byte window.
 */
size_t ws_deflate_offer(char out[WS_DEFLATE_HEADER_MAX],
			const struct ws_deflate_params *want);

/*
 * Server: pick the first acceptable permessage-deflate offer in a
 * Sec-WebSocket-Extensions value (several header lines joined with ", "),
 * given what this server wants (its own window and context takeover; a
 * client window it would like). Returns 1 with *agreed filled, 0 when no
 * offer is acceptable (an offer with an unknown, repeated or out-of-range
 * parameter is declined, as RFC 7692 5 asks), -1 when the header does not
 * parse at all.
 */
int ws_deflate_negotiate(const char *value, size_t len,
			 const struct ws_deflate_params *want,
			 struct ws_deflate_params *agreed);

/* Server: the response's extension value for agreed; returns its length. */
size_t ws_deflate_answer(char out[WS_DEFLATE_HEADER_MAX],
			 const struct ws_deflate_params *agreed);

/*
 * Client: check the server's permessage-deflate response (value: its
 * parameters, which must answer offered) and fill agreed. -1 with a
 * reason in why when the server answered with something not offered.
 */
int ws_deflate_check_answer(const char *value, size_t len,
			    const struct ws_deflate_params *offered,
			    struct ws_deflate_params *agreed, const char **why);

/* One connection's compressor and decompressor, made when first used. */
struct ws_deflate {
	z_stream tx, rx;
	bool tx_ready, rx_ready;
	bool tx_reset, rx_reset; /* no context takeover in that direction */
	int tx_bits, rx_bits;	 /* window bits to use (rx: 15, see init) */
	bool tx_off;		 /* agreed window too small for zlib: never
				    compress (uncompressed messages are legal) */
	bool rx_end;		 /* a final block came in this message */
	size_t rx_max;		 /* decompressed bytes allowed per message */
};

/* Set up d for agreed parameters; server says which side we are. */
void ws_deflate_init(struct ws_deflate *d,
		     const struct ws_deflate_params *agreed, bool server,
		     size_t max_message);
void ws_deflate_release(struct ws_deflate *d);

/* Whether ws_deflate_compress can be used for the next message. */
bool ws_deflate_can_compress(const struct ws_deflate *d);

/*
 * Compress len bytes of a message and append them to out; fin ends the
 * message (its trailing 00 00 ff ff is removed, RFC 7692 7.2.1). A message
 * may be given in several calls. -1 when out would pass its cap.
 */
int ws_deflate_compress(struct ws_deflate *d, const void *data, size_t len,
			bool fin, struct wsx_buf *out);

/*
 * Decompress len bytes of a compressed message, appending the result to
 * out; fin ends the message. Returns 0, or a close code: 1009 when the
 * message would decompress to more than max_message bytes in all (out's
 * length counts as what came before), 1007 when the data is not deflate.
 */
int ws_deflate_decompress(struct ws_deflate *d, const void *data, size_t len,
			  bool fin, struct wsx_buf *out, size_t *total);

#endif
