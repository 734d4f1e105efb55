#!/usr/bin/env bats
# wsx relay A B: websockify, TCP in front of a WebSocket service, a logging
# and recording WebSocket proxy, programs, unix sockets and stdio, with
# peers nobody here wrote (Python websockets, Node ws) where it matters.

load helpers

teardown() {
	stop_servers
}

# start_relay NAME ARGS...: wsx relay ARGS in the background; $URL, $PORT
start_relay() {
	local name=$1
	shift
	start_server "$name" "$WSX" relay "$@"
	RELAY_PID=$LAST_PID
}

start_tcp_echo() {
	start_server tcp-echo "$WSX_BUILDDIR/tests/helpers/tcp-echo-server" -t 120
	ECHO_PORT=$PORT
}

start_node_echo() {
	start_server node-echo node "$HELPERS/node_echo_server.js" "$@"
	NODE_URL=$URL
}

: "${WSX_BUILDDIR:=$(dirname "${WSX_REAL:-$WSX}")}"

@test "relay: a bad endpoint is one line naming it, exit 2" {
	run --separate-stderr "$WSX" relay ws-l:0 tcpp:127.0.0.1:1
	assert_failure 2
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "wsx: 'tcpp:127.0.0.1:1' is not an endpoint: "* ]]
	run --separate-stderr "$WSX" relay ws-l:0 tcp:localhost
	assert_failure 2
	[[ "$stderr" == *"'tcp:localhost' is not an endpoint: expected HOST:PORT"* ]]
}

@test "relay: one endpoint, two listeners, or options for the wrong side are usage errors" {
	run --separate-stderr "$WSX" relay ws-l:0
	assert_failure 2
	[[ "$stderr" == *"expected two endpoints"* ]]
	run --separate-stderr "$WSX" relay ws-l:0 tcp-l:0
	assert_failure 2
	[[ "$stderr" == *"both listen"* ]]
	run --separate-stderr "$WSX" relay --forward-path tcp-l:0 ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"go with a ws-l: side"* ]]
	run --separate-stderr "$WSX" relay wss-l:0 tcp:127.0.0.1:1
	assert_failure 2
	[[ "$stderr" == *"needs --cert and --key"* ]]
}

@test "relay ws-l → tcp (websockify): 100 MiB of random binary from python websockets round-trips with the same SHA-256" {
	start_tcp_echo
	start_relay relay ws-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	run "$PYTHON" "$HELPERS/py_stream_client.py" "$URL" --bytes $((100 << 20))
	assert_success
	[ "${lines[0]#sent }" = "${lines[1]#received }" ]
}

@test "relay tcp-l → ws: 64 MiB from a plain TCP client through node ws's echo come back with the same SHA-256" {
	start_node_echo
	start_relay relay tcp-l:0 "$NODE_URL"
	run "$PYTHON" "$HELPERS/tcp_peer.py" client "$PORT" $((64 << 20))
	assert_success
	[ "${lines[0]#sent }" = "${lines[1]#received }" ]
}

@test "relay ws-l → ws (proxy): python websockets through to node ws keeps text and binary, sizes 0..4 MiB" {
	start_node_echo
	start_relay relay ws-l:0 "$NODE_URL"
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --sizes 0,1,125,126,65535,65536,4M
	assert_success
	refute_output --partial FAIL
	[ "$(grep -c '^ok' <<<"$output")" -eq 14 ]
}

@test "relay ws-l → ws (proxy): a fragmented message arrives whole" {
	start_node_echo
	start_relay relay ws-l:0 "$NODE_URL"
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --fragmented --sizes 10,70000
	assert_success
	refute_output --partial FAIL
	# node saw each as one message of its full size
	grep -q '^message text 70000$' "$BATS_TEST_TMPDIR/node-echo.log"
	grep -q '^message binary 70000$' "$BATS_TEST_TMPDIR/node-echo.log"
}

@test "relay ws-l → ws (proxy): node's close 4001 \"custom\" reaches the client unchanged" {
	start_node_echo --close-with 4001 custom
	start_relay relay ws-l:0 "$NODE_URL"
	run "$PYTHON" "$HELPERS/py_client.py" "$URL" --sizes 5 --type text --expect-close 4001
	assert_success
	assert_output --partial "ok close 4001 'custom'"
}

@test "relay ws-l → ws (proxy): the client's close code reaches the server" {
	start_node_echo
	start_relay relay ws-l:0 "$NODE_URL"
	"$PYTHON" -c '
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send("x"); await ws.recv()
        await ws.close(4002, "bye")
asyncio.run(main())' "$URL"
	for _ in $(seq 1 50); do
		grep -q '^closed 4002$' "$BATS_TEST_TMPDIR/node-echo.log" && break
		sleep 0.1
	done
	grep -q '^closed 4002$' "$BATS_TEST_TMPDIR/node-echo.log"
}

@test "relay ws-l → ws (proxy): pings are answered and pongs are passed on to the server" {
	start_server node-pong node -e '
const WebSocket = require("ws");
const wss = new WebSocket.Server({ host: "127.0.0.1", port: 0 });
wss.on("listening", () => console.log(`listening on ws://127.0.0.1:${wss.address().port}`));
wss.on("connection", (ws) => ws.on("pong", (d) => console.log(`pong ${d}`)));'
	start_relay relay ws-l:0 "$URL"
	run "$PYTHON" -c '
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await asyncio.wait_for(await ws.ping(b"rtt"), 5)
        print("pong back")
        await ws.pong(b"heartbeat")
        await asyncio.sleep(0.3)
asyncio.run(main())' "$URL"
	assert_success
	assert_output "pong back"
	for _ in $(seq 1 50); do
		grep -q '^pong heartbeat$' "$BATS_TEST_TMPDIR/node-pong.log" && break
		sleep 0.1
	done
	grep -q '^pong heartbeat$' "$BATS_TEST_TMPDIR/node-pong.log"
}

# start_ping_upstream [ping_peer.py ARGS...]: the raw-socket server that logs
# every ping and pong it sees (answering pings itself, after --pong-delay);
# $UP_URL, $UP_LOG
start_ping_upstream() {
	start_server upstream "$PYTHON" "$HELPERS/ping_peer.py" "$@"
	UP_URL=$URL
	UP_LOG="$BATS_TEST_TMPDIR/upstream.log"
}

# wait_up_log REGEX: until the upstream has logged a line matching it (5 s)
wait_up_log() {
	for _ in $(seq 1 50); do
		grep -qE -- "$1" "$UP_LOG" && return 0
		sleep 0.1
	done
	echo "the upstream never logged /$1/:" >&2
	cat "$UP_LOG" >&2
	return 1
}

# A websockets client that pings with PAYLOAD (Python escapes) and prints
# "pong after N ms" once the pong with that payload came back (websockets
# resolves a ping's waiter only for a pong with its payload), or exits 1.
PING_CLIENT='
import asyncio, codecs, sys, time, websockets
async def main():
    payload = codecs.escape_decode(sys.argv[2].encode())[0]
    async with websockets.connect(sys.argv[1]) as ws:
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(await ws.ping(payload), 5)
        except asyncio.TimeoutError:
            sys.exit("no pong with that payload within 5 s")
        print("pong after %d ms" % ((time.monotonic() - t0) * 1000))
        if len(sys.argv) > 3:  # then a message: is the stream still clean?
            await ws.send(sys.argv[3].encode())
            print("echo %r" % await asyncio.wait_for(ws.recv(), 5))
asyncio.run(main())'

@test "relay ws-l → ws (proxy): a client's ping goes on to the server, and the server's pong (300 ms late) comes back with its payload" {
	start_ping_upstream --pong-delay 0.3
	start_relay relay ws-l:0 "$UP_URL"
	run "$PYTHON" -c "$PING_CLIENT" "$URL" 'through the relay'
	assert_success
	# the upstream got the client's payload, byte for byte...
	wait_up_log '^pong-sent '
	[ "$(grep -c '^ping ' "$UP_LOG")" -eq 1 ]
	grep -qx "ping $(printf 'through the relay' | base64)" "$UP_LOG"
	# ...and the client's pong is the upstream's, not one from the relay
	local ms=${output#pong after }
	ms=${ms% ms}
	[ "$ms" -ge 300 ] || fail "the pong came after $ms ms: the relay answered the ping itself"
}

@test "relay ws-l → ws (proxy): a server's ping goes on to the client, and the client's pong back to the server" {
	start_ping_upstream --ping 'from upstream'
	start_relay relay ws-l:0 "$UP_URL"
	run "$PYTHON" -c '
import asyncio, sys, websockets
from websockets.legacy.client import WebSocketClientProtocol
class Client(WebSocketClientProtocol):
    async def pong(self, data=b""):  # websockets answering a ping
        print("ping %r" % data, flush=True)
        await super().pong(data)
        self.answered.set()
async def main():
    Client.answered = asyncio.Event()
    async with websockets.connect(sys.argv[1], create_protocol=Client):
        await asyncio.wait_for(Client.answered.wait(), 5)
        await asyncio.sleep(0.1)  # for the pong to leave
asyncio.run(main())' "$URL"
	assert_success
	assert_output "ping b'from upstream'"
	wait_up_log '^pong '
	# one pong: the client's, not the relay's as well
	[ "$(grep -c '^pong ' "$UP_LOG")" -eq 1 ]
	grep -qx "pong $(printf 'from upstream' | base64)" "$UP_LOG"
}

@test "relay ws-l → tcp and exec:cat: the relay answers a client's ping with its payload, and none of it reaches the byte stream" {
	start_tcp_echo
	start_relay relay ws-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	run "$PYTHON" -c "$PING_CLIENT" "$URL" 'to a byte \x00\xff stream' after
	assert_success
	assert_line --index 0 --regexp '^pong after [0-9]+ ms$'
	assert_line --index 1 "echo b'after'"
	start_relay relay-cat ws-l:0 exec:cat
	run "$PYTHON" -c "$PING_CLIENT" "$URL" 'to cat' after
	assert_success
	assert_line --index 1 "echo b'after'"
}

@test "relay ws-l → ws: a ping while the upstream is still connecting waits for it, like messages, and is passed on" {
	# the upstream takes 2 s over its handshake; the client is accepted at once
	start_ping_upstream --handshake-delay 2
	start_relay relay ws-l:0 "$UP_URL"
	run "$PYTHON" -c "$PING_CLIENT" "$URL" early
	assert_success
	local ms=${output#pong after }
	ms=${ms% ms}
	[ "$ms" -ge 1500 ] || fail "the pong came after $ms ms: the relay answered it itself"
	wait_up_log '^ping '
	run grep -c '^ping ZWFybHk=' "$UP_LOG"
	assert_output 1
}

@test "relay --record keeps pings and pongs with their payloads in base64; --log shows them" {
	start_ping_upstream --ping 'up'
	start_relay relay --log --record "$BATS_TEST_TMPDIR/rec.jsonl" ws-l:0 "$UP_URL"
	run "$PYTHON" -c "$PING_CLIENT" "$URL" '\x00\x01rec\xff'
	assert_success
	wait_up_log '^pong '
	sleep 0.2
	run "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] in ("ping", "pong"):
        assert isinstance(e["time"], float), e
        print(e["conn"], e["dir"], e["event"], e["data"])
' "$BATS_TEST_TMPDIR/rec.jsonl"
	assert_success
	[ "${#lines[@]}" -eq 4 ]
	assert_line "1 c>u ping AAFyZWP/"
	assert_line "1 u>c pong AAFyZWP/"
	assert_line "1 u>c ping dXA="
	assert_line "1 c>u pong dXA="
	local log="$BATS_TEST_TMPDIR/relay.log"
	grep -Eq '^[0-9:.]+ #1 c>u ping 6 ' "$log"
	grep -Eq '^[0-9:.]+ #1 u>c pong 6 ' "$log"
	grep -Eq '^[0-9:.]+ #1 u>c ping 2 up$' "$log"
	grep -Eq '^[0-9:.]+ #1 c>u pong 2 up$' "$log"
}

@test "relay --log prints each message with time, id, direction, type, size and preview" {
	start_wsx_echo
	start_relay relay --log ws-l:0 "$URL"
	printf 'hello\n' | "$WSX" pipe -w 0.5 "$URL"
	sleep 0.2
	local log="$BATS_TEST_TMPDIR/relay.log"
	grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} #1 open 127\.0\.0\.1:[0-9]+ /$' "$log"
	grep -Eq '^[0-9:.]+ #1 c>u text 5 hello$' "$log"
	grep -Eq '^[0-9:.]+ #1 u>c text 5 hello$' "$log"
	grep -Eq '^[0-9:.]+ #1 c>u close 1000 normal$' "$log"
}

@test "relay --record writes every event as JSON lines" {
	start_wsx_echo
	start_relay relay --record "$BATS_TEST_TMPDIR/rec.jsonl" ws-l:0 "$URL"
	printf 'one\n' | "$WSX" pipe -w 0.5 "$URL"
	printf '\x00\x01\xff' | "$WSX" pipe --raw -w 0.5 "$URL" >/dev/null
	sleep 0.2
	run "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert isinstance(e["time"], float) and e["conn"] in (1, 2)
    print(e["conn"], e.get("dir", "-"), e["event"], e.get("type", ""), e.get("data", e.get("code", "")))
' "$BATS_TEST_TMPDIR/rec.jsonl"
	assert_success
	assert_line --index 0 "1 - open  "
	assert_line --index 1 "1 c>u message text one"
	assert_line --index 2 "1 u>c message text one"
	assert_line --index 3 "1 c>u close  1000"
	assert_line "2 c>u message binary AAH/"
	assert_line "2 u>c message binary AAH/"
}

@test "pipe --replay sends the recorded client messages in order with their timing; --speed 2 halves it" {
	start_wsx_echo
	local echo_url=$URL
	start_relay relay --record "$BATS_TEST_TMPDIR/rec.jsonl" ws-l:0 "$echo_url"
	"$PYTHON" -c '
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        for m in ("first", b"\x02second", "third"):
            await ws.send(m); await ws.recv(); await asyncio.sleep(0.4)
asyncio.run(main())' "$URL"
	sleep 0.2
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr "$WSX" pipe --replay "$BATS_TEST_TMPDIR/rec.jsonl" --jsonl -w 0.3 "$echo_url"
	t1=$(date +%s%N)
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == '{"type":"text",'*'"data":"first"}' ]]
	[[ "${lines[1]}" == '{"type":"binary",'*'"data":"AnNlY29uZA=="}' ]]
	[[ "${lines[2]}" == '{"type":"text",'*'"data":"third"}' ]]
	# the third went 0.8 s after the first
	local normal=$(((t1 - t0) / 1000000)) fast
	[ "$normal" -ge 800 ]
	t0=$(date +%s%N)
	run "$WSX" pipe --replay "$BATS_TEST_TMPDIR/rec.jsonl" --speed 2 -w 0.3 "$echo_url"
	t1=$(date +%s%N)
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	# lower bounds and a comparison only: a loaded machine (or ASan) adds
	# start-up time to both runs alike
	fast=$(((t1 - t0) / 1000000))
	[ "$fast" -ge 400 ]
	[ "$fast" -lt "$normal" ] || fail "--speed 2 took $fast ms, --speed 1 $normal ms"
}

@test "pipe --replay: a file that is not a recording is exit 2 naming the line" {
	printf '{"time":1,"conn":1,"event":"open"}\nnope\n' >"$BATS_TEST_TMPDIR/bad.jsonl"
	run --separate-stderr "$WSX" pipe --replay "$BATS_TEST_TMPDIR/bad.jsonl" ws://127.0.0.1:1/
	assert_failure 2
	[ "$stderr" = "wsx: --replay: $BATS_TEST_TMPDIR/bad.jsonl line 2: not a JSON object" ]
	run --separate-stderr "$WSX" pipe --speed 2 ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--speed goes with --replay"* ]]
}

@test "relay: an upstream that refuses closes the client with 1011; with --connect-first the handshake gets HTTP 502" {
	start_relay relay ws-l:0 tcp:127.0.0.1:1
	run --separate-stderr bash -c "echo x | '$WSX' pipe '$URL'"
	assert_failure 6
	assert_equal "$stderr" "wsx: the server closed the connection: 1011 internal error 'upstream unreachable'"
	start_relay relay2 --connect-first ws-l:0 tcp:127.0.0.1:1
	run --separate-stderr bash -c "echo x | '$WSX' pipe '$URL'"
	assert_failure 4
	[[ "$stderr" == *"HTTP 502"* ]]
}

@test "relay --connect-first: a reachable upstream is used as usual" {
	start_tcp_echo
	start_relay relay --connect-first ws-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	run "$WSX" pipe -w 0.5 "$URL" <<<"through"
	assert_success
	assert_output "through"
}

@test "relay --forward-path, --forward-header and the client's subprotocol reach a WebSocket upstream" {
	start_wsx_echo --sh 'echo "$PATH_INFO?$QUERY_STRING $HTTP_COOKIE $HTTP_SEC_WEBSOCKET_PROTOCOL"'
	start_relay relay --forward-path --forward-header Cookie ws-l:0 "$URL/base/"
	run "$PYTHON" -c '
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1] + "/room?x=1", subprotocols=["chat"],
                                  extra_headers={"Cookie": "id=42"}) as ws:
        print((await ws.recv()).strip())
asyncio.run(main())' "$URL"
	assert_success
	assert_output "/base/room?x=1 id=42 chat"
}

@test "relay - ws:// is wsx pipe: lines out and back" {
	start_wsx_echo
	run --separate-stderr bash -c "printf 'a\nb\n' | '$WSX' relay - '$URL'"
	assert_success
	[ "$output" = $'a\nb' ]
}

@test "relay exec: and sh: on either side; a failing program is exit 1" {
	run bash -c "printf 'x\ny\n' | '$WSX' relay - exec:cat"
	assert_success
	[ "$output" = $'x\ny' ]
	start_relay relay --lines -t ws-l:0 sh:'while read -r l; do echo "got $l"; done'
	run "$WSX" pipe -w 0.5 "$URL" <<<"hi"
	assert_success
	assert_output "got hi"
	run --separate-stderr bash -c "'$WSX' relay - sh:'exit 3' </dev/null"
	assert_failure 1
	[[ "$stderr" == *"exited with status 3"* ]]
}

@test "relay unix-l → tcp and - → unix: bytes through a unix socket, which is removed at exit" {
	start_tcp_echo
	local sock="$BATS_TEST_TMPDIR/r.sock"
	"$WSX" relay "unix-l:$sock" "tcp:127.0.0.1:$ECHO_PORT" 2>"$BATS_TEST_TMPDIR/u.log" &
	local pid=$!
	SERVER_PIDS+=("$pid")
	for _ in $(seq 1 50); do [ -S "$sock" ] && break; sleep 0.05; done
	run bash -c "printf 'via unix\n' | '$WSX' relay - 'unix:$sock'"
	assert_success
	assert_output "via unix"
	kill -TERM "$pid"
	wait "$pid"
	[ ! -e "$sock" ]
}

@test "relay wss-l: with --cert/--key: a client trusting the CA gets through" {
	"$HELPERS/gen_cert.sh" "$BATS_TEST_TMPDIR/certs"
	start_tcp_echo
	start_relay relay --cert "$BATS_TEST_TMPDIR/certs/server.pem" \
		--key "$BATS_TEST_TMPDIR/certs/server.key" wss-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	[[ "$URL" == wss://* ]]
	run "$WSX" pipe --cacert "$BATS_TEST_TMPDIR/certs/ca.pem" -w 0.5 "$URL" <<<"secret"
	assert_success
	assert_output "secret"
}

@test "relay: SIGTERM closes every client with 1001 and exits 0" {
	start_tcp_echo
	start_relay relay ws-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	(sleep 5; echo) | "$WSX" pipe "$URL" >/dev/null 2>"$BATS_TEST_TMPDIR/pipe.err" &
	local client=$!
	sleep 0.5
	kill -TERM "$RELAY_PID"
	local rc=0
	wait "$RELAY_PID" || rc=$?
	[ "$rc" -eq 0 ]
	wait "$client" # 1001: exit 0
}

@test "relay: 500 MiB into a websockify whose TCP side reads 1 MiB/s at first: the producer is slowed, RSS stays bounded" {
	start_server sink "$PYTHON" "$HELPERS/tcp_peer.py" slow-sink $((1 << 20)) 3
	local sink_log="$BATS_TEST_TMPDIR/sink.log"
	start_relay relay ws-l:0 "tcp:127.0.0.1:$PORT"
	local t0 t1
	t0=$(date +%s)
	run "$PYTHON" "$HELPERS/py_stream_client.py" "$URL" --bytes $((500 << 20)) --send-only --timeout 100
	t1=$(date +%s)
	assert_success
	# the slow start held the producer back
	[ $((t1 - t0)) -ge 2 ]
	for _ in $(seq 1 100); do
		grep -q '^received' "$sink_log" && break
		sleep 0.1
	done
	grep -qx "received $((500 << 20))" "$sink_log"
	local peak_kib
	peak_kib=$(awk '/^VmHWM/{print $2}' "/proc/$RELAY_PID/status")
	echo "relay peak RSS: $peak_kib KiB" >&3
	[ -n "$WSX_SANITIZED" ] || [ "$peak_kib" -lt $((48 << 10)) ]
}

@test "relay: 200 concurrent websockify clients, each with its own upstream, all data intact" {
	start_tcp_echo
	start_relay relay ws-l:0 "tcp:127.0.0.1:$ECHO_PORT"
	run "$PYTHON" "$HELPERS/py_stream_client.py" "$URL" --conns 200 --bytes 100000 --chunk 10000 --timeout 60
	assert_success
	assert_line "200 of 200 connections intact"
}

@test "pipe --replay: a hand-edited recording whose times go back plays in line order at once" {
	start_wsx_echo
	cat >"$BATS_TEST_TMPDIR/edited.jsonl" <<'JSON'
{"time":5,"conn":1,"dir":"c>u","event":"message","type":"text","data":"one"}
{"time":1,"conn":1,"dir":"c>u","event":"message","type":"text","data":"two"}
{"time":5.1,"conn":1,"dir":"c>u","event":"message","type":"text","data":"three"}
JSON
	run timeout 10 "$WSX" pipe --replay "$BATS_TEST_TMPDIR/edited.jsonl" -w 0.3 "$URL"
	assert_success
	assert_output "one
two
three"
}

@test "relay --allow-origin lets only those Origins in on ws-l:; -o/--origin is the Origin sent upstream" {
	start_wsx_echo --sh 'echo "$HTTP_ORIGIN"'
	start_relay relay --allow-origin https://app.example --origin https://relay.example \
		ws-l:0 "$URL"
	run "$PYTHON" -c '
import asyncio, sys, websockets
async def main():
    for origin in sys.argv[2:]:
        try:
            async with websockets.connect(sys.argv[1], origin=origin) as ws:
                print(origin, "->", (await ws.recv()).strip())
        except websockets.exceptions.InvalidStatusCode as e:
            print(origin, "->", e.status_code)
asyncio.run(main())' "$URL" https://app.example https://evil.example
	assert_success
	assert_output $'https://app.example -> https://relay.example\nhttps://evil.example -> 403'
	# --origin is never the listener's list: with no ws:// side it has no use
	run --separate-stderr "$WSX" relay --origin https://app.example ws-l:0 tcp:127.0.0.1:1
	assert_failure 2
	assert_equal "$stderr" "wsx: --origin sends an Origin header to a ws:// side; --allow-origin says which Origins a ws-l: side lets in (see 'wsx relay --help')"
}
