#!/usr/bin/env bats
# wsx serve --threads N: N loops on N threads, each listening on the port
# (SO_REUSEPORT); clients of every thread are served and closed alike.

load helpers

teardown() {
	stop_servers
}

@test "serve -T 2: two listeners on the port, two threads, 40 Python clients each get their own messages back" {
	start_wsx_echo -T 2
	local pid=$LAST_PID port=${URL##*:}
	port=${port%%/*}
	# sockets listening (state 0A) on the port, from /proc/net/tcp
	[ "$(awk -v p="$(printf ':%04X' "$port")" '$2 ~ p"$" && $4 == "0A"' /proc/net/tcp | wc -l)" -eq 2 ]
	[ "$(ls "/proc/$pid/task" | wc -l)" -ge 2 ]
	run "$PYTHON" -c '
import asyncio, sys, websockets
async def client(i):
    async with websockets.connect(sys.argv[1]) as ws:
        for k in range(50):
            msg = "client %d message %d" % (i, k)
            await ws.send(msg)
            if await ws.recv() != msg:
                return 1
        return 0
async def main():
    bad = sum(await asyncio.gather(*(client(i) for i in range(40))))
    print("wrong echoes:", bad)
asyncio.run(main())' "$URL"
	assert_success
	assert_output "wrong echoes: 0"
}

@test "serve -T 2: SIGTERM closes the clients of every thread with 1001 and exits 0" {
	start_wsx_echo -T 2
	local server=$LAST_PID i pids=() rc
	for i in 1 2 3 4 5 6 7 8; do
		"$WSX" pipe -n "$URL" </dev/null >/dev/null 2>/dev/null 3>&- &
		pids+=("$!")
	done
	# all 8 open before the signal
	for i in $(seq 1 100); do
		[ "$(grep -c '^wsx: open ' "$BATS_TEST_TMPDIR/wsx-echo.log")" -eq 8 ] && break
		sleep 0.05
	done
	kill -TERM "$server"
	rc=0
	wait "$server" || rc=$?
	[ "$rc" -eq 0 ]
	for i in "${pids[@]}"; do
		rc=0
		wait "$i" || rc=$?
		[ "$rc" -eq 0 ] # 1001 going away is a normal end
	done
	[ "$(grep -c "^wsx: close .*wsx closed the connection: 1001 going away" "$BATS_TEST_TMPDIR/wsx-echo.log")" -eq 8 ]
}

@test "serve -T: with --broadcast or --exec, or out of range, a usage error" {
	run --separate-stderr "$WSX" serve -T 2 --broadcast -p 0
	assert_failure 2
	assert_equal "$stderr" "wsx: --threads goes with --echo: a room and a program's children live on one thread (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve -T 2 --sh cat -p 0
	assert_failure 2
	run --separate-stderr "$WSX" serve --threads 0 -p 0
	assert_failure 2
	assert_equal "$stderr" "wsx: --threads: '0' is out of range (1 to 64) (see 'wsx serve --help')"
}
