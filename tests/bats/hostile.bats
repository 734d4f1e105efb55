#!/usr/bin/env bats
# wsx serve against a hostile client (tests/helpers/hostile_client.py, raw
# sockets, no WebSocket library): every broken handshake or frame is
# answered as RFC 6455 says, a well-behaved client is served throughout,
# and no descriptor or memory is left behind.

load helpers

HOSTILE="$HELPERS/hostile_client.py"

teardown() {
	stop_servers
}

fds() { ls "/proc/$1/fd" | wc -l; }
rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }

# case_is CASE OUTCOME-REGEX
case_is() {
	run "$PYTHON" "$HOSTILE" "$URL" "$1"
	assert_success
	[[ "$output" =~ ^($2)$ ]] || fail "$1: got '$output', wanted '$2'"
}

@test "hostile: broken handshakes get 400, 426 or a closed socket, never an upgrade" {
	start_wsx_echo
	case_is no-key 'http 400'
	case_is duplicate-key 'http 400'
	case_is bad-version 'http 426'
	case_is no-version 'http 426'
	case_is huge-header 'dropped|http 431|http 400'
	case_is many-headers 'dropped|http 431|http 400'
	case_is huge-request-line 'dropped|http 414|http 400'
	case_is not-http 'dropped|http 4[0-9][0-9]'
	# version 13 named in the 426
	run curl -s -o /dev/null -D - -H 'Upgrade: websocket' -H 'Connection: Upgrade' \
		-H 'Sec-WebSocket-Version: 8' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' \
		"http://127.0.0.1:$PORT/"
	assert_line --regexp '^HTTP/1.[01] 426'
	# header names are case-insensitive (RFC 7230 3.2)
	[[ "${output,,}" == *$'\nsec-websocket-version: 13\r'* ]]
}

@test "hostile: frames that break RFC 6455 are failed with 1002, bad UTF-8 with 1007, too big with 1009" {
	start_wsx_echo --max-message 64K
	case_is oversized-frame 'close 1009'
	case_is rsv-bits 'close 1002'
	case_is reserved-opcode 'close 1002'
	case_is reserved-control-opcode 'close 1002'
	case_is length-2^63 'close 1002|dropped'
	case_is big-ping 'close 1002|dropped'
	case_is fragmented-ping 'close 1002'
	case_is continuation-first 'close 1002'
	case_is text-inside-text 'close 1002'
	case_is invalid-utf8 'close 1007'
	case_is invalid-utf8-split 'close 1007'
	case_is surrogate-utf8 'close 1007'
	case_is close-1005 'close 1002'
	case_is close-999 'close 1002'
	case_is close-one-byte 'close 1002'
	case_is close-bad-reason 'close 1007'
	case_is data-after-close 'close 1000'
	case_is half-close 'dropped|close 1002|close 1006'
	case_is rst-mid-frame 'reset'
	case_is valid 'echo still fine'
}

@test "hostile: a good client is served while every case and 1,000 dropped connections run; no fd or memory left behind" {
	start_wsx_echo
	local server=$LAST_PID base_fds rss1 rss2 c
	base_fds=$(fds "$server")
	# the good client: a message every 20 ms, each echo checked
	"$PYTHON" - "$URL" >"$BATS_TEST_TMPDIR/good.out" 2>&1 <<'PY' &
import asyncio, sys, time, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        n, end = 0, time.time() + 8
        while time.time() < end:
            await ws.send("m%d" % n)
            if await asyncio.wait_for(ws.recv(), 5) != "m%d" % n:
                print("wrong echo"); return
            n += 1
            await asyncio.sleep(0.02)
        print("good client ok", n > 100)
asyncio.run(main())
PY
	local good=$!
	for c in $("$PYTHON" "$HOSTILE" "$URL" list) rst-mid-frame; do
		"$PYTHON" "$HOSTILE" "$URL" "$c" >/dev/null
	done
	run "$PYTHON" "$HOSTILE" "$URL" churn 1000
	assert_output "done 1000"
	rss1=$(rss_kib "$server")
	run "$PYTHON" "$HOSTILE" "$URL" churn 1000
	assert_output "done 1000"
	rss2=$(rss_kib "$server")
	wait "$good"
	run cat "$BATS_TEST_TMPDIR/good.out"
	assert_output "good client ok True"
	# every connection is gone: the descriptors are back to where they were
	for _ in $(seq 1 100); do
		[ "$(fds "$server")" -eq "$base_fds" ] && break
		sleep 0.05
	done
	[ "$(fds "$server")" -eq "$base_fds" ] || fail "fds: $base_fds at start, $(fds "$server") now"
	# the second 1,000 did not grow memory (ASan's quarantine would)
	if [ -z "${WSX_SANITIZED:-}" ]; then
		[ $((rss2 - rss1)) -lt 1024 ] || fail "RSS grew from $rss1 to $rss2 KiB"
	fi
	run bash -c "echo after | '$WSX' pipe '$URL'"
	assert_output "after"
}

@test "hostile: with ulimit -n 64, a flood of 120 connections neither spins the CPU nor stops service once it goes" {
	start_server small bash -c "ulimit -n 64 && exec '$WSX' serve -p 0 --handshake-timeout 2"
	local server=$LAST_PID
	run "$PYTHON" - "$PORT" "$server" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
def cpu():
    f = open("/proc/%d/stat" % pid).read().split()
    return (int(f[13]) + int(f[14])) / 100.0
held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(120)]
c0 = cpu()
time.sleep(2)
print("cpu while flooded below 0.5 s:", cpu() - c0 < 0.5)
for s in held:
    s.close()
PY
	assert_output "cpu while flooded below 0.5 s: True"
	run timeout 20 bash -c "echo back | '$WSX' pipe '$URL'"
	assert_output "back"
}

# Against wsx's client (pipe): tests/helpers/hostile_server.py MODE

@test "hostile server: a wrong Accept, a 101 without Upgrade, non-HTTP and 1 MiB of headers: one line each, exit 6" {
	local mode
	for mode in bad-accept no-upgrade garbage huge-headers; do
		start_server "hs-$mode" "$PYTHON" "$HELPERS/hostile_server.py" "$mode"
		run --separate-stderr timeout 20 "$WSX" pipe "$URL" </dev/null
		[ "$status" -eq 6 ] || fail "$mode: exit $status, stderr: $stderr"
		[[ "$stderr" == "wsx: bad handshake answer"* ]] || fail "$mode: $stderr"
		[ "$(wc -l <<<"$stderr")" -eq 1 ] || fail "$mode: $stderr"
		assert_output ""
	done
}

@test "hostile server: a frame announcing 1 TiB past --max-message fails the connection at once (exit 6), no crash" {
	start_server big "$PYTHON" "$HELPERS/hostile_server.py" big-frame
	run --separate-stderr timeout 20 "$WSX" pipe --max-message 1M "$URL" </dev/null
	assert_equal "$status" 6
	assert_equal "$stderr" "wsx: message larger than --max-message (1048576 bytes); wsx closed the connection: 1009 message too big"
}

@test "hostile server: a flood into a stdout nobody reads keeps the client's memory bounded" {
	start_server flood "$PYTHON" "$HELPERS/hostile_server.py" flood 65536
	# a reader that takes nothing for 4 s, then everything for 2 s
	timeout 20 "$WSX" pipe -b --raw "$URL" </dev/null 2>/dev/null |
		{ sleep 4; timeout 2 cat >/dev/null; } &
	local reader=$! pid rss=0 r
	sleep 1
	pid=$(pgrep -n -f "pipe -b --raw $URL") || fail "the client is gone"
	for _ in 1 2 3 4 5 6; do
		r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null) || break
		[ "${r:-0}" -le "$rss" ] || rss=$r
		sleep 0.5
	done
	wait "$reader" || true
	[ "$rss" -gt 0 ] || fail "no RSS sample"
	if [ -z "${WSX_SANITIZED:-}" ]; then
		# --buffer (1 MiB) each way, the read chunk, the binary itself
		[ "$rss" -lt $((32 * 1024)) ] || fail "client RSS reached $rss KiB"
	fi
}

@test "hostile server: one that never answers is given up after --connect-timeout (exit 3)" {
	start_server silent "$PYTHON" "$HELPERS/raw_server.py"
	local t0=$SECONDS
	run --separate-stderr "$WSX" pipe --connect-timeout 1 "$URL" </dev/null
	assert_equal "$status" 3
	[ $((SECONDS - t0)) -le 5 ]
	[[ "$stderr" == *"timed out"* ]]
}
