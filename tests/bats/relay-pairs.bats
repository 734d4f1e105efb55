#!/usr/bin/env bats
# wsx relay A B for every ordered pair of endpoint kinds, in both orders
# (issue 14: no crash in any relay order). Where a pair can work, a far end
# on each side sends one message and checks, byte for byte, the one that
# comes from the other side, and the relay exits 0 (by itself, or on
# SIGTERM where it listens). Where a pair cannot work, the relay says why in
# one "wsx: ..." line and exits 2. Every run is bounded: nothing may hang or
# die of a signal.
#
# The far ends: tests/helpers/one_msg_peer.py (a Python websockets server or
# client, a TCP or unix socket peer, a program for exec:), a shell command
# for sh:, and the relay's own stdin and stdout for -. A far end sends its
# message first and closes once it has the other one. Byte streams carry
# lines ("from-A\n"); WebSocket far ends send text, with the newline only
# where the relay passes bytes through as they are (--raw, the default
# without a - side), and get binary from a byte stream in --raw, text in
# --lines.

load helpers

PEER="$HELPERS/one_msg_peer.py"
# seconds any one run may take (wsx under valgrind starts slowly)
if [ -n "${WSX_VALGRIND:-}${WSX_REAL:-}" ]; then LIMIT=60; else LIMIT=10; fi

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	stop_servers
}

is_ws() { [ "$1" = ws:// ] || [ "$1" = ws-l: ]; }
is_listener() { [[ "$1" == *-l: ]]; }
other() { if [ "$1" = A ]; then echo B; else echo A; fi; }

# payload SIDE KIND MODE: what SIDE's far end sends (with \n escapes)
payload() {
	if is_ws "$2" && [ "$3" = lines ]; then
		printf '%s\n' "from-$1"
	else
		printf '%s\n' "from-$1\\n"
	fi
}

# expected SIDE KIND OTHER_KIND MODE: what SIDE's far end must get,
# "text:", "binary:" or "bytes:" and the data (with \n escapes)
expected() {
	local o
	o=$(other "$1")
	if ! is_ws "$2"; then
		printf '%s\n' "bytes:from-$o\\n"
	elif is_ws "$3"; then
		printf '%s\n' "text:from-$o\\n"
	elif [ "$4" = lines ]; then
		printf '%s\n' "text:from-$o"
	else
		printf '%s\n' "binary:from-$o\\n"
	fi
}

# wait_until CMD...: until CMD succeeds, LIMIT seconds at most
wait_until() {
	local i
	for ((i = 0; i < LIMIT * 50; i++)); do
		"$@" && return 0
		sleep 0.02
	done
	return 1
}

has_bytes() { [ -f "$1" ] && [ "$(file_size "$1")" -ge "$2" ]; }
dead() { ! kill -0 "$1" 2>/dev/null; }

# listening_on LOG PID: the address of the first "listening on ADDR" line
# in LOG (ws://H:P, tcp://H:P or unix:PATH), once PID has written it
listening_on() {
	local i addr
	for ((i = 0; i < LIMIT * 50; i++)); do
		addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$1" 2>/dev/null)
		if [ -n "$addr" ]; then
			echo "${addr%%$'\n'*}"
			return 0
		fi
		dead "$2" && break
		sleep 0.02
	done
	echo "no 'listening on' from $2:" >&2
	cat "$1" >&2
	return 1
}

# start_peer SIDE ROLE WHERE SEND EXPECT: a server far end; $ADDR
start_peer() {
	local log="$T/$1.peer"
	"$PYTHON" "$PEER" "$2" "$3" "$4" "$5" >"$log" 2>&1 &
	SERVER_PIDS+=("$!")
	printf -v "PEER_$1" %s "$!"
	ADDR=$(listening_on "$log" "$!")
}

# far_end SIDE KIND OTHER_KIND MODE: SIDE's spec in SPEC_<SIDE>, and its
# far end started where it has to be there first (a server to connect to)
far_end() {
	local side=$1 kind=$2 send exp spec
	send=$(payload "$side" "$kind" "$4")
	exp=$(expected "$side" "$kind" "$3" "$4")
	case $kind in
	ws://)
		start_peer "$side" ws-server - "$send" "$exp"
		spec="$ADDR/"
		;;
	tcp:)
		start_peer "$side" tcp-server - "$send" "$exp"
		spec="tcp:${ADDR#tcp://}"
		;;
	unix:)
		start_peer "$side" unix-server "$T/$side.sock" "$send" "$exp"
		spec=$ADDR
		;;
	ws-l:) spec=ws-l:0 ;;
	tcp-l:) spec=tcp-l:0 ;;
	unix-l:) spec="unix-l:$T/$side-l.sock" ;;
	exec:) spec="exec:$PYTHON $PEER stdio $T/$side.got $send $exp" ;;
	sh:) spec="sh:printf '$send'; head -n 1 >'$T/$side.got'" ;;
	-) spec=- ;;
	esac
	printf -v "KIND_$side" %s "$kind"
	printf -v "SPEC_$side" %s "$spec"
	printf -v "SEND_$side" %s "$send"
	printf -v "EXP_$side" %s "$exp"
}

# The relay's stdin: where a side is -, its line, then nothing until the
# other side's line is on the relay's stdout (then EOF: the far end closes).
feed() {
	local side=
	[ "$SPEC_A" = - ] && side=A
	[ "$SPEC_B" = - ] && side=B
	[ -n "$side" ] || return 0
	local send=SEND_$side exp=EXP_$side
	printf '%b' "${!send}"
	wait_until has_bytes "$T/stdout" "$(printf '%b' "${!exp#bytes:}" | wc -c)"
}

# Without a - side the relay writes nothing on its stdout.
no_stray_output() {
	[ "$SPEC_A" = - ] || [ "$SPEC_B" = - ] || [ ! -s "$T/stdout" ] ||
		fail "relay wrote on stdout: $(cat -A "$T/stdout")"
}

# relay_once: both sides connect (or run); the relay ends by itself
relay_once() {
	local rc=0
	feed | timeout "$LIMIT" "$WSX" relay "$SPEC_A" "$SPEC_B" \
		>"$T/stdout" 2>"$T/relay.log" || rc=$?
	[ "$rc" -eq 0 ] || fail "relay exited $rc: $(cat "$T/relay.log")"
	[ ! -s "$T/relay.log" ] || fail "relay said: $(cat "$T/relay.log")"
	no_stray_output
}

# relay_listening: start the relay, then the listener's far end as its client
relay_listening() {
	local side=A kind addr rc=0
	is_listener "$KIND_A" || side=B
	kind=KIND_$side
	feed | "$WSX" relay "$SPEC_A" "$SPEC_B" >"$T/stdout" 2>"$T/relay.log" &
	RELAY_PID=$!
	SERVER_PIDS+=("$RELAY_PID")
	addr=$(listening_on "$T/relay.log" "$RELAY_PID")
	case ${!kind} in
	ws-l:) set -- ws-client "$addr" ;;
	tcp-l:) set -- tcp-client "${addr##*:}" ;;
	unix-l:) set -- unix-client "${addr#unix:}" ;;
	esac
	local send=SEND_$side exp=EXP_$side
	timeout "$LIMIT" "$PYTHON" "$PEER" "$@" "${!send}" "${!exp}" \
		>"$T/$side.peer" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] ||
		fail "far end $side (${!kind}) exited $rc: $(cat "$T/$side.peer")"
}

# stop_relay: the listener outlived its client; on SIGTERM it exits 0
# within LIMIT, having said nothing but where it listened
stop_relay() {
	local rc=0
	! dead "$RELAY_PID" || fail "relay gone after its first client"
	kill -TERM "$RELAY_PID" 2>/dev/null || true
	wait_until dead "$RELAY_PID" ||
		fail "relay still running $LIMIT s after SIGTERM"
	wait "$RELAY_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "relay exited $rc on SIGTERM: $(cat "$T/relay.log")"
	[ "$(grep -vc '^wsx: listening on ' "$T/relay.log")" -eq 0 ] ||
		fail "relay said: $(cat "$T/relay.log")"
	no_stray_output
}

# same_bytes FILE ESCAPED: FILE holds exactly those bytes (once it has
# enough of them)
same_bytes() {
	local want
	want=$(printf '%b' "$2" | wc -c)
	wait_until has_bytes "$1" "$want" || true
	printf '%b' "$2" | cmp - "$1" ||
		fail "$1: expected '$2', got '$(cat -A "$1")'"
}

# check_far_end SIDE: what SIDE's far end got was what the other sent
check_far_end() {
	local side=$1 kind=KIND_$1 exp=EXP_$1 pid=PEER_$1 rc=0
	case ${!kind} in
	ws:// | tcp: | unix:)
		wait_until dead "${!pid}" ||
			fail "far end $side (${!kind}) still running: $(cat "$T/$side.peer")"
		wait "${!pid}" || rc=$?
		[ "$rc" -eq 0 ] ||
			fail "far end $side (${!kind}) exited $rc: $(cat "$T/$side.peer")"
		;;
	exec:)
		wait_until has_bytes "$T/$side.got" 1 || true
		grep -q '^ok ' "$T/$side.got" ||
			fail "far end $side (exec:): $(cat "$T/$side.got")"
		;;
	sh:) same_bytes "$T/$side.got" "${!exp#bytes:}" ;;
	-) same_bytes "$T/stdout" "${!exp#bytes:}" ;;
	esac
}

# pair A B: `wsx relay A B` between two far ends (see the top)
pair() {
	local mode=raw
	if [ "$1" = - ] || [ "$2" = - ]; then mode=lines; fi
	far_end A "$1" "$2" "$mode"
	far_end B "$2" "$1" "$mode"
	if is_listener "$1" || is_listener "$2"; then
		relay_listening
		check_far_end A
		check_far_end B
		stop_relay
	else
		relay_once
		check_far_end A
		check_far_end B
	fi
}

# refused A B WHY: one "wsx: ..." line saying WHY, exit 2, nothing bound
refused() {
	local spec=() k
	for k in "$1" "$2"; do
		case $k in
		ws-l:) spec+=(ws-l:0) ;;
		tcp-l:) spec+=(tcp-l:0) ;;
		unix-l:) spec+=("unix-l:$T/${#spec[@]}.sock") ;;
		*) spec+=("$k") ;;
		esac
	done
	run -2 --separate-stderr timeout "$LIMIT" "$WSX" relay "${spec[@]}" </dev/null
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "stderr: $stderr"
	[[ "$stderr" == "wsx: "*"$3"* ]] || fail "stderr: $stderr"
	[ -z "$output" ]
	[ ! -e "$T/0.sock" ] && [ ! -e "$T/1.sock" ]
}

@test "relay ws:// ws:// (regression: A connected to B's URL) carries one message each way, byte for byte" {
	pair ws:// ws://
}

@test "relay ws:// ws-l: carries one message each way, byte for byte" {
	pair ws:// ws-l:
}

@test "relay ws:// tcp: (regression: was a segfault) carries one message each way, byte for byte" {
	pair ws:// tcp:
}

@test "relay ws:// tcp-l: carries one message each way, byte for byte" {
	pair ws:// tcp-l:
}

@test "relay ws:// unix: (regression: was a segfault) carries one message each way, byte for byte" {
	pair ws:// unix:
}

@test "relay ws:// unix-l: carries one message each way, byte for byte" {
	pair ws:// unix-l:
}

@test "relay ws:// exec: (regression: was a segfault) carries one message each way, byte for byte" {
	pair ws:// exec:
}

@test "relay ws:// sh: (regression: was a segfault) carries one message each way, byte for byte" {
	pair ws:// sh:
}

@test "relay ws:// - (regression: was a segfault) carries one message each way, byte for byte" {
	pair ws:// -
}

@test "relay ws-l: ws:// carries one message each way, byte for byte" {
	pair ws-l: ws://
}

@test "relay ws-l: ws-l: is refused: both listen (one line, exit 2)" {
	refused ws-l: ws-l: "both listen: one side must connect"
}

@test "relay ws-l: tcp: carries one message each way, byte for byte" {
	pair ws-l: tcp:
}

@test "relay ws-l: tcp-l: is refused: both listen (one line, exit 2)" {
	refused ws-l: tcp-l: "both listen: one side must connect"
}

@test "relay ws-l: unix: carries one message each way, byte for byte" {
	pair ws-l: unix:
}

@test "relay ws-l: unix-l: is refused: both listen (one line, exit 2)" {
	refused ws-l: unix-l: "both listen: one side must connect"
}

@test "relay ws-l: exec: carries one message each way, byte for byte" {
	pair ws-l: exec:
}

@test "relay ws-l: sh: carries one message each way, byte for byte" {
	pair ws-l: sh:
}

@test "relay ws-l: - carries one message each way, byte for byte" {
	pair ws-l: -
}

@test "relay tcp: ws:// carries one message each way, byte for byte" {
	pair tcp: ws://
}

@test "relay tcp: ws-l: carries one message each way, byte for byte" {
	pair tcp: ws-l:
}

@test "relay tcp: tcp: carries one message each way, byte for byte" {
	pair tcp: tcp:
}

@test "relay tcp: tcp-l: carries one message each way, byte for byte" {
	pair tcp: tcp-l:
}

@test "relay tcp: unix: carries one message each way, byte for byte" {
	pair tcp: unix:
}

@test "relay tcp: unix-l: carries one message each way, byte for byte" {
	pair tcp: unix-l:
}

@test "relay tcp: exec: carries one message each way, byte for byte" {
	pair tcp: exec:
}

@test "relay tcp: sh: carries one message each way, byte for byte" {
	pair tcp: sh:
}

@test "relay tcp: - carries one message each way, byte for byte" {
	pair tcp: -
}

@test "relay tcp-l: ws:// carries one message each way, byte for byte" {
	pair tcp-l: ws://
}

@test "relay tcp-l: ws-l: is refused: both listen (one line, exit 2)" {
	refused tcp-l: ws-l: "both listen: one side must connect"
}

@test "relay tcp-l: tcp: carries one message each way, byte for byte" {
	pair tcp-l: tcp:
}

@test "relay tcp-l: tcp-l: is refused: both listen (one line, exit 2)" {
	refused tcp-l: tcp-l: "both listen: one side must connect"
}

@test "relay tcp-l: unix: carries one message each way, byte for byte" {
	pair tcp-l: unix:
}

@test "relay tcp-l: unix-l: is refused: both listen (one line, exit 2)" {
	refused tcp-l: unix-l: "both listen: one side must connect"
}

@test "relay tcp-l: exec: carries one message each way, byte for byte" {
	pair tcp-l: exec:
}

@test "relay tcp-l: sh: carries one message each way, byte for byte" {
	pair tcp-l: sh:
}

@test "relay tcp-l: - carries one message each way, byte for byte" {
	pair tcp-l: -
}

@test "relay unix: ws:// carries one message each way, byte for byte" {
	pair unix: ws://
}

@test "relay unix: ws-l: carries one message each way, byte for byte" {
	pair unix: ws-l:
}

@test "relay unix: tcp: carries one message each way, byte for byte" {
	pair unix: tcp:
}

@test "relay unix: tcp-l: carries one message each way, byte for byte" {
	pair unix: tcp-l:
}

@test "relay unix: unix: carries one message each way, byte for byte" {
	pair unix: unix:
}

@test "relay unix: unix-l: carries one message each way, byte for byte" {
	pair unix: unix-l:
}

@test "relay unix: exec: carries one message each way, byte for byte" {
	pair unix: exec:
}

@test "relay unix: sh: carries one message each way, byte for byte" {
	pair unix: sh:
}

@test "relay unix: - carries one message each way, byte for byte" {
	pair unix: -
}

@test "relay unix-l: ws:// carries one message each way, byte for byte" {
	pair unix-l: ws://
}

@test "relay unix-l: ws-l: is refused: both listen (one line, exit 2)" {
	refused unix-l: ws-l: "both listen: one side must connect"
}

@test "relay unix-l: tcp: carries one message each way, byte for byte" {
	pair unix-l: tcp:
}

@test "relay unix-l: tcp-l: is refused: both listen (one line, exit 2)" {
	refused unix-l: tcp-l: "both listen: one side must connect"
}

@test "relay unix-l: unix: carries one message each way, byte for byte" {
	pair unix-l: unix:
}

@test "relay unix-l: unix-l: is refused: both listen (one line, exit 2)" {
	refused unix-l: unix-l: "both listen: one side must connect"
}

@test "relay unix-l: exec: carries one message each way, byte for byte" {
	pair unix-l: exec:
}

@test "relay unix-l: sh: carries one message each way, byte for byte" {
	pair unix-l: sh:
}

@test "relay unix-l: - carries one message each way, byte for byte" {
	pair unix-l: -
}

@test "relay exec: ws:// carries one message each way, byte for byte" {
	pair exec: ws://
}

@test "relay exec: ws-l: carries one message each way, byte for byte" {
	pair exec: ws-l:
}

@test "relay exec: tcp: carries one message each way, byte for byte" {
	pair exec: tcp:
}

@test "relay exec: tcp-l: carries one message each way, byte for byte" {
	pair exec: tcp-l:
}

@test "relay exec: unix: carries one message each way, byte for byte" {
	pair exec: unix:
}

@test "relay exec: unix-l: carries one message each way, byte for byte" {
	pair exec: unix-l:
}

@test "relay exec: exec: carries one message each way, byte for byte" {
	pair exec: exec:
}

@test "relay exec: sh: carries one message each way, byte for byte" {
	pair exec: sh:
}

@test "relay exec: - carries one message each way, byte for byte" {
	pair exec: -
}

@test "relay sh: ws:// carries one message each way, byte for byte" {
	pair sh: ws://
}

@test "relay sh: ws-l: carries one message each way, byte for byte" {
	pair sh: ws-l:
}

@test "relay sh: tcp: carries one message each way, byte for byte" {
	pair sh: tcp:
}

@test "relay sh: tcp-l: carries one message each way, byte for byte" {
	pair sh: tcp-l:
}

@test "relay sh: unix: carries one message each way, byte for byte" {
	pair sh: unix:
}

@test "relay sh: unix-l: carries one message each way, byte for byte" {
	pair sh: unix-l:
}

@test "relay sh: exec: carries one message each way, byte for byte" {
	pair sh: exec:
}

@test "relay sh: sh: carries one message each way, byte for byte" {
	pair sh: sh:
}

@test "relay sh: - carries one message each way, byte for byte" {
	pair sh: -
}

@test "relay - ws:// (regression) carries one message each way, byte for byte" {
	pair - ws://
}

@test "relay - ws-l: carries one message each way, byte for byte" {
	pair - ws-l:
}

@test "relay - tcp: carries one message each way, byte for byte" {
	pair - tcp:
}

@test "relay - tcp-l: carries one message each way, byte for byte" {
	pair - tcp-l:
}

@test "relay - unix: carries one message each way, byte for byte" {
	pair - unix:
}

@test "relay - unix-l: carries one message each way, byte for byte" {
	pair - unix-l:
}

@test "relay - exec: carries one message each way, byte for byte" {
	pair - exec:
}

@test "relay - sh: carries one message each way, byte for byte" {
	pair - sh:
}

@test "relay - - is refused: stdio on both sides (one line, exit 2)" {
	refused - - "'-' on both sides"
}
