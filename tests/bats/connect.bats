#!/usr/bin/env bats
# wsx connect: the interactive session driven for real in tmux (a private
# server socket, a fixed 100x30 window), against Python's websockets; and
# -x, redirects, proxies, unix sockets, compression, --reconnect.

load helpers

setup() {
	TMUX_SOCK="wsx-connect-$$-${BATS_TEST_NUMBER}"
	SERVER_LOG=
}

teardown() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	stop_servers
}

tm() { tmux -L "$TMUX_SOCK" "$@"; }

# start_py [ARGS...]: the logging echo server; $SERVER_LOG is its log
start_py() {
	start_server py-connect "$PYTHON" "$HELPERS/py_connect_server.py" "$@"
	SERVER_LOG="$BATS_TEST_TMPDIR/py-connect.log"
}

# repl ARGS...: `wsx connect ARGS` in a tmux window; the shell around it
# prints EXIT=status when it ends. History goes to the test's directory.
repl() {
	local q="" a
	for a in "$@"; do q+=" $(printf '%q' "$a")"; done
	tm -f /dev/null new-session -d -s repl -x 100 -y 30 \
		"env XDG_STATE_HOME='$BATS_TEST_TMPDIR/state' ${REPL_ENV:-NO_COLOR=1} TERM=xterm '$WSX' connect$q; echo EXIT=\$?; sleep 120"
}

screen() { tm capture-pane -p -t repl "$@"; }

# wait_screen REGEX [TENTHS]: poll the screen until a line matches (10 s
# by default: the sanitizer build on a busy CI machine is slow to start)
wait_screen() {
	local i
	for i in $(seq 1 "${2:-100}"); do
		screen | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "the screen never showed /$1/:" >&2
	screen >&2
	return 1
}

# wait_log REGEX: poll the server's log
wait_log() {
	local i
	for i in $(seq 1 100); do
		grep -qE -- "$1" "$SERVER_LOG" && return 0
		sleep 0.1
	done
	echo "the server never logged /$1/:" >&2
	cat "$SERVER_LOG" >&2
	return 1
}

keys() { tm send-keys -t repl "$@"; }
type_line() { keys -l "$1"; keys Enter; }

connected() {
	repl "$@" "$URL"
	wait_screen '^wsx: connected to'
}

@test "connect: typed lines go out as text and the echo is shown" {
	start_py
	connected
	type_line 'hello there'
	wait_screen '^< hello there$'
	wait_log '^message text hello there$'
	screen | grep -qx '> hello there'
}

@test "connect: a message pushed while a line is half typed leaves the line intact" {
	start_py --push-file "$BATS_TEST_TMPDIR/push"
	connected
	keys -l 'half typ'
	wait_screen '^> half typ$'
	printf 'pushed while typing' >"$BATS_TEST_TMPDIR/push"
	wait_screen '^< pushed while typing$'
	# the half-typed line is drawn again below the message, cursor at its end
	run bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t repl | grep -v '^$' | tail -1"
	assert_output '> half typ'
	keys -l 'ed'
	keys Enter
	wait_log '^message text half typed$'
}

@test "connect: Up recalls a line typed in an earlier session (history file)" {
	start_py
	connected
	type_line 'remember me'
	wait_screen '^< remember me$'
	keys C-d
	wait_screen '^EXIT=0$'
	[ -f "$BATS_TEST_TMPDIR/state/wsx/history" ]
	# a new tmux server on a socket of its own: reusing the socket of one
	# being killed races with its exit (this test failed once in CI)
	tm kill-server
	TMUX_SOCK+="-again"
	connected
	keys Up
	wait_screen '^> remember me$'
	keys Enter
	wait_screen '^< remember me$'
}

@test "connect: --no-history writes no history file" {
	start_py
	connected --no-history
	type_line 'secret'
	wait_screen '^< secret$'
	keys C-d
	wait_screen '^EXIT=0$'
	[ ! -e "$BATS_TEST_TMPDIR/state/wsx/history" ]
}

@test "connect: Tab completes /pi to /ping" {
	start_py
	connected
	keys -l '/pi'
	keys Tab
	wait_screen '^> /ping ?$'
}

@test "connect: /ping hello shows the round-trip time" {
	start_py
	connected
	type_line '/ping hello'
	wait_screen '^< pong, round trip [0-9]+\.[0-9]{3} ms$'
	type_line '/ping'
	wait_screen '^> /ping$'
	for _ in $(seq 1 50); do
		[ "$(screen | grep -c '^< pong, round trip')" -eq 2 ] && return 0
		sleep 0.1
	done
	fail "no pong shown for /ping without data"
}

# start_pinger: a raw-socket server that pings each client with "hello" at
# once and echoes messages; it logs "pong aGVsbG8=" for the answer
start_pinger() {
	start_server pinger "$PYTHON" "$HELPERS/ping_peer.py" --ping hello
	SERVER_LOG="$BATS_TEST_TMPDIR/pinger.log"
}

@test "connect: -P shows the server's ping with its payload; without -P it is answered unseen" {
	start_pinger
	connected -P
	wait_screen '^< ping \(5 bytes\): hello$'
	wait_log '^pong aGVsbG8=$'
	tm kill-server
	TMUX_SOCK+="-again"
	connected
	type_line 'after'
	wait_screen '^< after$'
	# the ping came before the echo, and was answered, but is not shown
	[ "$(grep -c '^pong aGVsbG8=$' "$SERVER_LOG")" -eq 2 ]
	if screen | grep -q ping; then
		screen >&2
		fail "the ping was shown without -P"
	fi
}

@test "connect: -P -x shows the server's ping before the replies" {
	start_pinger
	run --separate-stderr "$WSX" connect -P -x hi -w 0.3 "$URL"
	assert_success
	assert_output $'< ping (5 bytes): hello\nhi'
	run --separate-stderr "$WSX" connect -x hi -w 0.3 "$URL"
	assert_success
	assert_output hi
	[ "$(grep -c '^pong aGVsbG8=$' "$SERVER_LOG")" -eq 2 ]
}

@test "connect: /close 4000 bye reaches the server as code 4000, reason bye; answered, it exits 0" {
	start_py
	connected
	type_line '/close 4000 bye'
	wait_log '^closed 4000 bye$'
	wait_screen '^EXIT=0$'
}

@test "connect: Ctrl-D closes with 1000 and exits 0 once the server answers" {
	start_py
	connected
	keys C-d
	wait_screen '^EXIT=0$'
	wait_log '^closed 1000 $'
}

@test "connect: the server going away (1001) is told who, code and name; exit 0" {
	start_py
	connected
	kill -TERM "$LAST_PID"
	wait_screen "^wsx: the server closed the connection: 1001 going away"
	wait_screen '^EXIT=0$'
}

@test "connect: wsx serve closing an idle client (1001) is told as such; exit 0" {
	start_server wsx-echo "$WSX" serve --echo -p 0 --idle-timeout 1
	repl "$URL"
	wait_screen '^wsx: connected to '
	wait_screen "^wsx: the server closed the connection: 1001 going away"
	wait_screen '^EXIT=0$'
}

@test "connect: Ctrl-C drops the line, a second Ctrl-C quits with 130" {
	start_py
	connected
	keys -l 'not sent'
	keys C-c
	wait_screen '^wsx: press Ctrl-C again to quit'
	keys C-c
	wait_screen '^EXIT=130$'
	run grep -c '^message' "$SERVER_LOG"
	assert_output 0
}

@test "connect: JSON is pretty-printed; /json off shows it as sent" {
	start_py
	connected
	type_line '{"id":12345678901234567890,"tags":["a","b"],"ok":true,"none":{}}'
	wait_screen '^  }$'
	run bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t repl | sed -n '/^< {/,/^  }/p'"
	assert_output '< {
    "id": 12345678901234567890,
    "tags": [
      "a",
      "b"
    ],
    "ok": true,
    "none": {}
  }'
	type_line '/json off'
	wait_screen '^wsx: JSON pretty-printing off$'
	type_line '[1,2]'
	wait_screen '^< \[1,2\]$'
}

@test "connect: binary messages are shown as a hex dump" {
	start_py
	connected
	type_line '/binary 48 65 6c 6c 6f 00 01 02 03 04 05 06 07 08 09 0a ff fe'
	wait_screen '^  00000010  ff fe'
	run bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t repl | grep -A1 '^< 00000000'"
	assert_output '< 00000000  48 65 6c 6c 6f 00 01 02  03 04 05 06 07 08 09 0a |Hello...........|
  00000010  ff fe                                            |..|'
	wait_log '^message binary 48656c6c6f000102030405060708090afffe$'
}

@test "connect: control characters from the peer are escaped, not obeyed" {
	start_py --push-file "$BATS_TEST_TMPDIR/push"
	connected
	printf 'bell\a clear\033[2J end' >"$BATS_TEST_TMPDIR/push"
	wait_screen '^< bell\\x07 clear\\x1b\[2J end$'
}

@test "connect: bad input lines say what is wrong, send nothing, and the session goes on" {
	start_py
	connected
	type_line '/bogus'
	wait_screen "^wsx: unknown command '/bogus'"
	type_line '/binary 4z'
	wait_screen '^wsx: /binary: bad hex'
	type_line "/file $BATS_TEST_TMPDIR/missing"
	wait_screen "^wsx: /file: cannot read '.*missing': No such file or directory$"
	type_line '/close 1005'
	wait_screen '^wsx: /close: 1005 is not a code to send'
	type_line '//etc is text'
	wait_screen '^< /etc is text$'
	run grep -c '^message' "$SERVER_LOG"
	assert_output 1
	run bash -c "tmux -L '$TMUX_SOCK' capture-pane -p -t repl | grep -c '^wsx: '"
	assert_output 5 # connected + one line per bad command
}

@test "connect: /file sends a file as one binary message" {
	start_py
	printf 'ABC' >"$BATS_TEST_TMPDIR/f.bin"
	connected
	type_line "/file $BATS_TEST_TMPDIR/f.bin"
	wait_log '^message binary 414243$'
	wait_screen '^< 00000000  41 42 43 '
}

@test "connect: colour on a terminal, none with NO_COLOR or --no-color" {
	start_py
	REPL_ENV="NO_COLOR=" connected
	type_line '{"k":"v"}'
	wait_screen '^  }$'
	screen -e | grep -q $'\e\\[34m"k"'
	tm kill-server
	REPL_ENV="NO_COLOR=" connected --no-color
	type_line '{"k":"v"}'
	wait_screen '^  }$'
	! screen -e | grep -q $'\e\\[3'
}

@test "connect: -x sends each message, prints the replies, closes after -w" {
	start_py
	run --separate-stderr "$WSX" connect -x one -x two -w 0.5 "$URL"
	assert_success
	assert_output $'one\ntwo'
	wait_log '^closed 1000 $'
}

@test "connect: with stdin not a terminal it is wsx pipe" {
	start_py
	run --separate-stderr bash -c "printf 'a\nb\n' | '$WSX' connect -w 0.5 '$URL'"
	assert_success
	assert_output $'a\nb'
	[ -z "$stderr" ]
}

@test "connect: -L follows a 301 to the new path; without it, exit 4 names the location" {
	start_py --redirect /old=/new --redirect /loop=/loop
	run --separate-stderr "$WSX" connect -L -x hi -w 0.3 "$URL/old"
	assert_success
	assert_output hi
	wait_log '^connection path=/new '
	run --separate-stderr "$WSX" connect -x hi "$URL/old"
	assert_failure 4
	[[ "$stderr" == "wsx: handshake refused: HTTP 301 Moved Permanently from $URL/old to /new (-L follows redirects) (the answer says: 'moved')" ]]
	run --separate-stderr "$WSX" connect -L --max-redirs 2 -x hi "$URL/loop"
	assert_failure 4
	[[ "$stderr" == "wsx: handshake refused: HTTP 301 Moved Permanently from $URL/loop after 2 redirects to /loop (too many redirects: see --max-redirs) (the answer says: 'moved')" ]]
	[ "$(grep -c '^redirect /loop' "$SERVER_LOG")" -eq 3 ]
}

@test "connect: -L keeps credentials for the same origin, drops them for another" {
	start_py --redirect /same=/here --redirect '/cross=ws://localhost:{port}/there'
	run --separate-stderr "$WSX" connect -L -u me:pw -x a -w 0.3 "$URL/same"
	assert_success
	wait_log '^connection path=/here auth=yes '
	run --separate-stderr "$WSX" connect -L -u me:pw -H 'Authorization: Bearer t' -x b -w 0.3 "$URL/cross"
	assert_success
	assert_output b
	wait_log '^connection path=/there auth=no '
}

@test "connect: --proxy and http_proxy tunnel through HTTP CONNECT; --noproxy bypasses" {
	start_py
	local ws_url=$URL ws_port=$PORT
	start_server proxy "$PYTHON" "$HELPERS/connect_proxy.py"
	local proxy_log="$BATS_TEST_TMPDIR/proxy.log"
	run --separate-stderr "$WSX" connect --proxy "http://127.0.0.1:$PORT" -x via -w 0.3 "$ws_url"
	assert_success
	assert_output via
	grep -qx "CONNECT 127.0.0.1:$ws_port" "$proxy_log"
	run --separate-stderr env http_proxy="http://127.0.0.1:$PORT" "$WSX" connect -x env -w 0.3 "$ws_url"
	assert_success
	assert_output env
	[ "$(grep -c CONNECT "$proxy_log")" -eq 2 ]
	run --separate-stderr env http_proxy="http://127.0.0.1:$PORT" "$WSX" connect --noproxy '*' -x direct -w 0.3 "$ws_url"
	assert_success
	assert_output direct
	[ "$(grep -c CONNECT "$proxy_log")" -eq 2 ]
}

@test "connect: ws+unix: reaches a server on a unix socket, with a path" {
	local sock="$BATS_TEST_TMPDIR/ws.sock"
	start_py --unix "$sock"
	run --separate-stderr "$WSX" connect -x 'over unix' -w 0.3 "ws+unix:$sock:/chat"
	assert_success
	assert_output 'over unix'
	wait_log '^connection path=/chat '
}

@test "connect: --compress negotiates permessage-deflate with a real peer" {
	start_py
	local big
	big=$(printf 'compress me %.0s' $(seq 1 200))
	run --separate-stderr "$WSX" connect --compress -x "$big" -w 0.3 "$URL"
	assert_success
	assert_output "$big"
	wait_log '^connection path=/ auth=no extensions=permessage-deflate$'
	run --separate-stderr "$WSX" connect -x plain -w 0.3 "$URL"
	assert_success
	[ "$(grep -c 'extensions=-$' "$SERVER_LOG")" -eq 1 ]
}

@test "connect: -6 and -4 pick the address family" {
	ip -6 addr show lo 2>/dev/null | grep -q '::1' || skip "no IPv6 loopback"
	start_py --host ::1
	run --separate-stderr "$WSX" connect -6 -x six -w 0.3 "$URL"
	assert_success
	assert_output six
	run --separate-stderr "$WSX" connect -4 -x four "$URL"
	assert_failure 3
	[[ "$stderr" == *"no IPv4 address"* ]]
}

@test "connect: --reconnect comes back after the server is killed and restarted" {
	start_py
	local port=$PORT
	connected --reconnect
	type_line 'before'
	wait_screen '^< before$'
	kill -KILL "$LAST_PID"
	wait_screen '^wsx: the connection closed: 1006 abnormal, no close frame; reconnect attempt 1 in [0-9.]+ s$'
	start_py --port "$port"
	wait_screen '^wsx: reconnected after [0-9]+ attempts?$' 100
	type_line 'after'
	wait_screen '^< after$'
	wait_log '^message text after$'
}

@test "pipe: --max-retries spaces attempts by at least the announced delays, then gives up" {
	local port
	port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run bash -c "sleep 10 | '$WSX' pipe --max-retries 3 ws://127.0.0.1:$port/ 2>&1 >/dev/null |
		while IFS= read -r line; do echo \"\$(date +%s.%N) \$line\"; done; exit \${PIPESTATUS[1]}"
	assert_failure 3
	assert_line --partial 'giving up after 3 attempts'
	[ "$(grep -c 'reconnect attempt' <<<"$output")" -eq 3 ]
	# attempt n+1 is announced no sooner than the delay announced for n
	# (less 20 ms for reading the clock through date(1)), and each delay is
	# within its ceiling (0.5 s, 1 s, 2 s)
	awk '/reconnect attempt/ {
		n++; t[n] = $1; d[n] = $(NF - 1)
		if (d[n] > 0.5 * 2 ^ (n - 1)) { print "delay", n, d[n], "over its ceiling"; bad = 1 }
	}
	/giving up/ { t[n + 1] = $1 }
	END {
		for (i = 1; i <= n; i++)
			if (t[i + 1] - t[i] < d[i] - 0.02) { print "attempt", i + 1, "too early"; bad = 1 }
		exit bad
	}' <<<"$output"
}

@test "pipe: a normal close (1000) does not reconnect" {
	start_py
	run --separate-stderr bash -c "printf 'x\n' | '$WSX' pipe --reconnect -w 0.5 '$URL'"
	assert_success
	assert_output x
	[[ "$stderr" != *reconnect* ]]
}

@test "pipe: --reconnect carries on through a server restart; a line typed in between is sent once it is back" {
	start_py
	local port=$PORT fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	"$WSX" pipe --reconnect "$URL" <"$fifo" >"$out" 2>"$BATS_TEST_TMPDIR/err" &
	local client=$!
	# fd 3 is bats' own
	exec 5>"$fifo"
	echo before >&5
	for _ in $(seq 1 100); do grep -q before "$out" && break; sleep 0.05; done
	kill -KILL "$LAST_PID"
	for _ in $(seq 1 100); do grep -q 'reconnect attempt' "$BATS_TEST_TMPDIR/err" && break; sleep 0.05; done
	echo between >&5
	# the server must not hold the fifo open: stdin's end ends the client
	start_py --port "$port" 5>&-
	for _ in $(seq 1 200); do grep -q between "$out" && break; sleep 0.05; done
	echo after >&5
	for _ in $(seq 1 100); do grep -q after "$out" && break; sleep 0.05; done
	exec 5>&-
	wait "$client"
	run cat "$out"
	assert_output "before
between
after"
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --regexp 'reconnect attempt 1 in [0-9.]+ s$'
	assert_line --regexp 'reconnected after [0-9]+ attempts?$'
}
