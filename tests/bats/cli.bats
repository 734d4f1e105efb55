#!/usr/bin/env bats
# The multi-call binary: dispatch, help, version, usage errors.

load helpers

@test "cli: --version names wsx, libwebsockets, OpenSSL and hiredis" {
	run "$WSX" --version
	assert_success
	assert_line --index 0 --regexp '^wsx [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp '^libwebsockets 4\.1'
	assert_line --index 2 --regexp '^OpenSSL [0-9]'
	assert_line --index 3 --regexp '^hiredis( [0-9]+\.[0-9]+\.[0-9]+ \(serve --redis\)|: none \(built --without-redis\))$'
}

@test "cli: no arguments prints usage on stderr and exits 2" {
	run --separate-stderr "$WSX"
	assert_failure 2
	[[ "$stderr" == *"Usage: wsx"* ]]
}

@test "cli: wsx help lists the subcommands" {
	run "$WSX" help
	assert_success
	assert_output --partial "pipe"
	assert_output --partial "serve"
}

@test "cli: wsx help pipe and wsx pipe --help print the same help" {
	run "$WSX" help pipe
	assert_success
	local via_help=$output
	run "$WSX" pipe --help
	assert_success
	[ "$output" = "$via_help" ]
	assert_output --partial "Usage: wsx pipe [options] URL"
	assert_output --partial "--max-message"
}

# on_tty CMD...: run CMD with a terminal for stdout (script(1)), man's pager cat
on_tty() {
	local q
	printf -v q '%q ' "$@"
	MANPAGER=cat PAGER=cat MANWIDTH=80 script -qec "$q" /dev/null </dev/null
}

@test "cli: on a terminal wsx help pipe shows man page wsx-pipe when it is installed, else --help" {
	command -v script >/dev/null || skip "no script(1)"
	command -v man >/dev/null || skip "no man"
	mkdir -p "$BATS_TEST_TMPDIR/man/man1" "$BATS_TEST_TMPDIR/empty/man1"
	cp "$WSX_SRCDIR/man/wsx-pipe.1" "$BATS_TEST_TMPDIR/man/man1/"
	MANPATH="$BATS_TEST_TMPDIR/man" run on_tty "$WSX" help pipe
	assert_success
	assert_output --partial "WSX-PIPE(1)"
	refute_output --partial "Usage: wsx pipe"
	# no page installed: --help
	MANPATH="$BATS_TEST_TMPDIR/empty" run on_tty "$WSX" help pipe
	assert_success
	assert_output --partial "Usage: wsx pipe [options] URL"
	# no man at all: --help
	MANPATH="$BATS_TEST_TMPDIR/man" run on_tty env PATH=/nonexistent "$WSX" help pipe
	assert_success
	assert_output --partial "Usage: wsx pipe [options] URL"
}

@test "cli: an unknown subcommand is one line on stderr and exit 2" {
	run --separate-stderr "$WSX" frobnicate
	assert_failure 2
	[ "$stderr" = "wsx: 'frobnicate' is not a wsx command (see 'wsx help')" ]
}

@test "cli: a misspelt subcommand suggests the nearest, exit 2" {
	run --separate-stderr "$WSX" conect
	assert_failure 2
	[ "$stderr" = "wsx: 'conect' is not a wsx command. Did you mean 'connect'?" ]
	run --separate-stderr "$WSX" relya ws://127.0.0.1:1/
	assert_failure 2
	[ "$stderr" = "wsx: 'relya' is not a wsx command. Did you mean 'relay'?" ]
	run --separate-stderr "$WSX" ben
	assert_failure 2
	[ "$stderr" = "wsx: 'ben' is not a wsx command. Did you mean 'bench'?" ]
	run --separate-stderr "$WSX" help srve
	assert_failure 2
	[ "$stderr" = "wsx: 'srve' is not a wsx command. Did you mean 'serve'?" ]
}

@test "cli: wsx URL with stdin not a terminal is wsx pipe, options after the URL included" {
	start_wsx_echo
	run --separate-stderr bash -c "printf '%s\n' '{\"type\":\"binary\",\"data\":\"AAEC\"}' | '$WSX' '$URL' --jsonl"
	stop_servers
	assert_success
	assert_output --partial '"type":"binary"'
	assert_output --partial '"AAEC"'
	run --separate-stderr bash -c "'$WSX' '$URL' -x hi </dev/null"
	assert_failure 2
	[ "$stderr" = "wsx: unknown option '-x' (see 'wsx pipe --help')" ]
}

@test "cli: ws+unix:, wss://, http:// and https:// first arguments are URLs too" {
	for url in ws+unix:/nonexistent/sock wss://127.0.0.1:1/ \
		http://127.0.0.1:1/ HTTPS://127.0.0.1:1/; do
		run --separate-stderr bash -c "'$WSX' '$url' --bogus </dev/null"
		assert_failure 2
		[ "$stderr" = "wsx: unknown option '--bogus' (see 'wsx pipe --help')" ]
	done
}

@test "cli: an unknown option is one line naming it, exit 2" {
	run --separate-stderr "$WSX" pipe --frobnicate ws://127.0.0.1:1/
	assert_failure 2
	[ "$stderr" = "wsx: unknown option '--frobnicate' (see 'wsx pipe --help')" ]
	run --separate-stderr "$WSX" serve -Z
	assert_failure 2
	[[ "$stderr" == *"unknown option '-Z'"* ]]
}

@test "cli: a missing option value is named, exit 2" {
	run --separate-stderr "$WSX" serve --port
	assert_failure 2
	[[ "$stderr" == *"option '--port' needs a value"* ]]
}

@test "cli: bad option values are named with the option, exit 2" {
	run --separate-stderr "$WSX" pipe --connect-timeout abc ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--connect-timeout: 'abc' is not a number of seconds"* ]]
	run --separate-stderr "$WSX" pipe --max-message 12Q ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--max-message: '12Q' is not a size"* ]]
	run --separate-stderr "$WSX" serve --port 70000
	assert_failure 2
	[[ "$stderr" == *"--port: '70000' is out of range"* ]]
	run --separate-stderr "$WSX" pipe -H 'no colon' ws://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--header"* ]]
}

@test "cli: pipe without a URL, or with two, is a usage error" {
	run --separate-stderr "$WSX" pipe
	assert_failure 2
	[[ "$stderr" == *"missing URL"* ]]
	run --separate-stderr "$WSX" pipe ws://a/ ws://b/
	assert_failure 2
	[[ "$stderr" == *"too many arguments"* ]]
}

@test "cli: a link named wsx-serve runs serve" {
	ln -s "$WSX" "$BATS_TEST_TMPDIR/wsx-serve"
	run "$BATS_TEST_TMPDIR/wsx-serve" --help
	assert_success
	assert_line --index 0 "Usage: wsx serve [options]"
}

@test "cli: every --help fits in 80 columns" {
	local cmd
	for cmd in pipe serve; do
		run "$WSX" "$cmd" --help
		assert_success
		while IFS= read -r line; do
			if [ "${#line}" -gt 80 ]; then
				echo "too wide in $cmd: $line"
				return 1
			fi
		done <<<"$output"
	done
}

@test "cli: --user's password does not stay visible in the process list" {
	start_server silent "$PYTHON" "$HELPERS/raw_server.py"
	"$WSX" pipe -n -u alice:s3cret --connect-timeout 5 "$URL" </dev/null &
	local pid=$! i
	# scrubbed once the options are parsed; a loaded machine may take a
	# moment to get there (0.3 s was not always enough)
	for i in $(seq 1 50); do
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q s3cret || break
		sleep 0.1
	done
	run cat "/proc/$pid/cmdline"
	kill "$pid"
	wait "$pid" || true
	assert_success # still running: its command line was there to read
	assert_output --partial "--connect-timeout"
	refute_output --partial "s3cret"
}

teardown() {
	stop_servers
}
