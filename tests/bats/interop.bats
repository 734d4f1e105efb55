#!/usr/bin/env bats
# Interop: wsx against WebSocket implementations nobody here wrote —
# Python's `websockets` (python3-websockets) and Node's `ws` (node-ws) — as
# servers for `wsx pipe` and as clients of `wsx serve`. Messages of 0 bytes
# to 16 MiB (the default --max-message) must come back identical in type and
# bytes, and the exit statuses must follow what the real peer did.

# shellcheck disable=SC2086 # $SIZES is a word list, split on purpose
load helpers

NODE=/usr/bin/node
SIZES="0 1 125 126 65535 65536 1048576 16777216"
SIZES_CSV=${SIZES// /,}

teardown() {
	stop_servers
}

# start_peer python|node [ARGS...]: a Python or Node echo server; its log
# ("message text|binary N", "connection subprotocol=X", "closed CODE") is
# $PEER_LOG.
start_peer() {
	local peer=$1
	shift
	case $peer in
	python) start_server peer "$PYTHON" "$HELPERS/py_echo_server.py" "$@" ;;
	node) start_server peer "$NODE" "$HELPERS/node_echo_server.js" "$@" ;;
	*) echo "unknown peer $peer" >&2; return 1 ;;
	esac
	PEER_LOG="$BATS_TEST_TMPDIR/peer.log"
}

# forget_pid PID: a process the test already reaped; teardown must not signal it.
forget_pid() {
	local p keep=()
	for p in "${SERVER_PIDS[@]}"; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	SERVER_PIDS=("${keep[@]}")
}

# wait_for CMD...: poll CMD every 50 ms, for at most 20 s.
wait_for() {
	local _
	for _ in $(seq 1 400); do
		"$@" && return 0
		sleep 0.05
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

output_has() { # output_has FILE bytes:N|lines:N
	local n
	[ -f "$1" ] || return 1
	case $2 in
	bytes:*) n=$(file_size "$1"); [ "$n" -ge "${2#bytes:}" ] ;;
	lines:*) n=$(wc -l <"$1"); [ "$n" -ge "${2#lines:}" ] ;;
	esac
}

# pipe_held IN UNTIL ARGS...: run `wsx pipe ARGS` with IN on stdin, keeping
# stdin open until stdout has UNTIL (bytes:N or lines:N), at most ~30 s.
# Python websockets answers a close at once and drops replies it has not
# sent yet, so closing right at EOF would race the last echoes; holding
# stdin is what an interactive user does. Output: $OUT, stderr: $ERR, exit
# status: $PIPE_STATUS.
pipe_held() {
	local in=$1 until=$2
	shift 2
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	local fifo="$BATS_TEST_TMPDIR/stdin.fifo"
	rm -f "$fifo" "$OUT"
	mkfifo "$fifo"
	timeout -k 5 90 "$WSX" pipe "$@" <"$fifo" >"$OUT" 2>"$ERR" &
	local pid=$!
	SERVER_PIDS+=("$pid")
	{
		cat "$in" || true
		local _
		for _ in $(seq 1 600); do
			output_has "$OUT" "$until" && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
	} >"$fifo"
	PIPE_STATUS=0
	wait "$pid" || PIPE_STATUS=$?
	forget_pid "$pid"
}

# gen_input KIND: write (once per file run) $BATS_FILE_TMPDIR/KIND, messages
# of every size in $SIZES in that framing, and set $IN to it.
#   len32-binary  random bytes, 4-byte length prefixed
#   base64-text   valid UTF-8 (multi-byte characters), one base64 line each
#   jsonl-mixed   {"type":"text",...} then {"type":"binary",...} lines
#   lines-text    UTF-8 lines (no payload sizes; short lines, an empty one,
#                 a 65536-byte one)
# Payloads come from py_client.py's deterministic generators.
gen_input() {
	IN="$BATS_FILE_TMPDIR/$1"
	[ -f "$IN" ] && return 0
	"$PYTHON" - "$1" "$IN.tmp" "$HELPERS" $SIZES <<'PY'
import base64, json, struct, sys
kind, path, helpers = sys.argv[1:4]
sizes = [int(s) for s in sys.argv[4:]]
sys.path.insert(0, helpers)
from py_client import gen_binary, gen_text
with open(path, "wb") as f:
    if kind == "len32-binary":
        for n in sizes:
            f.write(struct.pack("!I", n) + gen_binary(n, 2 * n))
    elif kind == "base64-text":
        for n in sizes:
            f.write(base64.b64encode(gen_text(n, 2 * n + 1).encode()) + b"\n")
    elif kind == "jsonl-mixed":
        for n in sizes:
            f.write(json.dumps({"type": "text", "data": gen_text(n, 2 * n + 1)},
                               ensure_ascii=False).encode() + b"\n")
        for n in sizes:
            f.write(json.dumps({"type": "binary",
                                "data": base64.b64encode(gen_binary(n, 2 * n)).decode()}).encode()
                    + b"\n")
    elif kind == "lines-text":
        lines = ["hello", "", "héllo wörld", "€ 中文 😀 🎉", "tab\there", " leading and trailing "]
        lines += [gen_text(n, 2 * n + 1).replace("\n", " ") for n in (125, 126, 65536)]
        for line in lines:
            f.write(line.encode() + b"\n")
    else:
        sys.exit("unknown kind " + kind)
PY
	mv "$IN.tmp" "$IN"
}

# The "message TYPE N" lines a peer should have logged for every size.
expected_peer_messages() {
	local type n
	for type in "$@"; do
		for n in $SIZES; do
			echo "message $type $n"
		done
	done
}

# check_jsonl IN OUT: same count, same types, same payloads, a time field.
check_jsonl() {
	"$PYTHON" - "$1" "$2" <<'PY'
import base64, json, sys
sent = [json.loads(l) for l in open(sys.argv[1], "rb")]
got = [json.loads(l) for l in open(sys.argv[2], "rb")]
bad = 0
if len(sent) != len(got):
    print("sent %d messages, got %d back" % (len(sent), len(got)))
    bad += 1
for i, (s, g) in enumerate(zip(sent, got)):
    size = len(s["data"].encode()) if s["type"] == "text" else len(base64.b64decode(s["data"]))
    if g.get("type") != s["type"]:
        print("message %d (%s, %d bytes): came back as %r" % (i, s["type"], size, g.get("type")))
        bad += 1
    elif not isinstance(g.get("time"), (int, float)):
        print("message %d: no numeric time: %r" % (i, g.get("time")))
        bad += 1
    elif s["type"] == "text" and g["data"] != s["data"]:
        print("message %d (text, %d bytes): payload differs (%d bytes back)"
              % (i, size, len(g["data"].encode())))
        bad += 1
    elif s["type"] == "binary" and base64.b64decode(g["data"]) != base64.b64decode(s["data"]):
        print("message %d (binary, %d bytes): payload differs" % (i, size))
        bad += 1
sys.exit(1 if bad else 0)
PY
}

# --- wsx pipe against the foreign servers ------------------------------------

pipe_len32_binary() {
	start_peer "$1"
	gen_input len32-binary
	pipe_held "$IN" "bytes:$(file_size "$IN")" --len32 -b "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$IN" "$OUT"
	run grep '^message ' "$PEER_LOG"
	assert_output "$(expected_peer_messages binary)"
}

@test "pipe --len32 -b → python websockets: binary of 0..16 MiB comes back byte for byte" {
	pipe_len32_binary python
}

@test "pipe --len32 -b → node ws: binary of 0..16 MiB comes back byte for byte" {
	pipe_len32_binary node
}

pipe_base64_text() {
	start_peer "$1"
	gen_input base64-text
	pipe_held "$IN" "bytes:$(file_size "$IN")" --base64 -t "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$IN" "$OUT"
	run grep '^message ' "$PEER_LOG"
	assert_output "$(expected_peer_messages text)"
}

@test "pipe --base64 -t → python websockets: UTF-8 text of 0..16 MiB comes back byte for byte" {
	pipe_base64_text python
}

@test "pipe --base64 -t → node ws: UTF-8 text of 0..16 MiB comes back byte for byte" {
	pipe_base64_text node
}

pipe_jsonl_mixed() {
	start_peer "$1"
	gen_input jsonl-mixed
	pipe_held "$IN" "lines:$(wc -l <"$IN")" --jsonl "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	run check_jsonl "$IN" "$OUT"
	assert_success
	run grep '^message ' "$PEER_LOG"
	assert_output "$(expected_peer_messages text binary)"
}

@test "pipe --jsonl → python websockets: text and binary of 0..16 MiB come back with their type and bytes" {
	pipe_jsonl_mixed python
}

@test "pipe --jsonl → node ws: text and binary of 0..16 MiB come back with their type and bytes" {
	pipe_jsonl_mixed node
}

pipe_lines() {
	start_peer "$1"
	gen_input lines-text
	pipe_held "$IN" "bytes:$(file_size "$IN")" "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$IN" "$OUT"
	# one text message per line, without its newline
	run grep -c '^message text ' "$PEER_LOG"
	assert_output "$(wc -l <"$IN")"
	run grep '^message ' "$PEER_LOG"
	assert_line --index 0 "message text 5"
	assert_line --index 1 "message text 0"
	assert_line --index 8 "message text 65536"
}

@test "pipe --lines → python websockets: UTF-8 lines come back as the same lines" {
	pipe_lines python
}

@test "pipe --lines → node ws: UTF-8 lines come back as the same lines" {
	pipe_lines node
}

@test "pipe → node ws: lines piped straight from a file all come back before the close" {
	# ws sends the echo before it answers the close that follows, so plain
	# shell piping (stdin EOF right after the last line) loses nothing.
	start_peer node
	gen_input lines-text
	"$WSX" pipe "$URL" <"$IN" >"$BATS_TEST_TMPDIR/out"
	cmp "$IN" "$BATS_TEST_TMPDIR/out"
}

@test "pipe -1 → python websockets: one message, one reply, exit 0" {
	start_peer python
	run --separate-stderr bash -c "printf 'first\nsecond\n' | '$WSX' pipe -1 '$URL'"
	assert_success
	assert_output "first"
	[ -z "$stderr" ]
	run grep '^message ' "$PEER_LOG"
	assert_output "message text 5"
}

# --- the foreign clients against wsx serve -----------------------------------

expected_client_lines() { # expected_client_lines SUFFIX SIZES... (for text then binary)
	local suffix=$1 type n
	shift
	for type in text binary; do
		for n in "$@"; do
			echo "ok $type $n$suffix"
		done
	done
}

@test "python websockets client → wsx serve: text and binary of 0..16 MiB come back identical" {
	start_wsx_echo
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --sizes "$SIZES_CSV" --type both
	assert_success
	assert_output "$(expected_client_lines "" $SIZES)"
}

@test "node ws client → wsx serve: text and binary of 0..16 MiB come back identical" {
	start_wsx_echo
	run "$NODE" "$HELPERS/node_client.js" "$URL" --sizes "$SIZES_CSV" --type both
	assert_success
	assert_output "$(expected_client_lines "" $SIZES)"
}

@test "python websockets client → wsx serve: a fragmented message comes back reassembled" {
	start_wsx_echo
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --fragmented \
		--sizes 0,1,2,3,125,126,65535,65536,1048576 --type both
	assert_success
	assert_output "$(expected_client_lines " fragmented" 0 1 2 3 125 126 65535 65536 1048576)"
}

@test "node ws client → wsx serve: fragments cut inside a UTF-8 character come back as one text message" {
	start_wsx_echo
	run "$NODE" "$HELPERS/node_client.js" "$URL" --fragmented \
		--sizes 0,1,2,3,5,125,126,65535,65536,1048576 --type both
	assert_success
	assert_output "$(expected_client_lines " fragmented" 0 1 2 3 5 125 126 65535 65536 1048576)"
}

@test "python websockets client → wsx serve --max-message 64K: a bigger message is closed with 1009" {
	start_wsx_echo --max-message 65536
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --sizes 65536,65537 --type binary --expect-close 1009
	assert_success
	assert_line --index 0 "ok binary 65536"
	assert_line --index 1 "closed binary 65537: no echo"
	assert_line --index 2 --regexp "^ok close 1009 "
}

# A client that offers subprotocols must still be served: wsx serve selects
# the first one offered, as a Node ws server does by default, since a
# client that insists on one would otherwise give up.
subprotocol_offered_to_serve() {
	start_wsx_echo
	run "$@" "$URL" --subprotocol chat --subprotocol superchat --sizes 5 --type both --timeout 20
	assert_success
	assert_line --index 0 'subprotocol chat'
	assert_line "ok text 5"
	assert_line "ok binary 5"
}

@test "python websockets client offering subprotocol chat → wsx serve: still connects and echoes" {
	subprotocol_offered_to_serve "$PYTHON" "$HELPERS/py_client.py"
}

@test "node ws client offering subprotocol chat → wsx serve: still connects and echoes" {
	subprotocol_offered_to_serve "$NODE" "$HELPERS/node_client.js"
}

# Python websockets stops sending once it sees our close, so replies still in
# flight at stdin's EOF are lost unless -w holds the close back.
@test "pipe -w 1 → python websockets: replies after stdin's end are printed, then exit 0" {
	start_peer python
	run --separate-stderr bash -c "printf 'one\\ntwo\\nthree\\n' | timeout 20 '$WSX' pipe -w 1 '$URL'"
	assert_success
	assert_output $'one\ntwo\nthree'
	assert_equal "$stderr" ""
}

@test "pipe -w 1 → node ws: closes with 1000 once the server has been quiet" {
	start_peer node
	run --separate-stderr bash -c "echo x | timeout 20 '$WSX' pipe -w 1 '$URL'"
	assert_success
	assert_output "x"
	wait_for grep -q '^closed 1000' "$PEER_LOG"
}

sigterm_closes_client() {
	start_wsx_echo
	local server=$LAST_PID log="$BATS_TEST_TMPDIR/client.log"
	"$@" "$URL" --sizes 1 --type binary --expect-close 1001 --timeout 20 >"$log" 2>&1 &
	local client=$!
	SERVER_PIDS+=("$client")
	wait_for grep -q '^ok binary 1$' "$log"
	kill -TERM "$server"
	local rc=0
	wait "$server" || rc=$?
	forget_pid "$server"
	assert_equal "$rc" 0
	rc=0
	wait "$client" || rc=$?
	forget_pid "$client"
	cat "$log" >&2
	assert_equal "$rc" 0
	run grep '^ok close ' "$log"
	assert_output --regexp '^ok close 1001 '
}

@test "python websockets client: SIGTERM to wsx serve closes it with 1001, server exits 0" {
	sigterm_closes_client "$PYTHON" "$HELPERS/py_client.py"
}

@test "node ws client: SIGTERM to wsx serve closes it with 1001, server exits 0" {
	sigterm_closes_client "$NODE" "$HELPERS/node_client.js"
}

# --- exit statuses through real peers ----------------------------------------

close_with_4001() {
	start_peer "$1" --close-with 4001 custom
	# -n: stdin ends at once, but wait for the server's close
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe -n '$URL'"
	assert_failure 6
	assert_output ""
	assert_equal "$stderr" "wsx: the server closed the connection: 4001 private use 'custom'"
	run grep -c '^message text 2$' "$PEER_LOG"
	assert_output 1
}

@test "pipe → python websockets closing with 4001 \"custom\": exit 6 and the code is printed" {
	close_with_4001 python
}

@test "pipe → node ws closing with 4001 \"custom\": exit 6 and the code is printed" {
	close_with_4001 node
}

start_tls_peer() {
	local peer=$1
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$CERTS"
	start_peer "$peer" --tls "$CERTS/server.pem" "$CERTS/server.key"
	[[ "$URL" == wss://127.0.0.1:* ]]
	printf 'secure é\n' >"$BATS_TEST_TMPDIR/tls-in"
}

@test "pipe → python websockets wss with a self-signed CA: exit 5 without -k, nothing sent" {
	start_tls_peer python
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe '$URL'"
	assert_failure 5
	assert_output ""
	[[ "$stderr" == *TLS* ]]
	run grep -c '^message ' "$PEER_LOG"
	assert_output 0
}

@test "pipe → python websockets wss with a self-signed CA: stderr says the certificate is not trusted" {
	start_tls_peer python
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe '$URL'"
	assert_failure 5
	# one clear line naming what was wrong, as curl does ("SSL certificate
	# problem: self-signed certificate in certificate chain")
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "${stderr,,}" == *certificate* ]]
}

@test "pipe -k → python websockets wss: exit 0 and the echo comes back" {
	start_tls_peer python
	pipe_held "$BATS_TEST_TMPDIR/tls-in" lines:1 -k "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$BATS_TEST_TMPDIR/tls-in" "$OUT"
}

@test "pipe --cacert ca.pem → python websockets wss: the CA is trusted, exit 0, echo back" {
	start_tls_peer python
	pipe_held "$BATS_TEST_TMPDIR/tls-in" lines:1 --cacert "$CERTS/ca.pem" "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$BATS_TEST_TMPDIR/tls-in" "$OUT"
}

@test "pipe --cacert ca.pem → node ws wss: the CA is trusted, exit 0, echo back" {
	start_tls_peer node
	pipe_held "$BATS_TEST_TMPDIR/tls-in" lines:1 --cacert "$CERTS/ca.pem" "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$BATS_TEST_TMPDIR/tls-in" "$OUT"
}

@test "pipe → an HTTP server answering 403: exit 4 and the status is printed" {
	start_server http "$PYTHON" "$HELPERS/http_status_server.py" 403
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe '$URL/chat'"
	assert_failure 4
	assert_output ""
	[[ "$stderr" == *403* ]]
	# it did reach the server with an upgrade request
	run grep -c '^request GET /chat upgrade=websocket$' "$BATS_TEST_TMPDIR/http.log"
	assert_output 1
}

@test "pipe → an HTTP server answering 404: exit 4 and the status is printed" {
	start_server http "$PYTHON" "$HELPERS/http_status_server.py" 404
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe '$URL'"
	assert_failure 4
	[[ "$stderr" == *404* ]]
}

subprotocol_chat() {
	start_peer "$1" --subprotocols chat
	printf 'over chat\n' >"$BATS_TEST_TMPDIR/in"
	pipe_held "$BATS_TEST_TMPDIR/in" lines:1 -s superchat -s chat "$URL"
	cat "$ERR" >&2
	assert_equal "$PIPE_STATUS" 0
	cmp "$BATS_TEST_TMPDIR/in" "$OUT"
	run grep '^connection ' "$PEER_LOG"
	assert_output "connection subprotocol=chat"
}

@test "pipe -s superchat -s chat → python websockets selecting chat: connects and echoes" {
	subprotocol_chat python
}

@test "pipe -s superchat -s chat → node ws selecting chat: connects and echoes" {
	subprotocol_chat node
}
