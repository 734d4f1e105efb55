#!/usr/bin/env bats
# Byte-exactness matrix (issue 14): every byte-stream writer of wsx, into a
# regular file, a pipe and a SLOW pipe (a reader that sleeps between reads,
# so wsx's writes meet a full pipe: EAGAIN and short writes), with messages
# of 0 B to 16 MiB (the default --max-message) in every framing mode that
# can carry them, one connection per run. Commands: pipe, connect -x,
# relay ws:// to -, tcp: and exec:, serve --exec (the child's output and
# input). Peers nobody here wrote push the messages: Python's websockets and
# Node's ws (tests/helpers/*_push_server.py|js). Then the three failures of
# the issue as named tests: output stalled at 64 KiB in a slow pipe, and
# descriptor flags (O_NONBLOCK, O_APPEND) left changed on shared stdout.
#
# The expected bytes come from tests/helpers/bytes_gen.py; under valgrind
# (WSX_VALGRIND) the 16 MiB size is left out and the slow reader is slower.

# shellcheck disable=SC2086 # $SIZES is a word list, split on purpose
load helpers

MODES="lines null raw len32 base64 jsonl"

setup_file() {
	export SIZES WSX_TIMEOUT SLOW_SLEEP DATA ONE
	# WSX_TIMEOUT: how long one run of wsx may take (set it lower to see
	# a stalling wsx fail sooner)
	if [ -n "${WSX_VALGRIND:-}" ]; then
		SIZES="0 1 65535 65536 65537 1048576"
		WSX_TIMEOUT=${WSX_TIMEOUT:-150}
		SLOW_SLEEP=0.01
	else
		SIZES="0 1 65535 65536 65537 1048576 16777216"
		WSX_TIMEOUT=${WSX_TIMEOUT:-60}
		SLOW_SLEEP=0.0005
	fi
	DATA="$BATS_FILE_TMPDIR/data"
	ONE="$BATS_FILE_TMPDIR/one"
	"$PYTHON" "$HELPERS/bytes_gen.py" "$DATA" $SIZES
	"$PYTHON" "$HELPERS/bytes_gen.py" "$ONE" 100000
	# peers shared by every test (fd 3 closed: bats waits for it)
	export PY_PUSH NODE_PUSH WSX_ECHO PY_ECHO NODE_ECHO
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_server python-push \
		"$PYTHON" "$HELPERS/py_push_server.py" "$BATS_FILE_TMPDIR" 3>&-
	PY_PUSH=$URL
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_server node-push \
		node "$HELPERS/node_push_server.js" "$BATS_FILE_TMPDIR" 3>&-
	NODE_PUSH=$URL
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_server wsx-echo \
		"$WSX" serve -p 0 --echo 3>&-
	WSX_ECHO=$URL
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_server py-echo \
		"$PYTHON" "$HELPERS/py_echo_server.py" 3>&-
	PY_ECHO=$URL
	BATS_TEST_TMPDIR=$BATS_FILE_TMPDIR start_server node-echo \
		node "$HELPERS/node_echo_server.js" 3>&-
	NODE_ECHO=$URL
	echo "${SERVER_PIDS[*]}" >"$BATS_FILE_TMPDIR/server.pids"
}

teardown_file() {
	read -r -a SERVER_PIDS <"$BATS_FILE_TMPDIR/server.pids" || true
	stop_servers
}

teardown() {
	stop_servers
}

# --- what is sent, and how -----------------------------------------------

# The option for a framing mode.
mode_flag() {
	case $1 in
	null) echo -0 ;;
	*) echo "--$1" ;;
	esac
}

# The messages a push server sends for a mode (files of bytes_gen.py): text
# where the mode writes text (lines, null), binary where it writes binary,
# both for --jsonl and connect -x.
msgs_for() {
	case $1 in
	lines | null) echo data/msgs-text ;;
	raw | len32 | base64) echo data/msgs-binary ;;
	*) echo data/msgs-mixed ;;
	esac
}

# push_url python|node NAME [QUERY]: where a push server sends
# $BATS_FILE_TMPDIR/NAME
push_url() {
	local base
	case $1 in
	python) base=$PY_PUSH ;;
	node) base=$NODE_PUSH ;;
	esac
	echo "$base/$2?id=$BATS_TEST_NUMBER.$1${3:+&$3}"
}

# echo_url wsx|python|node
echo_url() {
	case $1 in
	wsx) echo "$WSX_ECHO" ;;
	python) echo "$PY_ECHO" ;;
	node) echo "$NODE_ECHO" ;;
	esac
}

# The two foreign peers take turns over the modes.
peer_for() {
	case $1 in
	lines | raw | base64) echo python ;;
	*) echo node ;;
	esac
}

other_peer() {
	if [ "$(peer_for "$1")" = python ]; then echo node; else echo python; fi
}

# --- running wsx into a sink -------------------------------------------------

# bounded CMD...: CMD with a time limit; its status goes to $ST, stderr to $ERR
bounded() {
	local rc=0
	timeout -k 5 "$WSX_TIMEOUT" "$@" 2>"$ERR" || rc=$?
	echo "$rc" >"$ST"
}

slow_read() {
	"$PYTHON" "$HELPERS/slow_reader.py" --sleep "$SLOW_SLEEP" "$1"
}

# hold_stdin FILE UNTIL OUT: write FILE, then keep stdout open until OUT
# has UNTIL bytes, or the command ended (UNTIL "end": only then). Python
# websockets and node ws drop the echoes they have not sent yet when our
# close comes in; holding stdin is what a user at a terminal does.
hold_stdin() {
	local i
	cat "$1"
	for ((i = 0; i < WSX_TIMEOUT * 20; i++)); do
		[ -e "$ST" ] && return 0
		[ "$2" != end ] && [ "$(file_size "$3" 2>/dev/null || echo 0)" -ge "$2" ] &&
			return 0
		sleep 0.05
	done
}

# nonblock: make this shell's stdout non-blocking, as a program sharing a
# pipe may leave it (the flag belongs to the pipe's open file description)
nonblock() {
	"$PYTHON" -c 'import fcntl, os
fcntl.fcntl(1, fcntl.F_SETFL, fcntl.fcntl(1, fcntl.F_GETFL) | os.O_NONBLOCK)'
}

# run_into SINK OUT INPUT CMD...: run CMD (bounded by $WSX_TIMEOUT) with
# stdin from INPUT and stdout into SINK; fail clearly if it had to be killed.
#   SINK   file: OUT itself; pipe: cat >OUT; slow: slow_reader.py OUT;
#          slow-nonblock: the same, the pipe left non-blocking before
#   INPUT  a file (/dev/null too), or hold:FILE:UNTIL (see hold_stdin)
# Sets $STATUS; CMD's stderr is in $ERR.
run_into() {
	local sink=$1 out=$2 input=$3
	shift 3
	ST="$BATS_TEST_TMPDIR/status"
	ERR="$BATS_TEST_TMPDIR/stderr"
	rm -f "$ST" "$out" "$out.done"
	if [[ $input == hold:* ]]; then
		local spec=${input#hold:}
		local file=${spec%%:*} until=${spec#*:}
		case $sink in
		file) hold_stdin "$file" "$until" "$out" | bounded "$@" >"$out" ;;
		pipe) hold_stdin "$file" "$until" "$out" | bounded "$@" | cat >"$out" ;;
		slow) hold_stdin "$file" "$until" "$out" | bounded "$@" | slow_read "$out" ;;
		esac
	else
		case $sink in
		file) bounded "$@" <"$input" >"$out" ;;
		pipe) bounded "$@" <"$input" | cat >"$out" ;;
		slow) bounded "$@" <"$input" | slow_read "$out" ;;
		slow-nonblock) { nonblock && bounded "$@" <"$input"; } | slow_read "$out" ;;
		esac
	fi
	STATUS=$(cat "$ST" 2>/dev/null || echo none)
	if [ "$STATUS" = 124 ] || [ "$STATUS" = 137 ]; then
		fail "$(printf '%s\n' "'wsx ${*:2}' was still running after ${WSX_TIMEOUT}s and was killed (stalled output?): $(file_size "$out" 2>/dev/null || echo 0) bytes written" "stderr:" "$(head -c 2000 "$ERR")")"
	fi
}

# expect_status CODE: what run_into's command exited with
expect_status() {
	[ "$STATUS" = "$1" ] && return 0
	fail "$(printf '%s\n' "exit status $STATUS, expected $1; stderr:" "$(head -c 2000 "$ERR")")"
}

# expect_bytes EXPECTED OUT [MODE]: OUT holds exactly EXPECTED's bytes (for
# --jsonl, once each line's "time" member, which must be there, is removed)
expect_bytes() {
	local out=$2
	if [ "${3:-}" = jsonl ]; then
		sed -n -E 's/^\{"type":"(text|binary)","time":[0-9]+\.[0-9]{6},/{"type":"\1",/p' \
			"$2" >"$2.notime"
		out=$2.notime
	fi
	if cmp -s "$1" "$out"; then
		rm -f "$out" "$2"
		return 0
	fi
	fail "$(printf '%s\n' "output not byte-exact: $(file_size "$out") bytes, expected $(file_size "$1") ($(basename "$1") of sizes $SIZES)" \
		"$(cmp "$1" "$out" 2>&1 | head -1)" "stderr:" "$(head -c 2000 "$ERR")")"
}

# expect_full OUT: the slow reader that wrote OUT found the pipe full at
# least once (so wsx's writes met EAGAIN or a short write)
expect_full() {
	local stats
	stats=$(cat "$1.done" 2>/dev/null) || fail "the slow reader of $1 did not finish"
	[[ $stats =~ full\ ([0-9]+) ]] || fail "slow reader: '$stats'"
	[ "${BASH_REMATCH[1]}" -gt 0 ] ||
		fail "the slow reader never found the pipe full ($stats): wsx never had to wait, nothing was tested"
}

# wait_done FILE: until a slow reader wrote FILE.done (bounded)
wait_done() {
	local i
	for ((i = 0; i < WSX_TIMEOUT * 20; i++)); do
		[ -e "$1.done" ] && return 0
		sleep 0.05
	done
	fail "no $1.done after ${WSX_TIMEOUT}s: the reader never saw the end ($(file_size "$1" 2>/dev/null || echo 0) bytes)"
}

# out_size MODE: the bytes wsx writes for $DATA/MODE: its size, and for
# --jsonl a "time":1234567890.123456, member (25 bytes) in every line
out_size() {
	local n
	n=$(file_size "$DATA/$1")
	[ "$1" != jsonl ] || n=$((n + 25 * $(wc -l <"$DATA/jsonl")))
	echo "$n"
}

# --- the cells -------------------------------------------------------------

# pipe_push SINK PEER MODE: PEER pushes every size; wsx pipe -n writes them
pipe_push() {
	local out="$BATS_TEST_TMPDIR/out.$2"
	run_into "$1" "$out" /dev/null \
		"$WSX" pipe -n "$(mode_flag "$3")" "$(push_url "$2" "$(msgs_for "$3")")"
	expect_status 0
	[[ $1 != slow* ]] || expect_full "$out"
	expect_bytes "$DATA/$3" "$out" "$3"
}

# pipe_echo SINK PEER MODE: every size through wsx pipe to PEER's echo and back
pipe_echo() {
	local out="$BATS_TEST_TMPDIR/out.$2" input="$DATA/$3"
	# wsx serve answers our close after its echoes; the others need stdin held
	[ "$2" = wsx ] || input="hold:$DATA/$3:$(out_size "$3")"
	run_into "$1" "$out" "$input" "$WSX" pipe "$(mode_flag "$3")" "$(echo_url "$2")"
	expect_status 0
	[ "$1" != slow ] || expect_full "$out"
	expect_bytes "$DATA/$3" "$out" "$3"
}

# connect_push SINK PEER: connect -x, stdout not a terminal: each message's
# payload and a newline
connect_push() {
	local out="$BATS_TEST_TMPDIR/out.$2"
	run_into "$1" "$out" /dev/null "$WSX" connect -x hello \
		-w $((WSX_TIMEOUT - 5)) "$(push_url "$2" data/msgs-mixed)"
	expect_status 0
	[[ $1 != slow* ]] || expect_full "$out"
	expect_bytes "$DATA/connect" "$out"
}

# relay_stdio_push SINK PEER MODE: wsx relay --MODE ws://PUSH -; stdin stays
# open (relay closes when it ends) until the server has closed
relay_stdio_push() {
	local out="$BATS_TEST_TMPDIR/out.$2"
	run_into "$1" "$out" hold:/dev/null:end \
		"$WSX" relay "$(mode_flag "$3")" "$(push_url "$2" "$(msgs_for "$3")")" -
	expect_status 0
	[ "$1" != slow ] || expect_full "$out"
	expect_bytes "$DATA/$3" "$out" "$3"
}

# relay_tcp_push slow|fast PEER MODE: wsx relay --MODE ws://PUSH tcp:SINK,
# the TCP peer reading slowly (small receive buffer) or fast into a file
relay_tcp_push() {
	local out="$BATS_TEST_TMPDIR/tcp.$2" how=(--sleep "$SLOW_SLEEP")
	[ "$1" = slow ] || how=(--fast)
	rm -f "$out" "$out.done"
	start_server tcp-sink "$PYTHON" "$HELPERS/slow_reader.py" --listen "${how[@]}" "$out"
	run_into file "$BATS_TEST_TMPDIR/relay.out" /dev/null \
		"$WSX" relay "$(mode_flag "$3")" "$(push_url "$2" "$(msgs_for "$3")")" \
		"tcp:127.0.0.1:$PORT"
	expect_status 0
	wait_done "$out"
	expect_bytes "$DATA/$3" "$out" "$3"
}

# relay_tcp_echo PEER MODE: a TCP peer sends every size framed by MODE, the
# relay carries them to PEER's echo and back; the TCP peer reads slowly
relay_tcp_echo() {
	local out="$BATS_TEST_TMPDIR/tcp.$1"
	rm -f "$out" "$out.done"
	start_server tcp-peer "$PYTHON" "$HELPERS/slow_reader.py" --listen \
		--sleep "$SLOW_SLEEP" --send "$DATA/$2" --until "$(file_size "$DATA/$2")" "$out"
	run_into file "$BATS_TEST_TMPDIR/relay.out" /dev/null \
		"$WSX" relay "$(mode_flag "$2")" "$(echo_url "$1")" "tcp:127.0.0.1:$PORT"
	expect_status 0
	wait_done "$out"
	expect_bytes "$DATA/$2" "$out"
}

# relay_exec_push PEER MODE: wsx relay --MODE ws://PUSH exec:SLOW-CHILD, a
# child that reads its stdin slowly into a file
relay_exec_push() {
	local out="$BATS_TEST_TMPDIR/child.$1"
	rm -f "$out" "$out.done"
	run_into file "$BATS_TEST_TMPDIR/relay.out" /dev/null \
		"$WSX" relay "$(mode_flag "$2")" "$(push_url "$1" "$(msgs_for "$2")")" \
		"exec:$PYTHON $HELPERS/slow_reader.py --sleep $SLOW_SLEEP $out"
	expect_status 0
	wait_done "$out"
	expect_full "$out"
	expect_bytes "$DATA/$2" "$out" "$2"
}

# relay_exec_cat PEER MODE: PEER pushes every size through exec:cat and
# checks that each comes back (it closes with 4000 if one does not)
relay_exec_cat() {
	run_into file "$BATS_TEST_TMPDIR/relay.out" /dev/null \
		"$WSX" relay "$(mode_flag "$2")" "$(push_url "$1" "$(msgs_for "$2")" echo)" exec:cat
	expect_status 0
	grep -q "^$BATS_TEST_NUMBER.$1: echo ok" "$BATS_FILE_TMPDIR/$1-push.log" ||
		fail "$(grep "^$BATS_TEST_NUMBER.$1:" "$BATS_FILE_TMPDIR/$1-push.log")"
}

# serve_exec MODE: wsx serve --MODE --sh: /out is a child writing
# $DATA/MODE, /in a child reading its stdin slowly into a file. A wsx pipe
# client reads /out into a slow pipe and sends the same bytes to /in.
serve_exec() {
	local mode=$1 flag in="$BATS_TEST_TMPDIR/child.in" out="$BATS_TEST_TMPDIR/out"
	flag=$(mode_flag "$mode")
	rm -f "$in" "$in.done"
	start_server serve "$WSX" serve -p 0 "$flag" --sh "$(printf \
		'case $PATH_INFO in /out) exec cat %q ;; /in) exec %q %q --sleep %q %q ;; esac' \
		"$DATA/$mode" "$PYTHON" "$HELPERS/slow_reader.py" "$SLOW_SLEEP" "$in")"
	local url=$URL
	# the child's output, through wsx serve, to a client writing a slow pipe
	run_into slow "$out" /dev/null "$WSX" pipe -n "$flag" "$url/out"
	expect_status 0
	expect_full "$out"
	expect_bytes "$DATA/$mode" "$out" "$mode"
	# a client's messages, through wsx serve, to a child reading slowly
	run_into file "$out" "$DATA/$mode" "$WSX" pipe "$flag" "$url/in"
	expect_status 0
	wait_done "$in"
	expect_full "$in"
	expect_bytes "$DATA/$mode" "$in" "$mode"
}

# --- pipe: a server pushes every size ----------------------------------------

@test "pipe --lines into a slow pipe: text lines of every size from 0 to 16 MiB come out byte-exact (python websockets, node ws)" {
	pipe_push slow python lines
	pipe_push slow node lines
}

@test "pipe -0 into a slow pipe: NUL-ended text of every size from 0 to 16 MiB comes out byte-exact (python websockets, node ws)" {
	pipe_push slow python null
	pipe_push slow node null
}

@test "pipe --raw into a slow pipe: binary of every size from 0 to 16 MiB comes out byte-exact, end to end (python websockets, node ws)" {
	pipe_push slow python raw
	pipe_push slow node raw
}

@test "pipe --len32 into a slow pipe: every size from 0 to 16 MiB comes out byte-exact (python websockets, node ws)" {
	pipe_push slow python len32
	pipe_push slow node len32
}

@test "pipe --base64 into a slow pipe: every size from 0 to 16 MiB comes out byte-exact (python websockets, node ws)" {
	pipe_push slow python base64
	pipe_push slow node base64
}

@test "pipe --jsonl into a slow pipe: text and binary of every size from 0 to 16 MiB come out byte-exact (python websockets, node ws)" {
	pipe_push slow python jsonl
	pipe_push slow node jsonl
}

@test "pipe into a pipe and into a file: every framing mode, every size from 0 to 16 MiB byte-exact" {
	local mode
	for mode in $MODES; do
		pipe_push pipe "$(peer_for "$mode")" "$mode"
		pipe_push file "$(other_peer "$mode")" "$mode"
	done
}

# --- pipe: every size to an echo and back --------------------------------------

@test "pipe through wsx serve --echo into a slow pipe: every framing mode, every size from 0 to 16 MiB comes back byte-exact" {
	local mode
	for mode in $MODES; do
		pipe_echo slow wsx "$mode"
	done
}

@test "pipe through python websockets' and node ws' echo into a pipe, a file and a slow pipe: every framing mode, every size comes back byte-exact" {
	local mode sinks=(pipe file slow pipe file slow) i=0
	for mode in $MODES; do
		pipe_echo "${sinks[i++]}" "$(peer_for "$mode")" "$mode"
	done
}

# --- connect -x, stdout not a terminal ------------------------------------------

@test "connect -x into a slow pipe: each message of every size from 0 to 16 MiB is written whole, then a newline (python websockets, node ws)" {
	connect_push slow python
	connect_push slow node
}

@test "connect -x into a pipe and into a file: every message of every size is written whole" {
	connect_push pipe node
	connect_push file python
}

@test "pipe and connect -x into a slow pipe another program left non-blocking: every message still comes out whole" {
	pipe_push slow-nonblock python len32
	connect_push slow-nonblock node
}

# --- relay ws:// - -------------------------------------------------------------

# The relay's byte-stream sides are pipe's (stdio), so each relay spec gets
# some of the modes, and every mode comes through some relay spec.

@test "relay ws:// - into a slow pipe: --lines, --len32 and --jsonl, every size from 0 to 16 MiB byte-exact" {
	local mode
	for mode in lines len32 jsonl; do
		relay_stdio_push slow "$(peer_for "$mode")" "$mode"
	done
}

@test "relay ws:// - into a file, and through wsx serve --echo into a slow pipe: --len32 and --raw byte-exact" {
	relay_stdio_push file python len32
	local out="$BATS_TEST_TMPDIR/out"
	run_into slow "$out" "$DATA/raw" "$WSX" relay --raw "$WSX_ECHO" -
	expect_status 0
	expect_full "$out"
	expect_bytes "$DATA/raw" "$out"
}

# --- relay ws:// tcp: ----------------------------------------------------------

@test "relay ws:// tcp: to a slow TCP reader: -0, --raw and --base64, every size from 0 to 16 MiB arrives byte-exact" {
	local mode
	for mode in null raw base64; do
		relay_tcp_push slow "$(peer_for "$mode")" "$mode"
		stop_servers
	done
}

@test "relay ws:// tcp: to a fast TCP reader: --raw and --jsonl arrive byte-exact" {
	relay_tcp_push fast node raw
	stop_servers
	relay_tcp_push fast python jsonl
}

@test "relay ws:// tcp: from a TCP peer that reads slowly, through wsx, python websockets and node ws echoes: every size comes back byte-exact" {
	relay_tcp_echo wsx len32
	stop_servers
	relay_tcp_echo python raw
	stop_servers
	relay_tcp_echo node lines
}

# --- relay ws:// exec: ---------------------------------------------------------

@test "relay ws:// exec: a child reading slowly gets -0, --len32 and --jsonl, every size from 0 to 16 MiB byte-exact" {
	local mode
	for mode in null len32 jsonl; do
		relay_exec_push "$(peer_for "$mode")" "$mode"
	done
}

@test "relay ws:// exec:cat: --lines, --base64 and --jsonl, every size from 0 to 16 MiB goes to the child and comes back as the same messages" {
	local mode
	for mode in lines base64 jsonl; do
		relay_exec_cat "$(peer_for "$mode")" "$mode"
	done
}

# --- serve --exec ----------------------------------------------------------------

@test "serve --lines --exec: a child's lines reach a client writing a slow pipe, and a client's lines reach a slow child, byte-exact up to 16 MiB" {
	serve_exec lines
}

@test "serve -0 --exec: NUL-ended text both ways byte-exact up to 16 MiB, through slow pipes" {
	serve_exec null
}

@test "serve --raw --exec: a child's bytes reach a client writing a slow pipe and a client's bytes a slow child, byte-exact" {
	serve_exec raw
}

@test "serve --len32 --exec: every size from 0 to 16 MiB both ways byte-exact, through slow pipes" {
	serve_exec len32
}

@test "serve --base64 --exec: every size from 0 to 16 MiB both ways byte-exact, through slow pipes" {
	serve_exec base64
}

@test "serve --jsonl --exec: text and binary of every size from 0 to 16 MiB both ways byte-exact, through slow pipes" {
	serve_exec jsonl
}

@test "serve --exec: a child that reads more slowly than --grace still gets every byte its client sent before leaving" {
	local in="$BATS_TEST_TMPDIR/child.in" out="$BATS_TEST_TMPDIR/out"
	head -c 1000000 /dev/urandom >"$BATS_TEST_TMPDIR/sent"
	# 800 KB/s: the child takes over a second for what the client sent
	start_server serve "$WSX" serve -p 0 --raw --grace 0.3 --sh "$(printf \
		'exec %q %q --min 16384 --max 16384 --sleep 0.02 %q' \
		"$PYTHON" "$HELPERS/slow_reader.py" "$in")"
	run_into file "$out" "$BATS_TEST_TMPDIR/sent" "$WSX" pipe --raw "$URL"
	expect_status 0
	wait_done "$in"
	expect_bytes "$BATS_TEST_TMPDIR/sent" "$in"
}

# --- the failures of issue 14 -----------------------------------------------------

@test "issue 14: one 100,000-byte text message into a slow pipe: all 100,001 bytes come out and pipe exits 0 (also --raw)" {
	local out="$BATS_TEST_TMPDIR/out" peer
	for peer in python node; do
		run_into slow "$out" /dev/null "$WSX" pipe -n "$(push_url "$peer" one/msgs-text)"
		expect_status 0
		[ "$(file_size "$out")" -eq 100001 ] || fail "$(file_size "$out") bytes of 100001"
		expect_bytes "$ONE/lines" "$out"
	done
	head -c 100000 "$ONE/lines" >"$BATS_TEST_TMPDIR/text"
	run_into slow "$out" /dev/null "$WSX" pipe -n --raw "$(push_url python one/msgs-text)"
	expect_status 0
	expect_bytes "$BATS_TEST_TMPDIR/text" "$out"
}

@test "issue 14: head -c 10000000 /dev/zero | wsx pipe --raw -b to wsx serve --echo | a slow reader gets all 10,000,000 bytes" {
	local out="$BATS_TEST_TMPDIR/out"
	ST="$BATS_TEST_TMPDIR/status"
	ERR="$BATS_TEST_TMPDIR/stderr"
	head -c 10000000 /dev/zero | bounded "$WSX" pipe --raw -b "$WSX_ECHO" | slow_read "$out"
	STATUS=$(cat "$ST")
	expect_status 0
	expect_full "$out"
	head -c 10000000 /dev/zero >"$BATS_TEST_TMPDIR/zero"
	expect_bytes "$BATS_TEST_TMPDIR/zero" "$out"
}

@test "serve --echo: a client that sends hundreds of messages and its close at once, then reads slowly, gets every echo before the close" {
	local count=600
	[ -z "${WSX_VALGRIND:-}" ] || count=150
	run "$PYTHON" "$HELPERS/raw_burst_client.py" "${WSX_ECHO##*:}" "$count" 16384
	assert_success
	assert_output "echoed $((count * 16384)) of $((count * 16384)) bytes, same bytes, close 1000"
}

@test "pipe reading a named FIFO: when its writer has gone (before wsx started, or while a slow stdout held reading back) pipe still sees the end and exits 0" {
	local fifo="$BATS_TEST_TMPDIR/fifo" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	# the writer is done long before wsx has started
	printf 'one\ntwo\n' >"$fifo" &
	run_into pipe "$out" "$fifo" "$WSX" pipe "$WSX_ECHO"
	expect_status 0
	printf 'one\ntwo\n' >"$BATS_TEST_TMPDIR/expected"
	expect_bytes "$BATS_TEST_TMPDIR/expected" "$out"
	# the writer ends while reading is paused (the slow reader is behind)
	cat "$DATA/lines" >"$fifo" &
	run_into slow "$out" "$fifo" "$WSX" pipe "$WSX_ECHO"
	expect_status 0
	expect_bytes "$DATA/lines" "$out"
}

# fd_flags VAR FD: VAR = the file status flags (octal, as in fdinfo) of this
# shell's FD; no subshell, no redirection of FD
fd_flags() {
	local k v
	while read -r k v; do
		[ "$k" != flags: ] || printf -v "$1" '%s' "$v"
	done <"/proc/$BASHPID/fdinfo/$2"
}

# has_flag FLAGS OCTAL
has_flag() {
	(((8#$1 & 8#$2) != 0))
}

# wait_size FILE N: until FILE has N bytes (bounded)
wait_size() {
	local i
	for ((i = 0; i < WSX_TIMEOUT * 20; i++)); do
		[ "$(file_size "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "issue 14: a pipe shared with wsx pipe stays blocking while it runs and after; a dd into the same slow pipe afterwards loses nothing" {
	local out="$BATS_TEST_TMPDIR/out" fifo="$BATS_TEST_TMPDIR/stdin" flags="$BATS_TEST_TMPDIR/flags"
	ST="$BATS_TEST_TMPDIR/status"
	ERR="$BATS_TEST_TMPDIR/stderr"
	head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/after"
	mkfifo "$fifo"
	{
		local before during after pid
		fd_flags before 1
		bounded "$WSX" pipe "$WSX_ECHO" <"$fifo" &
		pid=$!
		exec 7>"$fifo"
		printf 'first\n' >&7
		wait_size "$out" 6 || true # wsx has written into the pipe we share
		fd_flags during 1
		cat "$DATA/lines" >&7
		exec 7>&-
		wait "$pid"
		fd_flags after 1
		echo "$before $during $after" >"$flags"
		dd if="$BATS_TEST_TMPDIR/after" bs=1M 2>"$BATS_TEST_TMPDIR/dd.err" ||
			echo "dd failed" >>"$flags"
	} | slow_read "$out"
	local f
	read -r -a f <"$flags"
	[ "${#f[@]}" -eq 3 ] || fail "$(cat "$flags" "$BATS_TEST_TMPDIR/dd.err")"
	has_flag "${f[1]}" 4000 && fail "the pipe was made non-blocking under the shell while wsx ran (flags ${f[0]} -> ${f[1]})"
	[ "${f[0]}" = "${f[2]}" ] || fail "the pipe's flags changed: ${f[0]} before wsx, ${f[2]} after"
	STATUS=$(cat "$ST")
	expect_status 0
	printf 'first\n' | cat - "$DATA/lines" "$BATS_TEST_TMPDIR/after" >"$BATS_TEST_TMPDIR/expected"
	expect_bytes "$BATS_TEST_TMPDIR/expected" "$out"
}

@test "issue 14: stdout opened with >> keeps O_APPEND while wsx pipe writes and after: another writer's lines are not overwritten" {
	local log="$BATS_TEST_TMPDIR/log" fifo="$BATS_TEST_TMPDIR/stdin" before during after pid
	ST="$BATS_TEST_TMPDIR/status"
	ERR="$BATS_TEST_TMPDIR/stderr"
	printf 'head\n' >"$log"
	mkfifo "$fifo"
	{
		fd_flags before 1
		bounded "$WSX" pipe "$WSX_ECHO" <"$fifo" &
		pid=$!
		exec 7>"$fifo"
		printf 'first\n' >&7
		wait_size "$log" 11 || true
		fd_flags during 1
		printf 'other\n' >>"$log" # a writer of its own, appending
		(printf 'second\n' >&7) 2>/dev/null || true # wsx may be gone
		wait_size "$log" 24 || true
		exec 7>&-
		wait "$pid"
		fd_flags after 1
		printf 'tail\n'
	} >>"$log"
	has_flag "$before" 2000 || fail "no O_APPEND to begin with: $before"
	has_flag "$during" 2000 || fail "O_APPEND was cleared while wsx ran ($before -> $during)"
	has_flag "$during" 4000 && fail "the file was made non-blocking under the shell ($before -> $during)"
	[ "$before" = "$after" ] || fail "the file's flags changed: $before before wsx, $after after"
	STATUS=$(cat "$ST")
	expect_status 0
	printf 'head\nfirst\nother\nsecond\ntail\n' >"$BATS_TEST_TMPDIR/expected"
	expect_bytes "$BATS_TEST_TMPDIR/expected" "$log"
}

@test "issue 14: a terminal shared with wsx pipe is still blocking after it ran (through script(1))" {
	command -v script >/dev/null || skip "no script(1)"
	cat >"$BATS_TEST_TMPDIR/tty.sh" <<'SH'
fd_flags() {
	local k v
	while read -r k v; do
		[ "$k" != flags: ] || printf -v "$1" '%s' "$v"
	done <"/proc/$BASHPID/fdinfo/$2"
}
[ -t 1 ] || { echo "not a terminal" >"$RESULT"; exit 1; }
fd_flags before 1
timeout -k 5 "$WSX_TIMEOUT" "$WSX" pipe -n "$PUSH_URL" </dev/null 2>"$RESULT.err"
status=$?
fd_flags after 1
echo "$status $before $after" >"$RESULT"
SH
	local result="$BATS_TEST_TMPDIR/result"
	RESULT=$result PUSH_URL=$(push_url python one/msgs-text) \
		timeout -k 5 $((WSX_TIMEOUT + 10)) script -qec "bash $BATS_TEST_TMPDIR/tty.sh" /dev/null \
		</dev/null >"$BATS_TEST_TMPDIR/typescript"
	local r
	read -r -a r <"$result" || true
	[ "${#r[@]}" -eq 3 ] || fail "$(cat "$result" "$result.err")"
	has_flag "${r[2]}" 4000 && fail "the terminal was left non-blocking (flags ${r[1]} -> ${r[2]})"
	[ "${r[1]}" = "${r[2]}" ] || fail "the terminal's flags changed: ${r[1]} -> ${r[2]}"
	[ "${r[0]}" = 0 ] || fail "wsx pipe exited ${r[0]}: $(cat "$result.err")"
	# and the text reached the terminal (as the terminal writes it)
	[ "$(tr -d '\r\n' <"$BATS_TEST_TMPDIR/typescript" | wc -c)" -ge 100000 ] ||
		fail "the terminal got $(wc -c <"$BATS_TEST_TMPDIR/typescript") bytes"
}
