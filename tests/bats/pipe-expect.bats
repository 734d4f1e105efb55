#!/usr/bin/env bats
# wsx pipe as a smoke test: --expect and --expect-json met in order or
# failing with exit 7, --script lines of send/expect/sleep/ping/close, and
# --rate/--delay pacing stdin; against wsx serve and Python's websockets.

load helpers

teardown() {
	stop_servers
}

now_ms() { date +%s%3N; }

# jseq N: 1..N as --jsonl input records
jseq() { seq 1 "$1" | sed 's/.*/{"data":"&"}/'; }

# gap_secs FILE: seconds between the first and the last --jsonl line's time
gap_secs() {
	"$PYTHON" -c 'import json, sys
t = [json.loads(l)["time"] for l in open(sys.argv[1]) if l.strip()]
print("%.3f" % (t[-1] - t[0]))' "$1"
}

# between LOW HIGH X: LOW <= X <= HIGH, for seconds with decimals
between() {
	"$PYTHON" -c 'import sys; lo, hi, x = map(float, sys.argv[1:]); sys.exit(not lo <= x <= hi)' "$@" ||
		fail "$3 s is not between $1 and $2 s"
}

start_py_echo() {
	start_server py-echo "$PYTHON" "$HELPERS/py_echo_server.py" "$@"
	PY_LOG="$BATS_TEST_TMPDIR/py-echo.log"
}

# a push server whose /NAME sends the given text messages, then closes 1000
start_push() { # NAME MSG...
	local name=$1 dir="$BATS_TEST_TMPDIR/push"
	shift
	mkdir -p "$dir"
	"$PYTHON" -c 'import struct, sys
with open(sys.argv[1], "wb") as f:
    for m in sys.argv[2:]:
        b = m.encode()
        f.write(b"t" + struct.pack("!I", len(b)) + b)' "$dir/$name" "$@"
	start_server py-push "$PYTHON" "$HELPERS/py_push_server.py" "$dir"
}

@test "pipe --expect: a matching reply exits 0 and every message is still printed" {
	start_wsx_echo
	run --separate-stderr bash -c "printf 'hello\nack 12\nbye\n' | '$WSX' pipe --expect 'ack [0-9]+' '$URL'"
	assert_success
	[ "$output" = $'hello\nack 12\nbye' ]
	[ -z "$stderr" ]
}

@test "pipe --expect: no match within --timeout exits 7 naming it, with the last messages received" {
	start_wsx_echo
	local t0 t1
	t0=$(now_ms)
	run --separate-stderr bash -c "printf 'one\ntwo\n' | '$WSX' pipe --expect 'ack [0-9]+' --timeout 1 '$URL'"
	t1=$(now_ms)
	assert_failure 7
	[ "$output" = $'one\ntwo' ]
	[ "${stderr_lines[0]}" = "wsx: expectation 1 (--expect 'ack [0-9]+') not met in 1 s; last messages received:" ]
	[ "${stderr_lines[1]}" = "  text (3 bytes): one" ]
	[ "${stderr_lines[2]}" = "  text (3 bytes): two" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	# stdin's end waited for the expectation, and not much longer
	((t1 - t0 >= 1000)) || fail "gave up after $((t1 - t0)) ms"
	((t1 - t0 < 6000)) || fail "took $((t1 - t0)) ms"
}

@test "pipe --expect: only the last five messages are shown, long ones cut short and control bytes escaped" {
	start_wsx_echo
	run --separate-stderr bash -c "{ seq 1 7; printf 'tab\there\n'; head -c 300 /dev/zero | tr '\\0' x; echo; } |
		'$WSX' pipe --expect nomatch --timeout 0.5 '$URL'"
	assert_failure 7
	[ "${#stderr_lines[@]}" -eq 6 ]
	[ "${stderr_lines[1]}" = "  text (1 bytes): 5" ]
	[ "${stderr_lines[4]}" = "  text (8 bytes): tab\\x09here" ]
	[ "${stderr_lines[5]}" = "  text (300 bytes): $(head -c 200 /dev/zero | tr '\0' x)..." ]
}

@test "pipe --expect: expectations are met in order; a message before its turn does not count" {
	start_wsx_echo
	run bash -c "printf 'first\nsecond\nthird\n' | '$WSX' pipe --expect first --expect third '$URL'"
	assert_success
	run --separate-stderr bash -c "printf 'first\nsecond\n' | '$WSX' pipe --expect second --expect first --timeout 0.5 '$URL'"
	assert_failure 7
	[ "${stderr_lines[0]}" = "wsx: expectation 2 (--expect 'first') not met in 0.5 s; last messages received:" ]
	# one message meets one expectation: two acks need two messages
	run bash -c "echo ack | '$WSX' pipe --expect ack --expect ack --timeout 0.5 '$URL'"
	assert_failure 7
}

@test "pipe --expect-json: each operator, nested paths and && on the messages' JSON" {
	start_wsx_echo
	local doc='{"type":"ack","n":5,"ok":true,"err":null,"items":[{"id":3},{"id":7,"tags":["a","b"]}],"a":{"b":[10,20,30]},"msg":"hello world"}'
	local t
	for t in '.type == "ack"' '.type != "nak"' '.n < 6' '.n <= 5' '.n > 4' \
		'.n >= 5' '.msg ~ "^hello w"' '.err exists' '.err == null' \
		'.ok == true' '.items[1].id > 3' '.items[-1].tags[0] == "a"' \
		'.a.b[2] == 30' '.a["b"] == [10,20,30]' \
		'.type == "ack" && .items[0].id == 3'; do
		run bash -c "echo '$doc' | '$WSX' pipe --expect-json '$t' --timeout 2 '$URL'"
		[ "$status" -eq 0 ] || fail "'$t' was not met (exit $status): $output"
	done
	for t in '.type == "nak"' '.n > 5' '.items[0].id > 3' '.missing exists' \
		'.type == "ack" && .n < 5'; do
		run --separate-stderr bash -c "echo '$doc' | '$WSX' pipe --expect-json '$t' --timeout 0.3 '$URL'"
		[ "$status" -eq 7 ] || fail "'$t' was met (exit $status)"
		[ "${stderr_lines[0]}" = "wsx: expectation 1 (--expect-json '$t') not met in 0.3 s; last messages received:" ]
	done
}

@test "pipe --expect-json: messages that are not JSON are skipped, not an error" {
	start_wsx_echo
	run --separate-stderr bash -c "printf '%s\n' 'not json' '{\"type\":' '{\"type\":\"ack\"}' |
		'$WSX' pipe --expect-json '.type == \"ack\"' '$URL'"
	assert_success
	[ "${#lines[@]}" -eq 3 ]
}

@test "pipe --expect-json: a bad test is a usage error saying what is wrong" {
	run --separate-stderr "$WSX" pipe --expect-json '.type = "ack"' ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--expect-json: '.type = \"ack\"': the operator is one of"* ]]
	run --separate-stderr "$WSX" pipe --expect-json '.type == ack' ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"not JSON"* ]]
	run --separate-stderr "$WSX" pipe --expect '(' ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--expect: '('"* ]]
}

@test "pipe --expect with no stdin: it waits for the expectation before closing" {
	start_wsx_echo --broadcast
	# the message comes from another client of the room, 0.5 s later
	(sleep 0.5; echo 'hi there' | "$WSX" pipe "$URL/room") &
	local other=$!
	run --separate-stderr "$WSX" pipe --expect '^hi' --timeout 5 "$URL/room" </dev/null
	wait "$other"
	assert_success
	[ "$output" = "hi there" ]
}

@test "pipe --expect: the server closing first fails the pending expectation with exit 7" {
	start_push two hello '{"type":"welcome"}'
	run --separate-stderr "$WSX" pipe --expect-json '.type == "welcome"' --expect never --timeout 5 "$URL/two" </dev/null
	assert_failure 7
	[ "$output" = $'hello\n{"type":"welcome"}' ]
	[ "${stderr_lines[0]}" = "wsx: expectation 2 (--expect 'never') not met before the connection closed (1000 normal); last messages received:" ]
	[ "${stderr_lines[2]}" = '  text (18 bytes): {"type":"welcome"}' ]
	# the same server, everything expected met before its close: exit 0
	run "$WSX" pipe --expect-json '.type == "welcome"' "$URL/two" </dev/null
	assert_success
}

@test "pipe --expect: a close that is a failure keeps its own status; the pending expectation is said too" {
	start_py_echo --close-with 4000 nope
	run --separate-stderr bash -c "echo hi | '$WSX' pipe --expect ok '$URL'"
	assert_failure 6
	[ "${stderr_lines[0]}" = "wsx: the server closed the connection: 4000 private use 'nope'" ]
	[ "${stderr_lines[1]}" = "wsx: expectation 1 (--expect 'ok') not met before the connection closed (4000 private use 'nope'); last messages received:" ]
}

@test "pipe --script: send, expect, sleep, ping, binary and close in turn against Python websockets" {
	start_py_echo
	local s="$BATS_TEST_TMPDIR/smoke.txt"
	cat >"$s" <<'SCRIPT'
# log in, then check
send {"op":"login","user":"ann"}
expect-json .op == "login" && .user == "ann"
send first
sleep 0.2
  # the echo came during the sleep: expect still sees it
expect ^first$
ping
send-binary 61 00 62
expect ^a.b$
close 4001 smoke done
SCRIPT
	run --separate-stderr "$WSX" pipe --jsonl --script "$s" "$URL"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	assert_line --index 0 --regexp '"data":"\{\\"op\\":\\"login\\",\\"user\\":\\"ann\\"\}"'
	assert_line --index 1 --regexp '^\{"type":"text",.*"data":"first"\}$'
	assert_line --index 2 --regexp '^\{"type":"pong",.*"data":"d3N4LXNjcmlwdC04"\}$'
	assert_line --index 3 --regexp '^\{"type":"binary",.*"data":"YQBi"\}$'
	grep -qx 'closed 4001' "$PY_LOG"
	[ "$(grep -c '^message' "$PY_LOG")" -eq 3 ]
}

@test "pipe --script: an expect line not met exits 7 naming FILE:LINE; what follows is not sent" {
	start_py_echo
	local s="$BATS_TEST_TMPDIR/t.txt"
	printf 'send a\nexpect ^b$\nsend after\n' >"$s"
	run --separate-stderr "$WSX" pipe --script "$s" --timeout 0.5 "$URL"
	assert_failure 7
	[ "${stderr_lines[0]}" = "wsx: expectation 1 ($s:2: expect '^b\$') not met in 0.5 s; last messages received:" ]
	[ "${stderr_lines[1]}" = "  text (1 bytes): a" ]
	[ "$(grep -c '^message' "$PY_LOG")" -eq 1 ]
}

@test "pipe --script: a bad line is a usage error naming FILE:LINE, before connecting" {
	start_py_echo
	local s="$BATS_TEST_TMPDIR/bad.txt"
	printf '# ok\nsend x\n\nsleep soon\n' >"$s"
	run --separate-stderr "$WSX" pipe --script "$s" "$URL"
	assert_failure 2
	[[ "$stderr" == "wsx: $s:4: sleep: 'soon' is not a number of seconds"* ]]
	printf 'send x\nshout y\n' >"$s"
	run --separate-stderr "$WSX" pipe --script "$s" "$URL"
	assert_failure 2
	[[ "$stderr" == "wsx: $s:2: 'shout' is not a command (send, send-binary, expect, expect-json, sleep, ping, close)"* ]]
	printf 'close 1005\n' >"$s"
	run --separate-stderr "$WSX" pipe --script "$s" "$URL"
	assert_failure 2
	[[ "$stderr" == "wsx: $s:1: close: '1005' is not a close code"* ]]
	run --separate-stderr "$WSX" pipe --script "$BATS_TEST_TMPDIR/none.txt" "$URL"
	assert_failure 2
	[[ "$stderr" == *"none.txt': No such file or directory"* ]]
	! grep -q '^connection' "$PY_LOG"
}

@test "pipe --script - reads the script from stdin; the end of the script closes with 1000" {
	start_py_echo
	run --separate-stderr bash -c "printf 'send hi\nexpect hi\n' | '$WSX' pipe --script - '$URL'"
	assert_success
	[ "$output" = "hi" ]
	sleep 0.2
	grep -qx 'closed 1000' "$PY_LOG"
}

@test "pipe: --script does not go with --expect, -n or --rate" {
	run --separate-stderr "$WSX" pipe --script /dev/null --expect x ws://127.0.0.1:1/
	assert_failure 2
	run --separate-stderr "$WSX" pipe --script /dev/null -n ws://127.0.0.1:1/
	assert_failure 2
	run --separate-stderr "$WSX" pipe --script /dev/null --rate 5 ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--rate and --delay pace stdin"* ]]
	run --separate-stderr "$WSX" pipe --rate fast ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--rate: 'fast' is not a rate"* ]]
}

@test "pipe --rate 20: 30 lines go out over about 1.5 s, all of them, in order" {
	start_wsx_echo
	run --separate-stderr bash -c "$(declare -f jseq); jseq 30 | '$WSX' pipe --jsonl --rate 20 '$URL' > '$BATS_TEST_TMPDIR/out'"
	assert_success
	[ "$(grep -c . "$BATS_TEST_TMPDIR/out")" -eq 30 ]
	[ "$(grep -o '"data":"[0-9]*"' "$BATS_TEST_TMPDIR/out" | tr -dc '0-9\n' | paste -sd,)" = "$(seq -s, 1 30)" ]
	between 1.2 3 "$(gap_secs "$BATS_TEST_TMPDIR/out")"
}

@test "pipe --rate 600/m and --delay 0.1: 10 lines over about 0.9 s" {
	start_wsx_echo
	run bash -c "$(declare -f jseq); jseq 10 | '$WSX' pipe --jsonl --delay 0.1 '$URL' > '$BATS_TEST_TMPDIR/out'"
	assert_success
	[ "$(grep -c . "$BATS_TEST_TMPDIR/out")" -eq 10 ]
	between 0.75 2.5 "$(gap_secs "$BATS_TEST_TMPDIR/out")"
	run bash -c "$(declare -f jseq); jseq 10 | '$WSX' pipe --jsonl --rate 600/m '$URL' > '$BATS_TEST_TMPDIR/out'"
	assert_success
	[ "$(grep -c . "$BATS_TEST_TMPDIR/out")" -eq 10 ]
	between 0.75 2.5 "$(gap_secs "$BATS_TEST_TMPDIR/out")"
	# without pacing the same lines take a fraction of that
	run bash -c "$(declare -f jseq); jseq 10 | '$WSX' pipe --jsonl '$URL' > '$BATS_TEST_TMPDIR/out'"
	between 0 0.5 "$(gap_secs "$BATS_TEST_TMPDIR/out")"
}
