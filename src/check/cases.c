/*
 * The table of wsx check's cases, numbered after Autobahn|Testsuite's
 * groups where one exists (1 framing, 2 pings, 3 reserved bits, 4 opcodes,
 * 5 fragmentation, 6 UTF-8, 7 close, 9 limits) and 0 for the handshake.
 */
#include "config.h"

#include "check/cases_int.h"
#include "ws/frame.h"

#define S(s) s, sizeof(s) - 1
#define HS(id, n, desc)                                                        \
	{                                                                      \
		id, "handshake", "4.2.1", false, desc, hs_request, NULL, 0, n  \
	}
#define LEN(id, t, n, desc)                                                    \
	{                                                                      \
		id, "framing", "5.2", true, desc, fr_len, t, 1, n              \
	}
#define BAD(id, grp, b0, desc)                                                 \
	{                                                                      \
		id, grp, "5.2", false, desc, bad_first_byte, S("reserved"), b0 \
	}
#define VALID(id, s, desc)                                                     \
	{                                                                      \
		id, "utf8", "8.1", true, desc, utf8_valid, S(s), 0             \
	}
#define INVALID(id, s, desc)                                                   \
	{                                                                      \
		id, "utf8", "8.1", false, desc, utf8_invalid, S(s), 0          \
	}
#define SPLIT(id, n)                                                            \
	{                                                                       \
		id, "utf8", "5.6", true,                                        \
			"valid text split across two fragments after byte " #n, \
			utf8_split, S(KAPPA_EURO_CLEF), n                       \
	}
#define CODE(id, n)                                                            \
	{                                                                      \
		id, "close", "7.4.1", false,                                   \
			"close with code " #n ": the same code back",          \
			close_code, NULL, 0, n                                 \
	}
#define BADCODE(id, n)                                                         \
	{                                                                      \
		id, "close", "7.4.2", false,                                   \
			"close with code " #n " (not to be sent): close 1002", \
			close_bad_code, NULL, 0, n                             \
	}
#define LIMIT(id, n, step, desc)                                               \
	{                                                                      \
		id, "limits", "10.4", true, desc, limit_size, NULL, step, n    \
	}
#define DFL(id, echo, desc, fn, data, len, n)                                  \
	{                                                                      \
		id, "compression", "RFC 7692", echo, desc, fn, data, len, n    \
	}
#define DFLS(id, echo, desc, fn, s, n)                                         \
	{                                                                      \
		id, "compression", "RFC 7692", echo, desc, fn, S(s), n         \
	}

/* U+03BA U+20AC U+1D11E: a 2-, a 3- and a 4-byte sequence */
#define KAPPA_EURO_CLEF "\xce\xba\xe2\x82\xac\xf0\x9d\x84\x9e"
#define KOSME		"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

const struct chk_case chk_cases[] = {
	HS("0.1", 0,
	   "a valid upgrade: 101 with the right Sec-WebSocket-Accept"),
	HS("0.2", 1, "Sec-WebSocket-Version: 99: refused, with 426"),
	HS("0.3", 2, "no Sec-WebSocket-Key: refused with a 4xx"),
	HS("0.4", 3, "a Sec-WebSocket-Key of 5 bytes: refused with a 4xx"),
	HS("0.5", 4, "Connection: keep-alive, Upgrade (a token list): 101"),
	HS("0.6", 5, "header names and values in other cases: 101"),
	HS("0.7", 6, "a POST upgrade request: refused with a 4xx"),
	HS("0.8", 7, "no Upgrade header: no 101 (a 4xx, or plain HTTP)"),
	HS("0.9", 8, "a refused version names 13 in Sec-WebSocket-Version"),

	LEN("1.1.1", "t", 0, "text message of 0 bytes echoed"),
	LEN("1.1.2", "t", 125, "text message of 125 bytes (7-bit length)"),
	LEN("1.1.3", "t", 126, "text message of 126 bytes (16-bit length)"),
	LEN("1.1.4", "t", 127, "text message of 127 bytes"),
	LEN("1.1.5", "t", 128, "text message of 128 bytes"),
	LEN("1.1.6", "t", 65535,
	    "text message of 65535 bytes (largest 16-bit)"),
	LEN("1.1.7", "t", 65536, "text message of 65536 bytes (64-bit length)"),
	{ "1.1.8", "framing", "5.2", true,
	  "text of 65536 bytes written in pieces of 997", fr_chunked, NULL, 0,
	  997 },
	LEN("1.2.1", "b", 0, "binary message of 0 bytes echoed"),
	LEN("1.2.2", "b", 125, "binary message of 125 bytes"),
	LEN("1.2.3", "b", 126, "binary message of 126 bytes"),
	LEN("1.2.4", "b", 127, "binary message of 127 bytes"),
	LEN("1.2.5", "b", 128, "binary message of 128 bytes"),
	LEN("1.2.6", "b", 65535, "binary message of 65535 bytes"),
	LEN("1.2.7", "b", 65536, "binary message of 65536 bytes"),
	LEN("1.2.8", "b", 1048576, "binary message of 1 MiB"),
	{ "1.3.1", "framing", "5.2", true,
	  "length 5 written in 16 bits (not minimal): accepted or not",
	  fr_nonminimal, S("hello"), CHK_LEN_16 },
	{ "1.3.2", "framing", "5.2", true,
	  "length 5 written in 64 bits (not minimal): accepted or not",
	  fr_nonminimal, S("hello"), CHK_LEN_64 },
	{ "1.3.3", "framing", "5.2", false,
	  "64-bit length with the top bit set: close 1002 or 1009", fr_topbit,
	  NULL, 0, 0 },
	{ "1.4.1", "framing", "5.1", false,
	  "an unmasked client frame: close 1002", fr_unmasked, NULL, 0, 0 },
	{ "1.5.1", "framing", "5.2", true,
	  "a text frame written one byte at a time", fr_bytewise, NULL, 0, 0 },

	{ "2.1", "ping", "5.5.2", false, "ping without payload: empty pong",
	  ping_echo, S(""), 0 },
	{ "2.2", "ping", "5.5.2", false,
	  "ping with a text payload: pong with it", ping_echo,
	  S("Hello, world!"), 0 },
	{ "2.3", "ping", "5.5.2", false,
	  "ping with 125 bytes of binary: pong with them", ping_echo, NULL, 0,
	  125 },
	{ "2.4", "ping", "5.5", false, "ping of 126 bytes: close 1002",
	  ping_too_long, NULL, 0, WS_OP_PING },
	{ "2.5", "ping", "5.5.2", false,
	  "ping of 125 bytes written one byte at a time", ping_bytewise, NULL,
	  0, 0 },
	{ "2.6", "ping", "5.5.3", false, "unsolicited empty pong: ignored",
	  pong_unsolicited, S(""), 0 },
	{ "2.7", "ping", "5.5.3", false,
	  "unsolicited pong with payload: ignored", pong_unsolicited,
	  S("unsolicited"), 0 },
	{ "2.8", "ping", "5.5.3", false,
	  "unsolicited pong, then a ping: its pong only", pong_then_ping, NULL,
	  0, 0 },
	{ "2.9", "ping", "5.5.3", false, "ten pings in a row: ten pongs",
	  ping_ten, NULL, 0, 0 },
	{ "2.10", "ping", "5.5", false, "pong of 126 bytes: close 1002",
	  ping_too_long, NULL, 0, WS_OP_PONG },

	BAD("3.1", "rsv", CHK_FIN | WS_RSV1 | WS_OP_TEXT,
	    "text with RSV1 set and no extension: close 1002"),
	BAD("3.2", "rsv", CHK_FIN | WS_RSV2 | WS_OP_TEXT,
	    "text with RSV2 set: close 1002"),
	BAD("3.3", "rsv", CHK_FIN | WS_RSV3 | WS_OP_TEXT,
	    "text with RSV3 set: close 1002"),
	BAD("3.4", "rsv", CHK_FIN | WS_RSV1 | WS_RSV2 | WS_RSV3 | WS_OP_BINARY,
	    "binary with all RSV bits set: close 1002"),
	BAD("3.5", "rsv", CHK_FIN | WS_RSV2 | WS_OP_PING,
	    "ping with RSV2 set: close 1002"),
	{ "3.6", "rsv", "5.2", true,
	  "text echoed, then text with RSV3: close 1002", bad_after_echo,
	  S("reserved"), CHK_FIN | WS_RSV3 | WS_OP_TEXT },

	BAD("4.1.1", "opcodes", CHK_FIN | 3,
	    "reserved data opcode 3: close 1002"),
	BAD("4.1.2", "opcodes", CHK_FIN | 4,
	    "reserved data opcode 4: close 1002"),
	BAD("4.1.3", "opcodes", CHK_FIN | 5,
	    "reserved data opcode 5: close 1002"),
	BAD("4.1.4", "opcodes", CHK_FIN | 6,
	    "reserved data opcode 6: close 1002"),
	BAD("4.1.5", "opcodes", CHK_FIN | 7,
	    "reserved data opcode 7: close 1002"),
	BAD("4.2.1", "opcodes", CHK_FIN | 0xb,
	    "reserved control opcode 11: close 1002"),
	BAD("4.2.2", "opcodes", CHK_FIN | 0xc,
	    "reserved control opcode 12: close 1002"),
	BAD("4.2.3", "opcodes", CHK_FIN | 0xd,
	    "reserved control opcode 13: close 1002"),
	BAD("4.2.4", "opcodes", CHK_FIN | 0xe,
	    "reserved control opcode 14: close 1002"),
	BAD("4.2.5", "opcodes", CHK_FIN | 0xf,
	    "reserved control opcode 15: close 1002"),
	{ "4.3.1", "opcodes", "5.2", true,
	  "text echoed, then opcode 5: close 1002", bad_after_echo,
	  S("reserved"), CHK_FIN | 5 },

	{ "5.1", "fragmentation", "5.4", false, "a fragmented ping: close 1002",
	  frag_bad, S("\x09\x80"), 0 },
	{ "5.2", "fragmentation", "5.4", false, "a fragmented pong: close 1002",
	  frag_bad, S("\x0a\x80"), 0 },
	{ "5.3", "fragmentation", "5.4", false,
	  "a fragmented close: close 1002", frag_bad, S("\x08\x80"), 0 },
	{ "5.4", "fragmentation", "5.4", true,
	  "text in two fragments: one message", frag_text, NULL, 0, 0 },
	{ "5.5", "fragmentation", "5.4", true,
	  "three fragments with pings between: pongs and the message",
	  frag_ping_between, NULL, 0, 0 },
	{ "5.6", "fragmentation", "5.4", true, "the same, 50 ms between frames",
	  frag_ping_between, NULL, 0, 50 },
	{ "5.7", "fragmentation", "5.4", false,
	  "a continuation with no message started: close 1002", frag_bad,
	  S("\x80"), 0 },
	{ "5.8", "fragmentation", "5.4", false,
	  "an unfinished continuation first: close 1002", frag_bad,
	  S("\x00\x80"), 0 },
	{ "5.9", "fragmentation", "5.4", false,
	  "a new text inside a fragmented one: close 1002", frag_bad,
	  S("\x01\x81"), 0 },
	{ "5.10", "fragmentation", "5.4", false,
	  "a new binary inside a fragmented text: close 1002", frag_bad,
	  S("\x01\x00\x82"), 0 },
	{ "5.11", "fragmentation", "5.4", true,
	  "300 bytes of binary, one fragment per byte", frag_bytes, NULL, 0,
	  300 },
	{ "5.12", "fragmentation", "5.4", true,
	  "three empty text fragments: an empty message", frag_empty, NULL, 0,
	  0 },
	{ "5.13", "fragmentation", "5.5", false,
	  "a close between fragments: answered", frag_close_between, NULL, 0,
	  0 },

	VALID("6.1.1",
	      "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!",
	      "valid UTF-8 with 2-byte sequences echoed"),
	VALID("6.1.2", KOSME, "the Greek word kosme echoed"),
	VALID("6.1.3", "\xc2\x80\xe0\xa0\x80\xf0\x90\x80\x80",
	      "the first 2-, 3- and 4-byte code points"),
	VALID("6.1.4", "\x7f\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf",
	      "the last 1-, 2-, 3- and 4-byte code points (U+10FFFF)"),
	VALID("6.1.5", "\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbd",
	      "around the surrogates: U+D7FF U+E000 U+FFFD"),
	VALID("6.1.6", "\xef\xbf\xbe\xef\xb7\x90",
	      "noncharacters U+FFFE U+FDD0 are valid UTF-8"),
	VALID("6.1.7",
	      "\xef\xbb\xbf"
	      "BOM",
	      "a byte order mark is kept"),
	VALID("6.1.8", "a\0b", "a NUL byte in text"),
	INVALID("6.2.1", "\x80", "a lone continuation byte: close 1007"),
	INVALID("6.2.2", "\xc0\xaf", "overlong '/' in 2 bytes: close 1007"),
	INVALID("6.2.3", "\xe0\x80\xaf", "overlong '/' in 3 bytes: close 1007"),
	INVALID("6.2.4", "\xed\xa0\x80", "a surrogate U+D800: close 1007"),
	INVALID("6.2.5", "\xed\xa0\x80\xed\xb0\x80",
		"a surrogate pair: close 1007"),
	INVALID("6.2.6", "\xf4\x90\x80\x80",
		"U+110000, past the last code point: close 1007"),
	INVALID("6.2.7", "\xfe", "byte FE: close 1007"),
	INVALID("6.2.8", "\xff", "byte FF: close 1007"),
	INVALID("6.2.9", "\xf8\x88\x80\x80\x80",
		"a 5-byte sequence: close 1007"),
	INVALID("6.2.10", "\xce\xba\xe1\xbd",
		"text ending inside a sequence: close 1007"),
	INVALID("6.2.11",
		KOSME "\xed\xa0\x80"
		      "edited",
		"kosme, a surrogate, more text: close 1007"),
	SPLIT("6.3.1", 1),
	SPLIT("6.3.2", 2),
	SPLIT("6.3.3", 3),
	SPLIT("6.3.4", 4),
	SPLIT("6.3.5", 5),
	SPLIT("6.3.6", 6),
	SPLIT("6.3.7", 7),
	SPLIT("6.3.8", 8),
	{ "6.3.9", "utf8", "5.6", true, "valid text, one fragment per byte",
	  utf8_frags, S(KAPPA_EURO_CLEF), 1 },
	{ "6.4.1", "utf8", "8.1", false,
	  "a 4-byte sequence split, the rest not a continuation: close 1007",
	  utf8_frags,
	  S("\xf0\x9d"
	    "(abc"),
	  -2 },
	{ "6.4.2", "utf8", "8.1", false,
	  "U+110000 split across fragments: close 1007", utf8_frags,
	  S("\xce\xba\xf4"
	    "\x90\x80\x80"),
	  -3 },
	{ "6.4.3", "utf8", "8.1", false,
	  "a surrogate split across fragments after byte 1: close 1007",
	  utf8_frags, S("\xce\xba\xed\xa0\x80"), -1 },
	{ "6.4.4", "utf8", "8.1", false,
	  "a surrogate split across fragments after byte 2: close 1007",
	  utf8_frags, S("\xce\xba\xed\xa0\x80"), -2 },
	{ "6.4.5", "utf8", "8.1", false,
	  "a surrogate split across fragments after byte 3: close 1007",
	  utf8_frags, S("\xce\xba\xed\xa0\x80"), -3 },
	{ "6.4.6", "utf8", "8.1", false,
	  "a surrogate split across fragments after byte 4: close 1007",
	  utf8_frags, S("\xce\xba\xed\xa0\x80"), -4 },
	{ "6.5.1", "utf8", "8.1", false,
	  "invalid in the first fragment: fail before the last", utf8_fail_fast,
	  S(KOSME "\xed\xa0\x80"
		  "edited"),
	  14 },
	{ "6.5.2", "utf8", "8.1", false,
	  "invalid early in a frame sent in two pieces: fail on the first",
	  utf8_fail_fast_frame,
	  S(KOSME "\xed\xa0\x80"
		  "edited"
		  "-and-more-text-after-it"),
	  14 },

	CODE("7.1.1", 1000),
	{ "7.1.2", "close", "5.5.1", false, "an empty close: a close back",
	  close_code, NULL, 0, 0 },
	{ "7.1.3", "close", "5.5.1", false, "text after the close: ignored",
	  close_then, S("after close"), CHK_FIN | WS_OP_TEXT },
	{ "7.1.4", "close", "5.5.1", false, "a ping after the close: no pong",
	  close_then, S("after close"), CHK_FIN | WS_OP_PING },
	{ "7.1.5", "close", "5.5.1", true, "text echoed, then a close",
	  close_after_echo, NULL, 0, 0 },
	{ "7.2.1", "close", "5.5.1", false,
	  "a close payload of 1 byte: close 1002", close_raw, S("\x03"), 1002 },
	{ "7.2.2", "close", "5.5.1", false,
	  "close 1000 with a reason: close 1000 back", close_raw,
	  S("\x03\xe8"
	    "bye now"),
	  0 },
	{ "7.2.3", "close", "5.5.1", false,
	  "a close reason of 123 bytes (the most): answered", close_raw,
	  S("\x03\xe8"
	    "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012"),
	  0 },
	{ "7.2.4", "close", "5.5", false,
	  "a close payload of 126 bytes: close 1002", close_raw,
	  S("\x03\xe8"
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123"),
	  1002 },
	{ "7.2.5", "close", "8.1", false,
	  "a close reason that is not UTF-8: close 1007", close_raw,
	  S("\x03\xe8" KOSME "\xed\xa0\x80"
	    "edited"),
	  1007 },
	CODE("7.3.1", 1001),
	CODE("7.3.2", 1002),
	CODE("7.3.3", 1003),
	CODE("7.3.4", 1007),
	CODE("7.3.5", 1008),
	CODE("7.3.6", 1009),
	CODE("7.3.7", 1010),
	CODE("7.3.8", 1011),
	CODE("7.3.9", 3000),
	CODE("7.3.10", 3999),
	CODE("7.3.11", 4000),
	CODE("7.3.12", 4999),
	BADCODE("7.4.1", 0),
	BADCODE("7.4.2", 999),
	BADCODE("7.4.3", 1004),
	BADCODE("7.4.4", 1005),
	BADCODE("7.4.5", 1006),
	BADCODE("7.4.6", 1015),
	BADCODE("7.4.7", 1016),
	BADCODE("7.4.8", 1100),
	BADCODE("7.4.9", 2000),
	BADCODE("7.4.10", 2999),
	BADCODE("7.4.11", 5000),
	BADCODE("7.4.12", 65535),

	LIMIT("9.1.1", 262144, 0, "binary message of 256 KiB"),
	LIMIT("9.1.2", 4194304, 0, "binary message of 4 MiB"),
	LIMIT("9.1.3", 16777216, 0, "binary message of 16 MiB"),
	LIMIT("9.2.1", 4194304, 65536, "4 MiB of binary in 64 KiB fragments"),
	LIMIT("9.2.2", 1048576, 1024, "1 MiB of binary in 1 KiB fragments"),

	DFL("12.1", true,
	    "offer with client_max_window_bits: a valid answer, a round trip",
	    dfl_negotiate, "permessage-deflate; client_max_window_bits", 0, 0),
	DFL("12.2", true,
	    "offer with server_no_context_takeover: answered with it",
	    dfl_negotiate, "permessage-deflate; server_no_context_takeover", 0,
	    1),
	DFL("12.3", true,
	    "offer with server_max_window_bits=10: answered with 10 or less",
	    dfl_negotiate, "permessage-deflate; server_max_window_bits=10", 0,
	    10),
	DFL("12.4", false, "an offer with an unknown parameter: declined",
	    dfl_decline, "permessage-deflate; x-unknown=1", 1, 0),
	DFL("12.5", false,
	    "two offers, the first with window bits 7: not that one",
	    dfl_decline,
	    "permessage-deflate; server_max_window_bits=7, permessage-deflate",
	    2, 0),
	DFL("13.1", true, "a compressed text message echoed", dfl_echo,
	    "Hello, Hello, Hello, compressed world", 1, 0),
	DFL("13.2", true, "a compressed binary message of 64 KiB echoed",
	    dfl_echo, NULL, 1, 65536),
	DFL("13.3", true,
	    "a compressed message in 3 fragments (RSV1 on the first)", dfl_echo,
	    NULL, 3, 4096),
	DFL("13.4", true, "an uncompressed message on a deflate connection",
	    dfl_plain, NULL, 0, 0),
	DFL("13.5", true, "ten compressed messages with context takeover",
	    dfl_ten, NULL, 0, 0),
	DFL("13.6", false, "RSV1 on a continuation frame: close 1002", dfl_bad,
	    NULL, 0, 0),
	DFL("13.7", false, "RSV1 on a ping: close 1002", dfl_bad, NULL, 0, 1),
	DFLS("13.8", false,
	     "compressed text that inflates to invalid UTF-8: close 1007",
	     dfl_bad, KOSME "\xed\xa0\x80", 2),
	DFLS("13.9", false,
	     "RSV1 on bytes that are not deflate: close 1007 or 1002", dfl_bad,
	     "\xff\xff\xff\xff\xff\xff", 3),
};

const size_t chk_ncases = sizeof(chk_cases) / sizeof(chk_cases[0]);
