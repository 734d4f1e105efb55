#!/usr/bin/env bats
# wsx serve --echo: what a client sees, and how the server starts and stops.

load helpers

teardown() {
	stop_servers
}

@test "serve: -p 0 picks a free port and says where it listens" {
	start_wsx_echo
	[[ "$URL" =~ ^ws://127\.0\.0\.1:[0-9]+$ ]]
	[ "$PORT" -gt 0 ]
}

@test "serve: echoes text as text and binary as binary" {
	start_wsx_echo --echo
	run bash -c "printf '%s\n' '{\"type\":\"text\",\"data\":\"héllo\"}' '{\"type\":\"binary\",\"data\":\"/wAB\"}' | '$WSX' pipe --jsonl '$URL'"
	assert_success
	assert_line --index 0 --regexp '"type":"text",.*"data":"héllo"'
	assert_line --index 1 --regexp '"type":"binary",.*"data":"/wAB"'
}

@test "serve: a text message that is not UTF-8 is closed with 1007" {
	start_wsx_echo
	run "$PYTHON" "$HELPERS/raw_client.py" "$URL" invalid-text
	assert_success
	assert_output "close 1007"
}

@test "serve: invalid UTF-8 split across fragments is closed with 1007" {
	start_wsx_echo
	run "$PYTHON" "$HELPERS/raw_client.py" "$URL" invalid-split
	assert_success
	assert_output "close 1007"
}

@test "serve: a fragmented text message is echoed whole" {
	start_wsx_echo
	# the raw client waits for a close after the echo; give it a short one
	run timeout 3 "$PYTHON" "$HELPERS/raw_client.py" "$URL" valid-text
	assert_line --index 0 "message 1 café!"
}

# wait_for_log PATTERN [LOG]: until the server's log has a matching line
wait_for_log() {
	local _
	for _ in $(seq 1 100); do
		grep -q -- "$1" "${2:-$BATS_TEST_TMPDIR/wsx-echo.log}" && return 0
		sleep 0.05
	done
	return 1
}

@test "serve: logs each connection's open and close with its traffic; -q keeps quiet" {
	start_wsx_echo
	echo hello | "$WSX" pipe "$URL/room?x=1"
	wait_for_log ': close '
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '^wsx: open 127\.0\.0\.1:[0-9]+ /room\?x=1$'
	assert_line --regexp '^wsx: close 127\.0\.0\.1:[0-9]+ /room\?x=1: the client closed the connection: 1000 normal, [0-9.]+ s, in 1 msgs 5 bytes, out 1 msgs 5 bytes$'
	stop_servers
	local port
	port=$(free_port)
	"$WSX" serve -p "$port" -q 2>"$BATS_TEST_TMPDIR/quiet.log" &
	SERVER_PIDS+=($!)
	wait_for_port "$port"
	echo hello | "$WSX" pipe "ws://127.0.0.1:$port"
	sleep 0.2
	run cat "$BATS_TEST_TMPDIR/quiet.log"
	assert_output ""
}

@test "serve -v: says why a client was refused and that it shuts down; the default log does not" {
	local v
	for v in "" -v; do
		start_wsx_echo --token t0k3n $v
		run "$WSX" pipe "$URL/" </dev/null
		assert_failure 4
		stop_servers
		run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
		if [ -n "$v" ]; then
			assert_line "wsx: refused a client: no valid credentials"
			assert_line "wsx: shutting down"
		else
			refute_output --partial "refused"
			refute_output --partial "shutting down"
		fi
	done
}

@test "serve --log-json: the same events as JSON lines" {
	start_server json "$WSX" serve -p 0 --log-json
	grep -q '"event":"listening"' "$BATS_TEST_TMPDIR/json.log"
	printf 'a\nbb\n' | "$WSX" pipe "$URL/j?k=v"
	wait_for_log '"event":"close"' "$BATS_TEST_TMPDIR/json.log"
	run "$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["event"] == "listening":
        print("listening", e["url"].startswith("ws://127.0.0.1:"))
    elif e["event"] == "open":
        print("open", e["path"], e["peer"].startswith("127.0.0.1:"), e["time"][-1])
    else:
        print(e["event"], e["path"], e["code"], repr(e["name"]), e["by_client"], e["msgs_in"],
              e["bytes_in"], e["msgs_out"], e["bytes_out"], e["seconds"] >= 0)
' "$BATS_TEST_TMPDIR/json.log"
	assert_success
	assert_output "listening True
open /j?k=v True Z
close /j?k=v 1000 'normal' True 2 3 2 3 True"
}

@test "serve --idle-timeout: a silent client is closed with 1001, a talking one stays" {
	start_wsx_echo --idle-timeout 1
	local t0=$SECONDS
	# -n: stdin's end does not end the connection
	run "$WSX" pipe -n "$URL/idle" </dev/null
	assert_success
	# closed between 1 and 1.25 s of silence; allow a slow machine
	[ $((SECONDS - t0)) -lt 8 ]
	wait_for_log ": close .*/idle: wsx closed the connection: 1001 going away"
	# one message every 0.4 s for 2.4 s keeps a client open
	run bash -c "for i in 1 2 3 4 5 6; do echo \$i; sleep 0.4; done | '$WSX' pipe '$URL/busy'"
	assert_success
	assert_output "$(seq 1 6)"
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '/busy: the client closed the connection: 1000 normal'
	run -2 "$WSX" serve --idle-timeout soon
}

@test "serve --handshake-timeout: a client dribbling its request is dropped; others are served meanwhile" {
	start_wsx_echo --handshake-timeout 1
	# one byte every 0.2 s, for up to 20 s: say when the server hangs up
	"$PYTHON" - "$PORT" >"$BATS_TEST_TMPDIR/slow.out" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
req = b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" * 4
t0 = time.time()
s.settimeout(0.2)
for b in req[:100]:
    try:
        s.send(bytes([b]))
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print("dropped" if time.time() - t0 < 10 else "still open", round(time.time() - t0))
PY
	local slow=$!
	run bash -c "echo hi | '$WSX' pipe '$URL'"
	assert_output "hi"
	wait "$slow"
	run cat "$BATS_TEST_TMPDIR/slow.out"
	assert_output --regexp '^dropped [123]$'
}

@test "serve --cert/--key: wss for Python and wsx clients; a key that is not the certificate's exits 2" {
	local certs="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$certs"
	start_wsx_echo --cert "$certs/server.pem" --key "$certs/server.key"
	[[ "$URL" == wss://127.0.0.1:* ]]
	run "$PYTHON" - "$URL" "$certs/ca.pem" <<'PY'
import asyncio, ssl, sys, websockets
async def main():
    ctx = ssl.create_default_context(cafile=sys.argv[2])
    async with websockets.connect(sys.argv[1], ssl=ctx) as ws:
        await ws.send("secure")
        print(await ws.recv())
asyncio.run(main())
PY
	assert_success
	assert_output "secure"
	run bash -c "echo hi | '$WSX' pipe --cacert '$certs/ca.pem' '$URL'"
	assert_output "hi"
	# without the CA the client refuses the certificate (exit 5)
	run bash -c "echo hi | '$WSX' pipe '$URL'"
	assert_failure 5
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$certs/other.key" -out "$certs/other.pem" -days 1 \
		-subj /CN=other 2>/dev/null
	run -2 "$WSX" serve -p 0 --cert "$certs/server.pem" --key "$certs/other.key"
	assert_output --partial "cannot serve TLS"
}

@test "serve: SIGTERM closes clients with 1001 and exits 0" {
	start_wsx_echo
	local server=$LAST_PID
	"$WSX" pipe -n "$URL" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/client.err" &
	local client=$!
	sleep 0.3
	kill -TERM "$server"
	local rc=0
	wait "$server" || rc=$?
	[ "$rc" -eq 0 ]
	rc=0
	wait "$client" || rc=$?
	[ "$rc" -eq 0 ] # 1001 "going away" is a normal close
}

@test "serve: SIGINT with no clients exits 0 at once" {
	start_wsx_echo
	kill -INT "$LAST_PID"
	local rc=0
	wait "$LAST_PID" || rc=$?
	[ "$rc" -eq 0 ]
}

@test "serve: 20 clients at once each get their own messages back" {
	start_wsx_echo
	local i pids=()
	for i in $(seq 1 20); do
		seq -f "client$i-%g" 1 200 >"$BATS_TEST_TMPDIR/in$i"
		timeout 20 "$WSX" pipe "$URL" <"$BATS_TEST_TMPDIR/in$i" >"$BATS_TEST_TMPDIR/out$i" &
		pids+=($!)
	done
	# wait for the clients only: a bare 'wait' would also wait for the server
	for i in "${pids[@]}"; do
		wait "$i"
	done
	for i in $(seq 1 20); do
		cmp "$BATS_TEST_TMPDIR/in$i" "$BATS_TEST_TMPDIR/out$i"
	done
}

@test "serve: listens on IPv6 loopback with --host ::1" {
	if ! ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
		skip "no IPv6 loopback on this machine"
	fi
	start_wsx_echo --host ::1
	[[ "$URL" =~ ^ws://\[::1\]:[0-9]+$ ]]
	run bash -c "echo six | '$WSX' pipe '$URL'"
	assert_success
	assert_output "six"
}

@test "serve: a port in use is one error line and exit 1" {
	start_wsx_echo
	run --separate-stderr "$WSX" serve -p "$PORT"
	assert_failure 1
	[[ "$stderr" == "wsx: cannot listen on 127.0.0.1 port $PORT"* ]]
}

@test "serve: a stray argument is a usage error" {
	run --separate-stderr "$WSX" serve extra
	assert_failure 2
	[[ "$stderr" == *"unexpected argument 'extra'"* ]]
}

@test "serve --broadcast: each message reaches exactly the others in its room" {
	start_wsx_echo --broadcast
	run "$PYTHON" "$HELPERS/py_broadcast_check.py" rooms "$URL" lobby:3 chat/a:2 chat/b:1
	assert_success
	assert_line "ok lobby-0 got 2"
	assert_line "ok chat/a-1 got 1"
	assert_line "ok chat/b-0 got 0"
}

@test "serve --broadcast --echo-self: the sender gets its own message too" {
	start_wsx_echo --broadcast --echo-self
	run "$PYTHON" "$HELPERS/py_broadcast_check.py" rooms "$URL" r:3 --echo-self
	assert_success
	assert_line "ok r-0 got 3"
}

@test "serve --broadcast: a client that never reads is closed with 1008; 200 MiB reach the others, RSS bounded" {
	start_wsx_echo --broadcast -v
	local server=$LAST_PID
	run timeout 120 "$PYTHON" "$HELPERS/py_broadcast_check.py" slow "$URL" room 3200 65536
	assert_success
	assert_line "ok reader got all 3200 while one client did not read"
	grep -q '/room: send queue full, closing with 1008' "$BATS_TEST_TMPDIR/wsx-echo.log"
	local peak_kib
	peak_kib=$(awk '/^VmHWM/{print $2}' "/proc/$server/status")
	# ASan's shadow memory and quarantine make RSS meaningless there
	[ -n "${WSX_SANITIZED:-}" ] || [ "$peak_kib" -lt $((64 * 1024)) ]
}

@test "serve --broadcast --slow drop: the slow client loses its oldest messages, the others nothing" {
	start_wsx_echo --broadcast --slow drop -v
	run timeout 120 "$PYTHON" "$HELPERS/py_broadcast_check.py" slow "$URL" room 800 65536
	assert_success
	assert_line "ok reader got all 800 while one client did not read"
	local _
	for _ in $(seq 1 40); do
		grep -q 'messages dropped (too slow)' "$BATS_TEST_TMPDIR/wsx-echo.log" && break
		sleep 0.05
	done
	grep -q '/room: [1-9][0-9]* messages dropped (too slow)' "$BATS_TEST_TMPDIR/wsx-echo.log"
	run grep -c 'closing with 1008' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 0
}

@test "serve: --echo-self and --slow need --broadcast; --slow takes close or drop" {
	run --separate-stderr "$WSX" serve --echo-self
	assert_failure 2
	assert_equal "$stderr" "wsx: --echo-self and --slow go with --broadcast (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --slow later
	assert_failure 2
	[[ "$stderr" == "wsx: --slow: 'later' is not close or drop"* ]]
	run --separate-stderr "$WSX" serve --echo --broadcast
	assert_failure 2
}

# http_status URL [HEADER...]: the status line and WWW-Authenticate of a
# WebSocket upgrade request, from Python's http.client (not a wsx client)
http_status() {
	"$PYTHON" - "$@" <<'PY'
import http.client, sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
h = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
for a in sys.argv[2:]:
    k, v = a.split(": ", 1)
    h[k] = v
c.request("GET", (u.path or "/") + ("?" + u.query if u.query else ""), headers=h)
r = c.getresponse()
print(r.status, r.getheader("WWW-Authenticate") or "-")
PY
}

@test "serve --allow-origin: only the listed Origins get in, others get 403; websocketd's --origin works too" {
	start_wsx_echo --allow-origin https://app.example --origin http://localhost:3000
	run http_status "$URL" "Origin: https://evil.example"
	assert_output "403 -"
	run http_status "$URL"
	assert_output "403 -"
	run http_status "$URL" "Origin: http://localhost:3000"
	assert_output "101 -"
	# wsx pipe -o sends the Origin exactly as given
	run bash -c "echo hi | '$WSX' pipe -o https://app.example '$URL'"
	assert_success
	assert_output "hi"
}

@test "serve --user: Basic credentials or 401 with a challenge" {
	start_wsx_echo --user ann:pw1
	run http_status "$URL"
	assert_output '401 Basic realm="wsx"'
	run http_status "$URL" "Authorization: Basic $(printf ann:pw2 | base64)"
	assert_output '401 Basic realm="wsx"'
	run http_status "$URL" "Authorization: Basic $(printf ann:pw1 | base64)"
	assert_output "101 -"
	run bash -c "echo hi | '$WSX' pipe -u ann:pw1 '$URL'"
	assert_success
	assert_output "hi"
	run --separate-stderr bash -c "echo hi | '$WSX' pipe -u ann:nope '$URL'"
	assert_failure 4
	assert_equal "$stderr" "wsx: handshake refused: HTTP 401 Unauthorized from $URL"
}

@test "serve --token: a Bearer header or ?token= gets in, nothing else" {
	start_wsx_echo --token t0k3n
	run http_status "$URL"
	assert_output "401 Bearer"
	run http_status "$URL" "Authorization: Bearer wrong"
	assert_output "401 Bearer"
	run http_status "$URL" "Authorization: Bearer t0k3n"
	assert_output "101 -"
	run http_status "$URL/?token=t0k3n"
	assert_output "101 -"
	run http_status "$URL/?token=t0k3"
	assert_output "401 Bearer"
	# the log shows the token masked, other arguments as they were
	echo hi | "$WSX" pipe "$URL/room?a=1&token=t0k3n&b=2" >/dev/null
	wait_for_log 'room'
	run grep -c 't0k3n' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 0
	grep -q '^wsx: open 127\.0\.0\.1:[0-9]* /room?a=1&token=\*\*\*&b=2$' \
		"$BATS_TEST_TMPDIR/wsx-echo.log"
}

@test "serve --max-conns: one client more gets 503, and gets in once one leaves" {
	start_wsx_echo --max-conns 2 -v
	local fifo="$BATS_TEST_TMPDIR/hold" pids=() i
	mkfifo "$fifo"
	exec 7<>"$fifo"
	for i in 1 2; do
		"$WSX" pipe -n "$URL" <&7 >/dev/null 2>&1 &
		pids+=($!)
	done
	for i in $(seq 1 100); do
		grep -c '^wsx: open' "$BATS_TEST_TMPDIR/wsx-echo.log" 2>/dev/null | grep -q 2 && break
		sleep 0.05
	done
	run http_status "$URL"
	assert_output "503 -"
	kill "${pids[0]}"
	wait "${pids[0]}" || true
	for i in $(seq 1 100); do
		run http_status "$URL"
		[ "$output" = "101 -" ] && break
		sleep 0.05
	done
	assert_output "101 -"
	kill "${pids[1]}"
	wait "${pids[1]}" || true
	exec 7>&-
}

@test "serve ignores SIGHUP" {
	start_wsx_echo
	kill -HUP "$LAST_PID"
	sleep 0.3
	kill -0 "$LAST_PID"
	run bash -c "echo still | '$WSX' pipe '$URL'"
	assert_output "still"
}

@test "serve --exec cat: each line goes to the child and comes back" {
	start_wsx_echo --exec cat
	run bash -c "seq 1 50 | '$WSX' pipe -w 0.5 '$URL'"
	assert_success
	assert_output "$(seq 1 50)"
}

@test "serve --sh: a CGI-like environment, and only --passenv of the server's own" {
	SECRET=hush start_wsx_echo --sh 'echo "$REMOTE_ADDR|$SERVER_NAME|$PATH_INFO|$QUERY_STRING|$HTTP_USER_AGENT|${SECRET:-none}"'
	run bash -c "'$WSX' pipe -n -H 'User-Agent: y' '$URL/app/x?a=b'"
	assert_success
	assert_output "127.0.0.1|127.0.0.1|/app/x|a=b|y|none"
	stop_servers
	SECRET=hush start_wsx_echo --passenv SECRET --sh 'echo "${SECRET:-none}"'
	run bash -c "'$WSX' pipe -n '$URL'"
	assert_output "hush"
}

@test "serve --exec: a child that exits non-zero closes its client with 1011" {
	start_wsx_echo --exec sh -- -c 'echo partial; exit 3'
	run --separate-stderr "$WSX" pipe -n "$URL"
	assert_failure 6
	assert_output "partial"
	[[ "$stderr" == *"1011"* ]]
}

@test "serve --exec: a client that leaves takes its child with it, no zombie" {
	start_wsx_echo --grace 0.3 -v --sh 'trap "" TERM; while :; do echo tick; sleep 0.05; done'
	local server=$LAST_PID
	run "$WSX" pipe -1 "$URL"
	assert_success
	assert_output "tick"
	local i
	for i in $(seq 1 60); do
		[ -z "$(ps --ppid "$server" -o pid=)" ] && break
		sleep 0.05
	done
	# the child ignored SIGTERM: SIGKILL after twice the grace time
	run ps --ppid "$server" -o pid=,stat=
	assert_output ""
}

@test "serve --max-forks: one child too many is an HTTP 503" {
	start_wsx_echo --max-forks 1 -v --exec cat
	local fifo="$BATS_TEST_TMPDIR/hold" i
	mkfifo "$fifo"
	exec 7<>"$fifo"
	"$WSX" pipe -n "$URL" <&7 >/dev/null 2>&1 &
	local first=$!
	for i in $(seq 1 100); do
		grep -q '^wsx: open' "$BATS_TEST_TMPDIR/wsx-echo.log" && break
		sleep 0.05
	done
	run --separate-stderr bash -c "echo x | '$WSX' pipe '$URL'"
	assert_failure 4
	assert_equal "$stderr" "wsx: handshake refused: HTTP 503 Service Unavailable from $URL"
	kill "$first"
	wait "$first" || true
	exec 7>&-
}

@test "serve --exec: SIGTERM closes clients with 1001, ends the children, exits 0" {
	start_wsx_echo -v --sh 'while :; do sleep 0.1; done'
	local server=$LAST_PID
	"$WSX" pipe -n "$URL" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/client.err" &
	local client=$!
	local i
	for i in $(seq 1 100); do
		[ -n "$(ps --ppid "$server" -o pid=)" ] && break
		sleep 0.05
	done
	local child
	child=$(ps --ppid "$server" -o pid= | tr -d ' ')
	[ -n "$child" ]
	kill -TERM "$server"
	local rc=0
	wait "$server" || rc=$?
	assert_equal "$rc" 0
	run kill -0 "$child"
	assert_failure
	wait "$client" || true
}

# wait_for_file FILE: up to 30 s
wait_for_file() {
	local _
	for _ in $(seq 1 600); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "no $1" >&2
	return 1
}

@test "serve --broadcast: 50 Python and Node clients in two rooms each get exactly their room's messages" {
	start_wsx_echo --broadcast
	local py_ready="$BATS_TEST_TMPDIR/py.ready" node_ready="$BATS_TEST_TMPDIR/node.ready"
	"$PYTHON" "$HELPERS/py_broadcast_check.py" roster "$URL" "$py_ready" py \
		red:15:10 blue:12:13 >"$BATS_TEST_TMPDIR/py.out" 2>&1 &
	local py=$!
	node "$HELPERS/node_broadcast_check.js" "$URL" "$node_ready" \
		red:15:10 blue:12:13 >"$BATS_TEST_TMPDIR/node.out" 2>&1 &
	local nd=$!
	wait_for_file "$py_ready"
	wait_for_file "$node_ready"
	echo go | "$WSX" pipe "$URL/red"
	echo go | "$WSX" pipe "$URL/blue"
	wait "$py" || { cat "$BATS_TEST_TMPDIR/py.out"; false; }
	wait "$nd" || { cat "$BATS_TEST_TMPDIR/node.out"; false; }
	run cat "$BATS_TEST_TMPDIR/py.out" "$BATS_TEST_TMPDIR/node.out"
	refute_output --partial FAIL
	[ "$(grep -c '^ok ' <<<"$output")" -eq 50 ]
	assert_line "ok red-py-0 got 24"
	assert_line "ok red-node-9 got 24"
	assert_line "ok blue-py-11 got 24"
	assert_line "ok blue-node-0 got 24"
}

@test "serve --ping-interval/--ping-timeout: a peer that never answers pings is dropped, a live one stays" {
	start_wsx_echo --ping-interval 0.3 --ping-timeout 0.3
	# a raw socket: handshake by hand, then never a pong
	"$PYTHON" - "$PORT" >"$BATS_TEST_TMPDIR/dead.out" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /dead HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
          b"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
t0 = time.time()
s.settimeout(10)
try:
    while s.recv(4096):
        pass
    print("dropped", round(time.time() - t0))
except OSError as e:
    print("error", e)
PY
	local dead=$!
	# Python websockets answers pings by itself
	run "$PYTHON" - "$URL/live" <<'PY'
import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await asyncio.sleep(2)
        await ws.send("still here")
        print(await ws.recv())
asyncio.run(main())
PY
	assert_output "still here"
	wait "$dead"
	run cat "$BATS_TEST_TMPDIR/dead.out"
	assert_output --regexp '^dropped [0-2]$'
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '^wsx: close 127\.0\.0\.1:[0-9]+ /dead: the connection closed: 1006 abnormal, no close frame, '
}
