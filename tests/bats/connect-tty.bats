#!/usr/bin/env bats
# wsx connect on a pseudo-terminal of its own (tests/helpers/pty_run.py)
# against Python's websockets: big messages are shown whole, on a terminal
# that reads fast, slowly, or not at all; the terminal's file status flags
# and modes are as they were after wsx exits; SIGTERM ends a session.
# Regressions of issue 14: a 25 KB JSON message showed 112 of its 500
# objects, the terminal was left non-blocking, SIGTERM did not end it.

load helpers

setup() {
	start_server py-connect "$PYTHON" "$HELPERS/py_connect_server.py" \
		--push-file "$BATS_TEST_TMPDIR/push"
	SERVER_LOG="$BATS_TEST_TMPDIR/py-connect.log"
	SHOWN="$BATS_TEST_TMPDIR/shown"
}

teardown() {
	stop_servers
}

# on_pty PTY_RUN_ARGS...: `wsx connect $URL` on a terminal; pty_run's
# report in $output
on_pty() {
	run env NO_COLOR=1 TERM=xterm XDG_STATE_HOME="$BATS_TEST_TMPDIR/state" \
		"$PYTHON" "$HELPERS/pty_run.py" --timeout 60 --out "$SHOWN" "$@" \
		-- "$WSX" connect "$URL"
}

# text_message BYTES: digits, then a mark the terminal can be watched for
text_message() {
	"$PYTHON" -c "import sys; n = int(sys.argv[1]) - 3
sys.stdout.write(('0123456789' * (n // 10 + 1))[:n] + 'END')" "$1" \
		>"$BATS_TEST_TMPDIR/message"
}

# shown_whole: the message is on the screen, every byte of it, in one run
shown_whole() {
	"$PYTHON" -c "import sys
shown = open(sys.argv[1], 'rb').read()
msg = open(sys.argv[2], 'rb').read()
sys.exit(0 if msg in shown else 'the message was not shown whole: %d bytes on screen, message %d' % (len(shown), len(msg)))" \
		"$SHOWN" "$BATS_TEST_TMPDIR/message"
}

# show_and_close BYTES PTY_RUN_ARGS...: push one message, Ctrl-D once its
# end is on screen
show_and_close() {
	local bytes=$1
	shift
	text_message "$bytes"
	on_pty "$@" \
		--when 'Ctrl-D closes' \
		--do "move:$BATS_TEST_TMPDIR/message.push:$BATS_TEST_TMPDIR/push" \
		--when 'END' --do 'keys:\x04'
}

prepare_push() {
	cp "$BATS_TEST_TMPDIR/message" "$BATS_TEST_TMPDIR/message.push"
}

assert_terminal_as_before() {
	local before after
	before=$(sed -n 's/^flags-before //p' <<<"$output")
	after=$(sed -n 's/^flags-after //p' <<<"$output")
	[ -n "$before" ] && [ "$before" = "$after" ] || {
		echo "file status flags before $before, after $after" >&2
		return 1
	}
	assert_line 'termios same'
}

# show_whole BYTES fast|slow: one text message shown whole, then Ctrl-D
show_whole() {
	local slow=()
	[ "$2" = slow ] && slow=(--slow 0.002 --chunk 4096)
	text_message "$1"
	prepare_push
	show_and_close "$1" "${slow[@]}"
	assert_line 'status 0'
	shown_whole
	assert_terminal_as_before
}

@test "connect on a terminal: a 10 KB message is shown whole, and the terminal is as before" {
	show_whole 10000 fast
}

@test "connect on a terminal: a 100 KB message is shown whole, and the terminal is as before" {
	show_whole 100000 fast
}

@test "connect on a terminal: a 1 MB message is shown whole, and the terminal is as before" {
	show_whole 1000000 fast
}

@test "connect on a slow terminal: a 10 KB message is shown whole" {
	show_whole 10000 slow
}

@test "connect on a slow terminal: a 100 KB message is shown whole" {
	show_whole 100000 slow
}

@test "connect on a slow terminal: a 1 MB message is shown whole" {
	show_whole 1000000 slow
}

@test "connect on a terminal: a 25 KB JSON message of 500 objects shows all 500" {
	"$PYTHON" -c 'import json, sys
sys.stdout.write(json.dumps([{"id": i, "name": "item-%d" % i, "tags": ["a", "b"]} for i in range(500)]))' \
		>"$BATS_TEST_TMPDIR/message.push"
	on_pty --when 'Ctrl-D closes' \
		--do "move:$BATS_TEST_TMPDIR/message.push:$BATS_TEST_TMPDIR/push" \
		--when '"item-499"' --do 'keys:\x04'
	assert_line 'status 0'
	run grep -c '"name": "item-' "$SHOWN"
	assert_output 500
}

@test "connect on a terminal: after it exits, the next program can read the terminal (not left non-blocking)" {
	on_pty --when 'Ctrl-D closes' --do 'keys:\x04'
	assert_line 'status 0'
	assert_terminal_as_before
	run cat "$SHOWN"
	assert_output --partial 'closing with 1000'
}

@test "connect on a terminal: SIGTERM closes with 1001 and exits 130" {
	on_pty --when 'Ctrl-D closes' --do signal:TERM
	assert_line 'status 130'
	assert_terminal_as_before
	run cat "$SERVER_LOG"
	assert_output --partial 'closed 1001'
}

@test "connect on a terminal: Ctrl-C twice closes with 1001 and exits 130" {
	on_pty --when 'Ctrl-D closes' --do signal:INT \
		--when 'press Ctrl-C again' --do signal:INT
	assert_line 'status 130'
	assert_terminal_as_before
	run cat "$SERVER_LOG"
	assert_output --partial 'closed 1001'
}

@test "connect on a stopped terminal: SIGTERM still ends it within --grace, modes restored" {
	text_message 1000000
	prepare_push
	# the terminal stops taking output early in the message (Ctrl-S)
	on_pty --when 'Ctrl-D closes' \
		--do "move:$BATS_TEST_TMPDIR/message.push:$BATS_TEST_TMPDIR/push" \
		--when '0123456789' --do block \
		--when '' --do signal:TERM
	assert_line 'status 130'
	assert_terminal_as_before
	# --grace (2 s) and half a second to say what was lost; not for ever
	local took
	took=$(sed -n 's/^seconds //p' <<<"$output")
	"$PYTHON" -c "import sys; sys.exit(float(sys.argv[1]) > 10)" "$took"
}

@test "connect on a stopped terminal: a second SIGTERM ends it at once" {
	text_message 1000000
	prepare_push
	on_pty --when 'Ctrl-D closes' \
		--do "move:$BATS_TEST_TMPDIR/message.push:$BATS_TEST_TMPDIR/push" \
		--when '0123456789' --do block \
		--when '' --do signal:TERM --when '' --do sleep:0.5 \
		--when '' --do signal:TERM
	assert_line 'status 130'
	assert_terminal_as_before
}

@test "connect on a terminal that goes away (SIGHUP): closes with 1001 and exits" {
	on_pty --when 'Ctrl-D closes' --do hangup
	assert_line 'status 130'
	for _ in $(seq 1 50); do
		grep -q 'closed 1001' "$SERVER_LOG" && break
		sleep 0.1
	done
	run cat "$SERVER_LOG"
	assert_output --partial 'closed 1001'
}

@test "connect on a terminal: Ctrl-C twice, a server that never answers the Close: 1001 sent, exit 130 within --grace" {
	start_server mute "$PYTHON" "$HELPERS/hostile_server.py" mute
	run env NO_COLOR=1 TERM=xterm XDG_STATE_HOME="$BATS_TEST_TMPDIR/state" \
		"$PYTHON" "$HELPERS/pty_run.py" --timeout 30 --out "$SHOWN" \
		--when 'Ctrl-D closes' --do signal:INT \
		--when 'press Ctrl-C again' --do signal:INT \
		-- "$WSX" connect --grace 1 "$URL"
	assert_line 'status 130'
	assert_terminal_as_before
	# --grace 1 and a little to leave; not the 30 s the server holds on
	local took
	took=$(sed -n 's/^seconds //p' <<<"$output")
	"$PYTHON" -c "import sys; t = float(sys.argv[1]); sys.exit(not 0.9 <= t < 5)" "$took"
	run cat "$BATS_TEST_TMPDIR/mute.log"
	assert_output --partial 'close 1001 interrupted'
}

@test "connect on a terminal: /close 4001 bye to wsx serve --echo, answered: exit 0, serve says who closed" {
	start_server wsx-echo "$WSX" serve --echo -p 0
	run env NO_COLOR=1 TERM=xterm XDG_STATE_HOME="$BATS_TEST_TMPDIR/state" \
		"$PYTHON" "$HELPERS/pty_run.py" --timeout 30 --out "$SHOWN" \
		--when 'Ctrl-D closes' --do 'keys:/close 4001 bye\r' \
		-- "$WSX" connect "$URL"
	assert_line 'status 0'
	assert_terminal_as_before
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp "^wsx: close 127\.0\.0\.1:[0-9]+ /: the client closed the connection: 4001 private use 'bye', "
}

# on_pty_cmd PTY_RUN_ARGS... -- WSX_ARGS...: like on_pty, any wsx command line
on_pty_cmd() {
	local pty=()
	while [ "$1" != -- ]; do pty+=("$1"); shift; done
	shift
	run env NO_COLOR=1 TERM=xterm XDG_STATE_HOME="$BATS_TEST_TMPDIR/state" \
		"$PYTHON" "$HELPERS/pty_run.py" --timeout 60 --out "$SHOWN" \
		"${pty[@]}" -- "$WSX" "$@"
}

@test "wsx URL on a terminal is wsx connect: the prompt, and Ctrl-D closes with 1000" {
	on_pty_cmd --when 'Ctrl-D closes' --do 'keys:hello there\r' \
		--when 'hello there' --do 'keys:\x04' -- "$URL" --timestamps
	assert_line 'status 0'
	assert_terminal_as_before
	run cat "$SERVER_LOG"
	assert_output --partial 'message text hello there'
	assert_output --partial 'closed 1000'
}

@test "connect on a terminal: -c URL (wscat's spelling) connects to URL" {
	on_pty_cmd --when 'Ctrl-D closes' --do 'keys:\x04' -- connect -c "$URL"
	assert_line 'status 0'
	run cat "$SERVER_LOG"
	assert_output --partial 'closed 1000'
}

@test "connect on a terminal: Tab completes a /file name with no space after it, and Enter sends the file" {
	mkdir "$BATS_TEST_TMPDIR/files"
	printf 'Hi!' >"$BATS_TEST_TMPDIR/files/payload-for-tab.bin"
	on_pty_cmd --when 'Ctrl-D closes' \
		--do "keys:/file $BATS_TEST_TMPDIR/files/payload-f\\t|\\x7f\\r" \
		--when 'as a binary message of 3 bytes' --do 'keys:\x04' \
		-- connect "$URL"
	assert_line 'status 0'
	run cat "$SHOWN"
	# the | typed right after Tab sits against the name: no space between
	assert_output --partial "payload-for-tab.bin|"
	assert_output --partial "sent '$BATS_TEST_TMPDIR/files/payload-for-tab.bin' as a binary message of 3 bytes"
	refute_output --partial 'cannot read'
	run cat "$SERVER_LOG"
	assert_output --partial 'message binary 486921'
}

@test "connect on a terminal: /file with blanks after the name still sends the file" {
	printf 'Hi!' >"$BATS_TEST_TMPDIR/f.txt"
	on_pty_cmd --when 'Ctrl-D closes' \
		--do "keys:/file $BATS_TEST_TMPDIR/f.txt  \\r" \
		--when 'as a binary message of 3 bytes' --do 'keys:\x04' \
		-- connect "$URL"
	assert_line 'status 0'
	run cat "$SERVER_LOG"
	assert_output --partial 'message binary 486921'
}

@test "connect on a terminal: Ctrl-D right after Enter closes (10 sessions)" {
	# Readline used to give the terminal back to cooked mode between a
	# finished line and the next prompt: a Ctrl-D typed then was the
	# terminal's end of file, seen as a NUL, and the session hung (1 in 3)
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		on_pty_cmd --when 'Ctrl-D closes' --do "keys:line $i\\r" \
			--when "line $i" --do 'keys:\x04' -- connect "$URL"
		assert_line 'status 0'
		assert_terminal_as_before
	done
}
