#!/usr/bin/env bats
# RFC 6455 (and RFC 7692) behaviour of `wsx serve --echo`, the server role,
# case by case: tests/helpers/ws_peer.py plays each case as a raw-socket
# client (any frame, any handshake, split as it likes) and compares what
# came back, line by line, with the case's transcript in its table.
# A failure prints the expected and the received transcript, the whole
# dialogue and the server's log. Each wait of the peer lasts 2 s at most
# (WS_PEER_TIMEOUT): a server that closes TCP later than that after the
# closing handshake fails the case. Written before the protocol engine
# moved under serve: on libwebsockets' ws role many cases fail.

load helpers

PEER="$HELPERS/ws_peer.py"
# one wait of the peer (seconds); valgrind makes everything slower
[ -z "${WSX_VALGRIND:-}" ] || export WS_PEER_TIMEOUT=10

teardown() {
	stop_servers
}

# serve_case CASE: wsx serve with the options CASE names, then CASE
serve_case() {
	local args
	args=$("$PYTHON" "$PEER" serve-args "$1") || fail "no case $1"
	# shellcheck disable=SC2086 # the options are words
	start_server wsx-serve "$WSX" serve -p 0 $args
	run "$PYTHON" "$PEER" client "$URL" "$1"
	if [ "$status" -ne 0 ]; then
		echo "$output"
		echo "wsx serve -p 0 $args, its log:"
		sed 's/^/  /' "$BATS_TEST_TMPDIR/wsx-serve.log"
		return 1
	fi
}

@test "rfc6455 serve: every case of ws_peer.py's client table has its test here" {
	run "$PYTHON" "$PEER" list client
	assert_success
	local name missing=""
	while IFS=$'\t' read -r name _; do
		grep -q "serve_case $name\$" "$BATS_TEST_FILENAME" || missing="$missing $name"
	done <<<"$output"
	[ -z "$missing" ] || fail "no test for:$missing"
}

@test "rfc6455 serve: a good request gets 101 with the right Accept, Upgrade and Connection, no extension" {
	serve_case handshake-ok
}

@test "rfc6455 serve: an upgrade by POST gets 405" {
	serve_case post
}

@test "rfc6455 serve: Connection: Upgrade without an Upgrade header gets 400" {
	serve_case no-upgrade-header
}

@test "rfc6455 serve: Upgrade: websocket with Connection: keep-alive gets 400" {
	serve_case connection-without-upgrade
}

@test "rfc6455 serve: version 8 gets 426 naming version 13" {
	serve_case version-8
}

@test "rfc6455 serve: a key of 15 bytes (base64) gets 400" {
	serve_case key-15-bytes
}

@test "rfc6455 serve: a key that is not base64 gets 400" {
	serve_case key-not-base64
}

@test "rfc6455 serve: no key gets 400" {
	serve_case no-key
}

@test "rfc6455 serve: no Host header gets 400" {
	serve_case no-host
}

@test "rfc6455 serve: an unmasked client frame: Close 1002, then the server closes TCP" {
	serve_case unmasked
}

@test "rfc6455 serve: ten pings in one write: ten pongs, in order, same payloads" {
	serve_case ten-pings
}

@test "rfc6455 serve: a ping of 125 bytes gets its pong" {
	serve_case ping-125
}

@test "rfc6455 serve: a ping of 126 bytes: 1002" {
	serve_case ping-126
}

@test "rfc6455 serve: a ping without FIN: 1002" {
	serve_case ping-fragmented
}

@test "rfc6455 serve: an unsolicited pong is ignored" {
	serve_case pong-unsolicited
}

@test "rfc6455 serve: reserved opcode 3: 1002" {
	serve_case opcode-3
}

@test "rfc6455 serve: reserved opcode 4: 1002" {
	serve_case opcode-4
}

@test "rfc6455 serve: reserved opcode 5: 1002" {
	serve_case opcode-5
}

@test "rfc6455 serve: reserved opcode 6: 1002" {
	serve_case opcode-6
}

@test "rfc6455 serve: reserved opcode 7: 1002" {
	serve_case opcode-7
}

@test "rfc6455 serve: reserved opcode 11: 1002" {
	serve_case opcode-11
}

@test "rfc6455 serve: reserved opcode 12: 1002" {
	serve_case opcode-12
}

@test "rfc6455 serve: reserved opcode 13: 1002" {
	serve_case opcode-13
}

@test "rfc6455 serve: reserved opcode 14: 1002" {
	serve_case opcode-14
}

@test "rfc6455 serve: reserved opcode 15: 1002" {
	serve_case opcode-15
}

@test "rfc6455 serve: RSV1 without an extension: 1002" {
	serve_case rsv1
}

@test "rfc6455 serve: RSV2 without an extension: 1002" {
	serve_case rsv2
}

@test "rfc6455 serve: RSV3 without an extension: 1002" {
	serve_case rsv3
}

@test "rfc6455 serve: a continuation with no message under way: 1002" {
	serve_case continuation-first
}

@test "rfc6455 serve: a new text message while a fragmented one is open: 1002" {
	serve_case text-inside-fragmented
}

@test "rfc6455 serve: a ping between fragments is answered, the message echoed whole" {
	serve_case ping-inside-fragmented
}

@test "rfc6455 serve: a message then a bad frame in one write: the echo, then Close 1002, then nothing" {
	serve_case valid-then-bad
}

@test "rfc6455 serve: a 200000-byte message then a stray continuation in one write: the echo, then Close 1002, then nothing" {
	serve_case big-valid-then-bad
}

@test "rfc6455 serve: invalid UTF-8 in a text message: 1007" {
	serve_case utf8-invalid
}

@test "rfc6455 serve: an overlong encoding (C0 AF): 1007" {
	serve_case utf8-overlong
}

@test "rfc6455 serve: a UTF-16 surrogate (ED A0 80): 1007" {
	serve_case utf8-surrogate
}

@test "rfc6455 serve: a code point above U+10FFFF (F4 90 80 80): 1007" {
	serve_case utf8-above-max
}

@test "rfc6455 serve: a first fragment with a bad byte: 1007 before the last fragment is sent" {
	serve_case utf8-fail-fast
}

@test "rfc6455 serve: a first fragment ending in F4 90 (never valid): 1007 before the last fragment is sent" {
	serve_case utf8-fail-fast-partial
}

@test "rfc6455 serve: a character split across fragments is fine" {
	serve_case utf8-split-valid
}

@test "rfc6455 serve: a character split across fragments, continued wrongly: 1007" {
	serve_case utf8-split-invalid
}

@test "rfc6455 serve: a close reason that is not UTF-8: 1007" {
	serve_case close-reason-bad-utf8
}

@test "rfc6455 serve: a close payload of 1 byte: 1002" {
	serve_case close-1-byte
}

@test "rfc6455 serve: a Close with no payload is answered with an empty Close or 1000" {
	serve_case close-empty
}

@test "rfc6455 serve: close code 0: 1002" {
	serve_case close-code-0
}

@test "rfc6455 serve: close code 999: 1002" {
	serve_case close-code-999
}

@test "rfc6455 serve: close code 1004: 1002" {
	serve_case close-code-1004
}

@test "rfc6455 serve: close code 1005: 1002" {
	serve_case close-code-1005
}

@test "rfc6455 serve: close code 1006: 1002" {
	serve_case close-code-1006
}

@test "rfc6455 serve: close code 1015: 1002" {
	serve_case close-code-1015
}

@test "rfc6455 serve: close code 1016: 1002" {
	serve_case close-code-1016
}

@test "rfc6455 serve: close code 1100: 1002" {
	serve_case close-code-1100
}

@test "rfc6455 serve: close code 2999: 1002" {
	serve_case close-code-2999
}

@test "rfc6455 serve: close code 5000: 1002" {
	serve_case close-code-5000
}

@test "rfc6455 serve: close code 1000 is echoed, then the server closes TCP" {
	serve_case close-code-1000
}

@test "rfc6455 serve: close code 1001 is echoed, then the server closes TCP" {
	serve_case close-code-1001
}

@test "rfc6455 serve: close code 1011 is echoed, then the server closes TCP" {
	serve_case close-code-1011
}

@test "rfc6455 serve: close code 3000 is echoed, then the server closes TCP" {
	serve_case close-code-3000
}

@test "rfc6455 serve: close code 4999 is echoed, then the server closes TCP" {
	serve_case close-code-4999
}

@test "rfc6455 serve: a clean close: the echo, the code echoed, the server closes TCP first" {
	serve_case clean-close
}

@test "rfc6455 serve: a message after our Close is not echoed" {
	serve_case data-after-close
}

@test "rfc6455 serve: a message of exactly --max-message bytes is echoed" {
	serve_case max-message-exact
}

@test "rfc6455 serve: a message one byte over --max-message: 1009" {
	serve_case max-message-over
}

@test "rfc6455 serve: fragments adding up to one byte over --max-message: 1009" {
	serve_case max-message-over-fragmented
}

@test "rfc6455 serve: a 5-byte payload with a 16-bit length: 1002" {
	serve_case length-16-for-5
}

@test "rfc6455 serve: a 5-byte payload with a 64-bit length: 1002" {
	serve_case length-64-for-5
}

@test "rfc6455 serve: a 200-byte payload with a 64-bit length: 1002" {
	serve_case length-64-for-200
}

@test "rfc6455 serve: a 64-bit length with the top bit set: 1002" {
	serve_case length-top-bit
}

@test "rfc6455 serve: messages of 125, 126, 65535 and 65536 bytes are echoed" {
	serve_case sizes
}

@test "rfc6455 serve: frames sent one byte per TCP write are echoed" {
	serve_case one-byte-writes
}

@test "rfc6455 serve: a 1 MiB binary message in 1000 fragments is echoed byte-exact" {
	serve_case mib-in-1000-fragments
}

@test "rfc6455 serve: an empty text message is echoed" {
	serve_case empty-text
}

@test "rfc6455 serve: an empty binary message is echoed" {
	serve_case empty-binary
}

@test "rfc6455 serve: a text message of three empty fragments is echoed empty" {
	serve_case empty-fragments
}

@test "rfc6455 serve: echoes keep text as text and binary as binary" {
	serve_case types-kept
}

@test "rfc6455 serve: permessage-deflate: an offer is accepted in the 101" {
	serve_case pmd-offer
}

@test "rfc6455 serve: permessage-deflate: compressed messages (whole and in 3 fragments) and an uncompressed one are echoed byte-exact" {
	serve_case pmd-echo
}

@test "rfc6455 serve: permessage-deflate: client_no_context_takeover: accepted, messages compressed each on its own are echoed" {
	serve_case pmd-client-no-context-takeover
}

@test "rfc6455 serve: permessage-deflate: server_no_context_takeover: in the answer, and each echo inflates on its own" {
	serve_case pmd-server-no-context-takeover
}

@test "rfc6455 serve: permessage-deflate: server_max_window_bits=10: answered with 10 or less, and the echo inflates with that window" {
	serve_case pmd-server-max-window-bits
}

@test "rfc6455 serve: permessage-deflate: client_max_window_bits offered: a valid answer, and a message compressed within its window is echoed" {
	serve_case pmd-client-max-window-bits
}

@test "rfc6455 serve: permessage-deflate: 4 KiB of deflate inflating to 4 MiB, past --max-message 65536: 1009" {
	serve_case pmd-bomb
}

@test "rfc6455 serve: permessage-deflate: RSV1 on a continuation frame: 1002" {
	serve_case pmd-rsv1-continuation
}

@test "rfc6455 serve: permessage-deflate: RSV1 on a ping: 1002" {
	serve_case pmd-rsv1-ping
}
