#!/usr/bin/env bats
# wsx pipe against wsx serve: framing modes, one-shot and stay-open modes,
# backpressure and the exit statuses a user can provoke.

load helpers

setup() {
	start_wsx_echo
}

teardown() {
	stop_servers
}

@test "pipe: lines go out as text messages and come back as lines" {
	run --separate-stderr bash -c "printf 'hello\nworld\n' | '$WSX' pipe '$URL'"
	assert_success
	[ "$output" = $'hello\nworld' ]
	[ -z "$stderr" ]
}

@test "pipe: a last line without a newline is still sent" {
	run bash -c "printf 'one\ntwo' | '$WSX' pipe '$URL'"
	assert_success
	[ "$output" = $'one\ntwo' ]
}

@test "pipe: empty stdin closes cleanly with exit 0 and no output" {
	run bash -c "'$WSX' pipe '$URL' </dev/null"
	assert_success
	assert_output ""
}

@test "pipe: --jsonl reports each message's type" {
	run bash -c "printf '%s\n' '{\"type\":\"text\",\"data\":\"hi\"}' '{\"type\":\"binary\",\"data\":\"AAEC\"}' | '$WSX' pipe --jsonl '$URL'"
	assert_success
	assert_line --index 0 --regexp '^\{"type":"text","time":[0-9.]+,"data":"hi"\}$'
	assert_line --index 1 --regexp '^\{"type":"binary","time":[0-9.]+,"data":"AAEC"\}$'
}

# start_pinger: a raw-socket server that, to each client, sends a ping
# "hello", an unsolicited pong "beat" and a text message "after ping", then
# closes with 1000 once its ping is answered (5 s at most); it logs
# "pong aGVsbG8=" for the answer. $PINGER_LOG
start_pinger() {
	start_server pinger "$PYTHON" "$HELPERS/ping_peer.py" \
		--ping hello --pong beat --send 'after ping' --close-after-pong
	PINGER_LOG="$BATS_TEST_TMPDIR/pinger.log"
}

@test "pipe: --jsonl shows the server's ping and pong as lines of their own, in order; the ping is answered" {
	start_pinger
	run --separate-stderr "$WSX" pipe --jsonl -n "$URL" </dev/null
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	assert_line --index 0 --regexp '^\{"type":"ping","time":[0-9.]+,"data":"aGVsbG8="\}$'
	assert_line --index 1 --regexp '^\{"type":"pong","time":[0-9.]+,"data":"YmVhdA=="\}$'
	assert_line --index 2 --regexp '^\{"type":"text","time":[0-9.]+,"data":"after ping"\}$'
	grep -qx 'pong aGVsbG8=' "$PINGER_LOG"
}

@test "pipe: lines and --base64 print the messages only; the ping is still answered" {
	start_pinger
	run --separate-stderr "$WSX" pipe -n "$URL" </dev/null
	assert_success
	assert_output "after ping"
	run --separate-stderr "$WSX" pipe --base64 -n "$URL" </dev/null
	assert_success
	assert_output "$(printf 'after ping' | base64)"
	[ "$(grep -cx 'pong aGVsbG8=' "$PINGER_LOG")" -eq 2 ]
}

@test "pipe: --jsonl input without a type is sent as text" {
	run bash -c "printf '%s\n' '{\"data\":\"x\"}' '' | '$WSX' pipe --jsonl '$URL'"
	assert_success
	assert_output --regexp '^\{"type":"text","time":[0-9.]+,"data":"x"\}$'
}

@test "pipe: --jsonl input that is not JSON is one clear error, exit 1" {
	run --separate-stderr bash -c "printf 'nope\n' | '$WSX' pipe --jsonl '$URL'"
	assert_failure 1
	[ "$stderr" = "wsx: input line 1 is not a JSON object" ]
}

@test "pipe: --null frames messages with NUL bytes both ways" {
	printf 'a\nb\0c d\0' >"$BATS_TEST_TMPDIR/in"
	"$WSX" pipe -0 "$URL" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "pipe: --base64 round-trips binary messages, one line each" {
	printf 'AAECAw==\n\n/w==\n' >"$BATS_TEST_TMPDIR/in"
	run bash -c "'$WSX' pipe --base64 '$URL' <'$BATS_TEST_TMPDIR/in'"
	assert_success
	[ "$output" = $'AAECAw==\n\n/w==' ]
}

@test "pipe: --len32 carries a 1 MiB binary message byte for byte" {
	"$PYTHON" -c '
import os, struct, sys
out = sys.stdout.buffer
for n in (0, 1, 126, 65536, 1 << 20):
    data = os.urandom(n)
    out.write(struct.pack("!I", n) + data)
' >"$BATS_TEST_TMPDIR/in"
	"$WSX" pipe --len32 "$URL" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "pipe: 64 MiB of --raw binary comes back identical" {
	head -c $((64 << 20)) /dev/urandom >"$BATS_TEST_TMPDIR/in"
	"$WSX" pipe --raw "$URL" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "pipe: a slow stdout reader gets everything, in order" {
	seq 1 200000 >"$BATS_TEST_TMPDIR/in"
	"$WSX" pipe --buffer 4K "$URL" <"$BATS_TEST_TMPDIR/in" |
		(sleep 1; cat) >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "pipe: -1 sends one message, prints one reply and exits 0" {
	run bash -c "printf 'first\nsecond\n' | '$WSX' pipe -1 '$URL'"
	assert_success
	assert_output "first"
}

@test "pipe: -n stays after stdin ends until the server closes (1001 is exit 0)" {
	local out="$BATS_TEST_TMPDIR/out"
	echo ping | "$WSX" pipe -n "$URL" >"$out" 2>&1 &
	local pid=$!
	for _ in $(seq 1 100); do
		[ -s "$out" ] && break
		sleep 0.05
	done
	sleep 0.2
	kill -0 "$pid" # still running after stdin ended
	stop_servers   # SIGTERM: the server closes with 1001
	wait "$pid"
	run cat "$out"
	assert_output "ping"
}

@test "pipe: text input that is not UTF-8 is refused, not sent as binary" {
	run --separate-stderr bash -c "printf 'ok\n\xff\xfe\n' | '$WSX' pipe '$URL'"
	assert_failure 1
	[[ "$stderr" == *"not valid UTF-8"* ]]
	[[ "$stderr" == *"-b/--binary"* ]]
}

@test "pipe: exit 2 for a URL that is not a WebSocket URL" {
	run --separate-stderr "$WSX" pipe 'ftp://127.0.0.1/'
	assert_failure 2
	[[ "$stderr" == *"'ftp://127.0.0.1/' is not a WebSocket URL"* ]]
	run --separate-stderr "$WSX" pipe 'ws://127.0.0.1:99999/'
	assert_failure 2
	[[ "$stderr" == *"port must be 1 to 65535"* ]]
}

@test "pipe: exit 3 when the connection is refused" {
	run --separate-stderr bash -c "echo x | '$WSX' pipe ws://127.0.0.1:1/"
	assert_failure 3
	[ "$stderr" = "wsx: could not connect to 127.0.0.1:1: refused or unreachable" ]
}

@test "pipe: exit 3 when the server never answers (--connect-timeout)" {
	start_server silent "$PYTHON" "$HELPERS/raw_server.py"
	local t0=$SECONDS
	run --separate-stderr bash -c "echo x | '$WSX' pipe --connect-timeout 0.5 '$URL'"
	assert_failure 3
	[[ "$stderr" == *"timed out"* ]]
	[ $((SECONDS - t0)) -lt 5 ]
}

@test "pipe: exit 6 with the code printed when the server closes with 1009" {
	stop_servers
	start_wsx_echo --max-message 100
	# -w: closing at once would cross the server's 1009 (see wsx-pipe(1))
	run --separate-stderr bash -c "head -c 500 /dev/zero | tr '\\0' a | '$WSX' pipe -w 5 '$URL'"
	assert_failure 6
	[[ "$stderr" == *"1009"* ]]
}

@test "pipe: a message over --max-message closes with 1009 and exits 6" {
	# a Python websockets server that sends 1000 bytes to whoever connects
	cat >"$BATS_TEST_TMPDIR/push.py" <<'PY'
import asyncio, websockets
async def handler(ws, *path):
    await ws.send("x" * 1000)
    await ws.wait_closed()
async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening on ws://127.0.0.1:%d" % port, flush=True)
        await asyncio.sleep(60)
asyncio.run(main())
PY
	start_server push "$PYTHON" "$BATS_TEST_TMPDIR/push.py"
	run --separate-stderr "$WSX" pipe -n --max-message 999 "$URL" </dev/null
	assert_failure 6
	[ "$stderr" = "wsx: message larger than --max-message (999 bytes); wsx closed the connection: 1009 message too big" ]
	assert_output ""
}

@test "pipe: SIGINT closes the connection and exits 130" {
	(echo hi; sleep 10) | "$WSX" pipe "$URL" >"$BATS_TEST_TMPDIR/out" &
	local pid=$!
	for _ in $(seq 1 100); do
		[ -s "$BATS_TEST_TMPDIR/out" ] && break
		sleep 0.05
	done
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output "hi"
}

# stuck_reader: a FIFO whose reader never reads (a consumer that hung);
# sets $FIFO and $READER
stuck_reader() {
	FIFO="$BATS_TEST_TMPDIR/fifo"
	mkfifo "$FIFO"
	sleep 60 <"$FIFO" &
	READER=$!
}

# wait_connected: until wsx -v says it is connected (valgrind is slow to
# start, and a signal before that is not the one under test)
wait_connected() {
	for _ in $(seq 1 200); do
		grep -q 'connected to' "$BATS_TEST_TMPDIR/err" && return 0
		sleep 0.05
	done
	return 1
}

# pipe_into_stuck_reader [OPTIONS...]: 5 MB echoed towards a consumer that
# never reads; $pid is wsx, once its output has filled the pipe
pipe_into_stuck_reader() {
	stuck_reader
	head -c 5000000 /dev/zero |
		"$WSX" pipe -v --raw -b -n "$@" "$URL" >"$FIFO" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait_connected
	sleep 1
}

@test "pipe: SIGTERM with a consumer that stopped reading exits 130 after --grace, counting the bytes not written" {
	pipe_into_stuck_reader --grace 0.5
	local start=$SECONDS rc=0
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	kill "$READER"
	[ "$rc" -eq 130 ]
	[ $((SECONDS - start)) -le 5 ]
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --regexp '^wsx: [0-9]+ bytes were not written to stdout$'
}

@test "pipe: a second SIGTERM with a stuck consumer exits 130 at once" {
	pipe_into_stuck_reader --grace 60
	local start=$SECONDS rc=0
	kill -TERM "$pid"
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	kill "$READER"
	[ "$rc" -eq 130 ]
	[ $((SECONDS - start)) -le 5 ]
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --regexp 'bytes were not written to stdout'
}

@test "pipe: SIGTERM with a slow consumer writes everything it owes within --grace" {
	seq 1 100000 >"$BATS_TEST_TMPDIR/in"
	"$WSX" pipe -v "$URL" < <(cat "$BATS_TEST_TMPDIR/in"; sleep 30) \
		2>"$BATS_TEST_TMPDIR/err" \
		> >(sleep 1; cat >"$BATS_TEST_TMPDIR/out") &
	local pid=$! rc=0
	wait_connected
	sleep 0.5
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 130 ]
	for _ in $(seq 1 100); do
		cmp -s "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	run cat "$BATS_TEST_TMPDIR/err"
	refute_output --partial 'not written'
}

@test "pipe: a reader that goes away (| head) ends it with one clear line, exit 1" {
	run --separate-stderr bash -c "head -c 3000000 /dev/zero |
		timeout 20 '$WSX' pipe --raw -b '$URL' | head -c 10 >/dev/null;
		echo \"\${PIPESTATUS[1]}\""
	assert_output 1
	[ "$stderr" = "wsx: cannot write to stdout: Broken pipe" ]
}

@test "pipe -n: a reader that goes away after stdin has ended is still exit 1, not 0" {
	# stdin ends at once, the replies come after: the failure to write
	# them was lost behind the clean end of input
	start_wsx_echo --sh 'yes | head -n 1000000'
	run --separate-stderr bash -c "printf 'x\n' |
		timeout 20 '$WSX' pipe -n '$URL' | head -c 10 >/dev/null;
		echo \"\${PIPESTATUS[1]}\""
	assert_output 1
	[ "$stderr" = "wsx: cannot write to stdout: Broken pipe" ]
}

@test "pipe: --grace with a bad time is a usage error naming the option" {
	run "$WSX" pipe --grace soon "$URL"
	[ "$status" -eq 2 ]
	assert_output --partial -- '--grace'
}

@test "pipe: -s offers subprotocols; -v names the one wsx serve selected" {
	start_wsx_echo
	run --separate-stderr bash -c "echo hi | '$WSX' pipe -v -s chat -s superchat '$URL'"
	assert_success
	assert_output "hi"
	[[ "$stderr" == *"subprotocol chat"* ]]
}

@test "pipe: -1, -n and -w together are a usage error, exit 2" {
	run --separate-stderr "$WSX" pipe -1 -w 1 ws://127.0.0.1:1/
	assert_failure 2
	assert_equal "$stderr" "wsx: -1, -n and -w do not go together (see 'wsx pipe --help')"
}

@test "pipe: -w with a bad time is a usage error naming the option" {
	run --separate-stderr "$WSX" pipe -w soon ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == "wsx: --wait"* ]]
}
