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
	assert_line --regexp '^sec-websocket-version: 13'
}

@test "hostile: frames that break RFC 6455 are failed with 1002, bad UTF-8 with 1007" {
	start_wsx_echo
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
