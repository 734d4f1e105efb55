/*
 * Fuzz the proxy tunnels' answer parsers (proto/tunnel.c): the input is
 * what an HTTP CONNECT or SOCKS5 proxy answers, fed in two pieces. The
 * result must be MORE, OPEN with no more bytes taken than given, or FAILED
 * with one printable line; it stays what it became.
 *
 * Input: byte 0 picks the kind (bits 0-1), credentials (bit 2) and the
 * split point (the rest); the remainder is the proxy's answer.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "proto/tunnel.h"

static void
check_err(const struct wsx_err *err)
{
	FUZZ_ASSERT(err->msg[0]);
	for (const char *p = err->msg; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum wsx_tunnel_kind kinds[] = { WSX_TUNNEL_HTTP,
						      WSX_TUNNEL_SOCKS5,
						      WSX_TUNNEL_SOCKS5H,
						      WSX_TUNNEL_HTTP };
	struct wsx_tunnel_opts o = { .host = "example.org",
				     .port = 443,
				     .address = "192.0.2.1" };
	struct wsx_tunnel t;
	struct wsx_err err = { 0, "" };
	size_t cut, used = 0, len;
	int rc;

	if (!size)
		return 0;
	o.kind = kinds[data[0] & 3];
	if (data[0] & 4) {
		o.user = "alice";
		o.password = "secret";
	}
	cut = size > 1 ? (data[0] >> 3) % size : 0;
	data++;
	size--;
	if (cut > size)
		cut = size;
	FUZZ_ASSERT(wsx_tunnel_start(&t, &o, &err) == 0);
	wsx_tunnel_output(&t, &len);
	FUZZ_ASSERT(len > 0);
	wsx_tunnel_consume(&t, len);
	rc = wsx_tunnel_feed(&t, data, cut, &used, &err);
	FUZZ_ASSERT(used <= cut);
	if (rc == WSX_TUNNEL_MORE) {
		wsx_tunnel_output(&t, &len);
		wsx_tunnel_consume(&t, len);
		rc = wsx_tunnel_feed(&t, data + cut, size - cut, &used, &err);
		FUZZ_ASSERT(used <= size - cut);
	}
	if (rc == WSX_TUNNEL_FAILED) {
		check_err(&err);
		FUZZ_ASSERT(wsx_tunnel_feed(&t, data, size, &used, &err) ==
			    WSX_TUNNEL_FAILED);
	} else if (rc == WSX_TUNNEL_OPEN) {
		FUZZ_ASSERT(wsx_tunnel_is_open(&t));
		FUZZ_ASSERT(wsx_tunnel_feed(&t, data, size, &used, &err) ==
				    WSX_TUNNEL_OPEN &&
			    used == 0);
	} else {
		FUZZ_ASSERT(rc == WSX_TUNNEL_MORE);
		if (wsx_tunnel_eof(&t, &err) == WSX_TUNNEL_FAILED)
			check_err(&err);
	}
	wsx_tunnel_release(&t);
	return 0;
}
