# Shared by the bats suites: find wsx, start servers on free loopback ports
# (port 0, read back from their "listening on ws://HOST:PORT" line) and stop
# them by PID in teardown.

bats_require_minimum_version 1.5.0

: "${WSX:=$BATS_TEST_DIRNAME/../../wsx}"
: "${WSX_SRCDIR:=$BATS_TEST_DIRNAME/../..}"
HELPERS="$WSX_SRCDIR/tests/helpers"
# Debian's python3-websockets is installed for /usr/bin/python3, which may
# not be the first python3 on PATH.
PYTHON=/usr/bin/python3
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}

load_bats_libs() {
	local d
	for d in /usr/lib/bats /usr/lib/bats-core /usr/share/bats; do
		if [ -f "$d/bats-support/load.bash" ]; then
			load "$d/bats-support/load.bash"
			load "$d/bats-assert/load.bash"
			return
		fi
	done
	echo "bats-support/bats-assert not found" >&2
	return 1
}
load_bats_libs

SERVER_PIDS=()

# start_server LOGNAME CMD... : run CMD in the background, wait for its
# "listening on ws://HOST:PORT" line on stderr or stdout, set $PORT and $URL.
start_server() {
	local name=$1
	shift
	local log="$BATS_TEST_TMPDIR/$name.log"
	"$@" >"$log" 2>&1 &
	local pid=$!
	SERVER_PIDS+=("$pid")
	local i line
	for i in $(seq 1 100); do
		# the text log, or serve --log-json's
		line=$(grep -m1 -oE 'listening on (wss?|tcp)://[^ ]*|"url":"wss?://[^"]*' \
			"$log" 2>/dev/null) || true
		if [ -n "$line" ]; then
			URL=${line#listening on }
			URL=${URL#\"url\":\"}
			PORT=${URL##*:}
			PORT=${PORT%%/*}
			LAST_PID=$pid
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "server '$name' exited early:" >&2
			cat "$log" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "server '$name' did not announce its port:" >&2
	cat "$log" >&2
	return 1
}

# stop_servers: SIGTERM every server this test started, SIGKILL stragglers.
stop_servers() {
	local pid
	for pid in "${SERVER_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${SERVER_PIDS[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	SERVER_PIDS=()
}

start_wsx_echo() {
	start_server wsx-echo "$WSX" serve -p 0 "$@"
}

# free_port: a loopback port nobody listens on right now
free_port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT: until something accepts connections on it (5 s)
wait_for_port() {
	local _
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# Bytes of a file, portable.
file_size() { stat -c %s "$1"; }
