#!/usr/bin/env bats
# wsx bench: every mode and option against wsx serve, the embedded server and
# Node/Python peers, with short runs (1-2 s). The JSON report is read with
# Python; counts are checked against what a peer server logged.

load helpers

NODE=/usr/bin/node

teardown() {
	stop_servers
}

# json FIELD.PATH: a field of the JSON report in $output ("a.b.c")
json() {
	"$PYTHON" -c '
import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$output" "$1"
}

@test "bench: with no URL it measures its embedded echo server, exit 0" {
	run --separate-stderr "$WSX" bench -d 1 --warmup 0.2 -c 4
	assert_success
	assert_line --regexp '^wsx bench ws://127\.0\.0\.1:[0-9]+ \(embedded echo server\)$'
	assert_line --regexp '^ +echo mode, 4 connections on [0-9]+ threads?$'
	assert_line --regexp '^messages +sent [1-9][0-9]* \([0-9]+/s\) +received [1-9][0-9]*'
	assert_line --regexp '^latency +p50 [0-9.]+ ms +p90 [0-9.]+ ms +p99 [0-9.]+ ms +p99\.9 [0-9.]+ ms$'
	assert_line --regexp '^ +max [0-9.]+ ms  mean [0-9.]+ ms$'
	assert_line --regexp '^integrity +[1-9][0-9]* echoes compared, 0 mismatched$'
	assert_line --regexp '^errors +none$'
}

@test "bench --json: one document with every field, echoes all compared" {
	run --separate-stderr "$WSX" bench --json -d 1 --warmup 0 -c 3 -i 4 -m 100
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	assert_equal "$(json mode)" echo
	assert_equal "$(json connections)" 3
	assert_equal "$(json size)" 100
	assert_equal "$(json type)" binary
	assert_equal "$(json in_flight)" 4
	assert_equal "$(json pipeline)" 4
	assert_equal "$(json integrity.mismatched)" 0
	assert_equal "$(json errors.total)" 0
	assert_equal "$(json connections_opened.count)" 3
	assert_equal "$(json handshake_ms.count)" 3
	# every message sent came back, and was 100 bytes
	assert_equal "$(json sent.messages)" "$(json received.messages)"
	assert_equal "$(json received.bytes)" "$(( $(json received.messages) * 100 ))"
	[ "$(json latency_ms.count)" -gt 0 ]
	"$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); l=d["latency_ms"]
assert 0 < l["p50"] <= l["p90"] <= l["p99"] <= l["p99_9"] <= l["max"], l' "$output"
}

@test "bench: text messages against wsx serve come back as text, compared" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json -t -m 32 -c 2 -P 8 -d 1 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json type)" text
	assert_equal "$(json integrity.mismatched)" 0
	[ "$(json integrity.compared)" -gt 0 ]
}

@test "bench --message: sends that text; --file: sends that file" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json --message hello -c 1 -d 0.5 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json size)" 5
	assert_equal "$(json type)" text
	printf '\x00\x01\x02' >"$BATS_TEST_TMPDIR/f.bin"
	run --separate-stderr "$WSX" bench --json --file "$BATS_TEST_TMPDIR/f.bin" -c 1 -d 0.5 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json size)" 3
	assert_equal "$(json type)" binary
	assert_equal "$(json integrity.mismatched)" 0
}

@test "bench against a Node ws echo server: what it counted is what bench sent" {
	start_server peer "$NODE" "$HELPERS/node_echo_server.js"
	local log="$BATS_TEST_TMPDIR/peer.log"
	run --separate-stderr "$WSX" bench --json -c 2 -P 2 -m 64 -d 1 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json integrity.mismatched)" 0
	# the run ended cleanly, so every message is accounted for both ways
	assert_equal "$(grep -c '^message binary 64$' "$log")" "$(json sent.messages)"
	assert_equal "$(json received.messages)" "$(json sent.messages)"
}

@test "bench --mode push against a Python websockets server: counts agree exactly" {
	start_server peer "$PYTHON" "$HELPERS/py_echo_server.py"
	local log="$BATS_TEST_TMPDIR/peer.log"
	run --separate-stderr "$WSX" bench --json --mode push -c 2 -m 16 --rate 400 -d 1 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json mode)" push
	local sent
	sent=$(json sent.messages)
	[ "$sent" -gt 0 ]
	local _
	for _ in $(seq 1 40); do
		[ "$(grep -c '^closed' "$log")" -ge 2 ] && break
		sleep 0.05
	done
	assert_equal "$(grep -c '^message binary 16$' "$log")" "$sent"
}

@test "bench --rate: the achieved rate is within 5% of the target" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json -r 1000 -c 4 -d 2 --warmup 0.5 "$URL"
	assert_success
	"$PYTHON" -c 'import json,sys; d=json.loads(sys.argv[1]); r=d["sent"]["messages_per_s"]
assert abs(r - 1000) <= 50, r' "$output"
	assert_equal "$(json rate)" 1000
	assert_equal "$(json errors.total)" 0
}

@test "bench --mode connect: connections per second and handshake times" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json --mode connect -c 2 -d 1 --warmup 0 "$URL"
	assert_success
	[ "$(json connections_opened.count)" -gt 5 ]
	assert_equal "$(json handshake_ms.count)" "$(json connections_opened.count)"
	assert_equal "$(json errors.total)" 0
}

@test "bench --mode sink: counts what a pushing server sends" {
	start_server peer "$NODE" "$HELPERS/node_bench_peer.js" --push 512
	run --separate-stderr "$WSX" bench --json --mode sink -c 2 -d 1 --warmup 0 "$URL"
	assert_success
	[ "$(json received.messages)" -gt 100 ]
	assert_equal "$(json received.bytes)" "$(( $(json received.messages) * 512 ))"
	assert_equal "$(json sent.messages)" 0
}

@test "bench --mode push stamps its messages; sink reports their delivery latency through a broadcast room" {
	start_wsx_echo --broadcast
	"$WSX" bench --json --mode sink -c 2 -d 2 --warmup 0.5 "$URL/room" \
		>"$BATS_TEST_TMPDIR/sink.json" 2>"$BATS_TEST_TMPDIR/sink.err" &
	local sink=$!
	sleep 0.3
	"$WSX" bench --mode push -c 1 -m 64 -r 2000 -d 3 --warmup 0 -q "$URL/room" >/dev/null
	wait "$sink"
	output=$(cat "$BATS_TEST_TMPDIR/sink.json")
	# 2 receivers, 2000/s for 2 s measured: about 8000 samples
	[ "$(json latency_ms.count)" -gt 4000 ]
	"$PYTHON" -c 'import json,sys; l = json.load(open(sys.argv[1]))["latency_ms"]; sys.exit(not (0 < l["p50"] <= l["p99"] < 1000))' \
		"$BATS_TEST_TMPDIR/sink.json"
	# the text report names them; unstamped pushes (a fixed --message)
	# give none
	"$WSX" bench --mode sink -c 1 -d 1 --warmup 0 "$URL/room" \
		>"$BATS_TEST_TMPDIR/sink.txt" 2>&1 &
	sink=$!
	sleep 0.3
	"$WSX" bench --mode push -c 1 -m 64 -r 1000 -d 1.5 --warmup 0 -q "$URL/room" >/dev/null
	wait "$sink"
	run cat "$BATS_TEST_TMPDIR/sink.txt"
	assert_line --regexp '^delivery   p50 [0-9.]+ ms  p90 [0-9.]+ ms  p99 [0-9.]+ ms  p99\.9 [0-9.]+ ms$'
	assert_line --regexp '^           max [0-9.]+ ms  \(from push.s stamps\)$'
	"$WSX" bench --json --mode sink -c 1 -d 1 --warmup 0 "$URL/room" \
		>"$BATS_TEST_TMPDIR/plain.json" 2>&1 &
	sink=$!
	sleep 0.3
	"$WSX" bench --mode push -c 1 --message 'a fixed message of thirty bytes' -r 1000 -d 1.5 --warmup 0 -q "$URL/room" >/dev/null
	wait "$sink"
	output=$(cat "$BATS_TEST_TMPDIR/plain.json")
	[ "$(json received.messages)" -gt 500 ]
	assert_equal "$(json latency_ms.count)" 0
}

@test "bench: corrupted echoes are counted as mismatches and exit 1" {
	start_server peer "$NODE" "$HELPERS/node_bench_peer.js" --corrupt
	run --separate-stderr "$WSX" bench --json -c 1 -d 0.5 --warmup 0 "$URL"
	assert_failure 1
	[ "$(json integrity.mismatched)" -gt 0 ]
	assert_equal "$(json integrity.mismatched)" "$(json integrity.compared)"
}

@test "bench: a server closing with 1011 is an error by close code and name, exit 1" {
	start_server peer "$NODE" "$HELPERS/node_bench_peer.js" --close-after 10
	run --separate-stderr "$WSX" bench --json -c 2 -d 1 --warmup 0 "$URL"
	assert_failure 1
	assert_equal "$(json errors.closes.1011)" 2
	[[ "$stderr" == *"first error: the server closed the connection: 1011 internal error"* ]]
	run --separate-stderr "$WSX" bench -c 2 -d 1 --warmup 0 "$URL"
	assert_failure 1
	assert_output --partial "closed 1011 internal error: 2"
}

@test "bench --fail-if: a crossed threshold exits 1 and is reported" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench -c 1 -d 0.5 --warmup 0 --fail-if 'p99>0ns' "$URL"
	assert_failure 1
	assert_line 'fail-if    p99>0ns: crossed'
	run --separate-stderr "$WSX" bench -c 1 -d 0.5 --warmup 0 --fail-if 'p99>10s,errors>0' "$URL"
	assert_success
	refute_line --partial 'fail-if'
}

@test "bench: a refused connection is exit 3, a refused handshake exit 4" {
	run --separate-stderr "$WSX" bench -c 2 -d 0.5 --warmup 0 ws://127.0.0.1:1/
	assert_failure 3
	[[ "$stderr" == *"could not connect to 127.0.0.1:1"* ]]
	start_server http "$PYTHON" "$HELPERS/http_status_server.py" 403
	run --separate-stderr "$WSX" bench --json -c 2 -d 0.5 --warmup 0 "$URL"
	assert_failure 4
	assert_equal "$(json errors.handshake_status.403)" 2
}

@test "bench: SIGINT ends the run early with a report and exit 130" {
	start_wsx_echo
	"$WSX" bench -c 2 -d 30 --warmup 0 "$URL" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 1
	kill -INT "$pid"
	local rc=0
	timeout 10 tail --pid="$pid" -f /dev/null || true
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	grep -q 'interrupted' "$BATS_TEST_TMPDIR/out"
	grep -q '^messages' "$BATS_TEST_TMPDIR/out"
}

@test "bench: bad options are one clear line and exit 2" {
	local bad
	for bad in "-c 0" "-m -5" "--mode fast" "--fail-if p42>1" "-d 0" "-P 0" "--rate 0"; do
		# shellcheck disable=SC2086 # split on purpose
		run --separate-stderr "$WSX" bench $bad
		assert_failure 2
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == wsx:* ]]
	done
	run --separate-stderr "$WSX" bench -m 10 --message x
	assert_failure 2
	run --separate-stderr "$WSX" bench ftp://127.0.0.1/
	assert_failure 2
}

@test "bench --compress negotiates permessage-deflate; without it, none" {
	start_server peer "$PYTHON" "$HELPERS/py_ext_echo_server.py"
	local log="$BATS_TEST_TMPDIR/peer.log"
	run --separate-stderr "$WSX" bench --json --compress -t -m 2K -c 1 -d 0.5 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json integrity.mismatched)" 0
	[ "$(json integrity.compared)" -gt 0 ]
	run --separate-stderr "$WSX" bench -c 1 -d 0.5 --warmup 0 "$URL"
	assert_success
	run cat "$log"
	assert_line --index 1 'extensions permessage-deflate'
	assert_line --index 2 'extensions -'
}

@test "bench: on a terminal a live line each second: time, msg/s now, p99 so far, errors; -q silences it" {
	run script -qfec "'$WSX' bench -i 1 -d 2.3 --warmup 0 -c 2" /dev/null
	assert_success
	[[ "$output" == *$'\r\033[K[ 1.0/2.3 s] '*" msg/s  p99 "*" ms  errors 0"* ]]
	[[ "$output" == *"[ 2.0/2.3 s] "* ]]
	run script -qfec "'$WSX' bench -q -i 1 -d 1.2 --warmup 0 -c 2" /dev/null
	assert_success
	[[ "$output" != *"/1.2 s]"* ]]
	[[ "$output" == *"messages   sent"* ]]
	# not on a terminal: none of it
	run --separate-stderr "$WSX" bench -i 1 -d 1.2 --warmup 0 -c 2
	assert_success
	assert_equal "$stderr" ""
}

@test "bench: plain 'wsx bench' measures capacity, then latency at half of it on a schedule, on one screen" {
	run script -qfec "'$WSX' bench -d 1 --warmup 0.5 -c 4" /dev/null
	assert_success
	# the live line names the phase
	[[ "$output" == *"capacity [ "[01].[0-9]"/1.5 s] "* ]]
	[[ "$output" == *"latency [ "[01].[0-9]"/1.5 s] "* ]]
	run --separate-stderr "$WSX" bench -d 1 --warmup 0.5 -c 4
	assert_success
	echo "$output"
	assert_line --regexp '^capacity +[1-9][0-9]* messages/s received, with 16 in flight per connection$'
	assert_line --regexp '^latency +p50 [0-9.]+ ms +p90 [0-9.]+ ms +p99 [0-9.]+ ms'
	assert_line --regexp '^errors +none$'
	# the rate is half the capacity, two significant digits
	local cap rate
	cap=$(sed -n 's/^capacity *\([0-9]*\) messages.*/\1/p' <<<"$output")
	rate=$(sed -n 's/.* messages, \([0-9]*\)\/s in all (open loop)$/\1/p' <<<"$output")
	"$PYTHON" -c '
import sys
cap, rate = int(sys.argv[1]), int(sys.argv[2])
half = cap / 2
scale = 1
while half / scale >= 100:
    scale *= 10
assert rate == int(half / scale) * scale, (cap, rate)' "$cap" "$rate"
	# one screen: at most 40 lines, none wider than 80 columns
	[ "${#lines[@]}" -le 40 ]
	"$PYTHON" -c '
import sys
wide = [l for l in sys.argv[1].splitlines() if len(l) > 80]
assert not wide, wide' "$output"
	run --separate-stderr "$WSX" bench -d 1 --warmup 0.5 -c 4 --json
	assert_success
	[ "$(json capacity.in_flight)" = 16 ]
	"$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
cap = d["capacity"]["messages_per_s"]
assert cap > 1000, cap
assert 0 < d["rate"] <= cap / 2, (d["rate"], cap)' "$output"
	# any of --mode, --rate, --in-flight, or a URL: one phase, no capacity
	run --separate-stderr "$WSX" bench -d 0.5 --warmup 0 -c 2 -i 4
	assert_success
	refute_line --partial capacity
}

@test "bench: the report ends with a latency histogram, block characters on UTF-8, ASCII otherwise, colour only on a terminal without NO_COLOR" {
	run --separate-stderr env LANG=C.UTF-8 LC_ALL= LC_CTYPE= "$WSX" bench -i 2 -d 1 --warmup 0.2 -c 2
	assert_success
	assert_line --regexp '^round-trip latency histogram \([1-9][0-9]* samples, ms\)$'
	assert_line --regexp '^  ≤ +[0-9.]+ │ █.* +[0-9]+  p50'
	assert_output --partial "p99"
	[[ "$output" != *$'\033['* ]] # not a terminal: no colour
	# the rows' counts add up to the samples
	"$PYTHON" -c '
import re, sys
out = sys.argv[1]
n = int(re.search(r"histogram \((\d+) samples", out).group(1))
rows = [int(m.group(1)) for m in re.finditer(r"│ [^0-9]*?(\d+)(  p| *$)", out, re.M)]
assert 1 <= len(rows) <= 16, rows
assert sum(rows) == n, (sum(rows), n)' "$output"
	run --separate-stderr env LC_ALL=C "$WSX" bench -i 2 -d 1 --warmup 0.2 -c 2
	assert_success
	assert_line --regexp '^  <= +[0-9.]+ \| [#.]+ +[0-9]+  p50'
	"$PYTHON" -c 'import sys; sys.argv[1].encode("ascii")' "$output"
	# on a terminal, colour; NO_COLOR turns it off
	run script -qfec "env LANG=C.UTF-8 '$WSX' bench -q -i 2 -d 1 --warmup 0.2 -c 2" /dev/null
	assert_success
	[[ "$output" == *$'\033[36m█'* ]]
	run script -qfec "env NO_COLOR=1 LANG=C.UTF-8 '$WSX' bench -q -i 2 -d 1 --warmup 0.2 -c 2" /dev/null
	assert_success
	[[ "$output" == *"█"* ]]
	[[ "$output" != *$'\033[36m'* ]]
}

@test "bench --json: per_second has one entry per second measured, adding up to the totals" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json -c 2 -d 3 --warmup 0.3 "$URL"
	assert_success
	"$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
s = d["per_second"]
assert len(s) == 3, s
assert sum(x["received"] for x in s) == d["received"]["messages"], s
assert sum(x["sent"] for x in s) == d["sent"]["messages"], s
# each as long as it was: about a second, and all of them the window
assert all(abs(x["seconds"] - 1) < 0.05 for x in s), s
assert abs(sum(x["seconds"] for x in s) - d["duration_s"]) < 0.001, s
assert all(x["samples"] > 0 and 0 < x["p50_ms"] <= x["p99_ms"] for x in s), s' "$output"
}

@test "bench -T and -c: connections are spread over the threads asked for" {
	run --separate-stderr "$WSX" bench --json -T 3 -c 5 -d 0.5 --warmup 0
	assert_success
	assert_equal "$(json threads)" 3
	assert_equal "$(json connections_opened.count)" 5
	run --separate-stderr "$WSX" bench --json -T 8 -c 2 -d 0.5 --warmup 0
	assert_success
	assert_equal "$(json threads)" 2 # never more threads than connections
}

@test "bench --connect-rate: every connection opens, none fail" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json --connect-rate 20 -c 6 -d 1 --warmup 0 "$URL"
	assert_success
	assert_equal "$(json connections_opened.count)" 6
	assert_equal "$(json errors.total)" 0
}

@test "bench --warmup: the warm-up's messages are not counted" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench --json -r 200 -c 2 --warmup 1 -d 1 "$URL"
	assert_success
	# 200/s for 1 measured second, not 2 seconds' worth
	"$PYTHON" -c 'import json,sys; n=json.loads(sys.argv[1])["sent"]["messages"]
assert 180 <= n <= 220, n' "$output"
}

@test "bench: -i/--in-flight sets the messages in flight; -P and --pipeline, the old spellings, still do, and -P is not in --help" {
	local o
	for o in -i --in-flight -P --pipeline; do
		run --separate-stderr "$WSX" bench --json -d 0.3 --warmup 0 \
			-c 1 "$o" 3 -m 16
		assert_success
		assert_equal "$(json in_flight)" 3
	done
	run "$WSX" bench --help
	assert_output --partial '-i, --in-flight K'
	refute_output --partial '-P'
	refute_output --partial 'pipeline'
	run --separate-stderr "$WSX" bench -P 0
	assert_failure 2
	[ "$stderr" = "wsx: --in-flight: '0' is out of range (1 to 65536) (see 'wsx bench --help')" ]
}
