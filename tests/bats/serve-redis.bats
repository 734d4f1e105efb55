#!/usr/bin/env bats
# serve --broadcast --redis: rooms shared by several wsx serve instances
# through a redis-server each test starts on a loopback port, without
# persistence, and stops. The clients are Python websockets
# (tests/helpers/py_rooms_check.py); subscriptions are read with redis-cli.

load helpers

REDIS_PIDS=()

setup() {
	command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
		skip "redis-server and redis-cli are not installed (scripts/bootstrap installs them)"
	"$WSX" --version | grep -q '^hiredis [0-9]' ||
		skip "this wsx was built without Redis (configure --without-redis)"
}

teardown() {
	stop_servers
	local pid
	[ ! -f "$BATS_TEST_TMPDIR/redis.pid" ] ||
		REDIS_PIDS+=("$(cat "$BATS_TEST_TMPDIR/redis.pid")")
	for pid in "${REDIS_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null || true
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

# the command line of this test's redis-server (port $RPORT), extra args after
redis_command() {
	echo redis-server --port "$RPORT" --bind 127.0.0.1 --save "''" \
		--appendonly no --dir "$BATS_TEST_TMPDIR" "$@"
}

# start_redis [ARGS...]: our own redis-server on a free port; sets RPORT
start_redis() {
	RPORT=$(free_port)
	redis-server ${REDIS_CONF:+"$REDIS_CONF"} --port "$RPORT" --bind 127.0.0.1 \
		--save '' --appendonly no --dir "$BATS_TEST_TMPDIR" "$@" \
		>>"$BATS_TEST_TMPDIR/redis.log" 2>&1 &
	REDIS_PIDS+=("$!")
	wait_for_port "$RPORT" || {
		cat "$BATS_TEST_TMPDIR/redis.log" >&2
		return 1
	}
}

# start_instance NAME ARGS...: a wsx serve --broadcast sharing rooms through
# this test's Redis; its URL in $URL, all of them in $URLS (comma-separated)
start_instance() {
	local name=$1
	shift
	start_server "$name" "$WSX" serve -p 0 --broadcast \
		--redis "redis://127.0.0.1:$RPORT" "$@"
	wait_log "$BATS_TEST_TMPDIR/$name.log" 'rooms shared through\|"state":"up"'
	URLS=${URLS:+$URLS,}$URL
}

# wait_log FILE PATTERN: until grep finds it (20 s)
wait_log() {
	local _
	for _ in $(seq 1 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "never in $1: $2" >&2
	cat "$1" >&2
	return 1
}

rooms_check() {
	run timeout 120 "$PYTHON" "$HELPERS/py_rooms_check.py" "$@"
}

@test "serve --redis: two instances, each message reaches every client of its room exactly once, other rooms nothing" {
	start_redis
	start_instance a
	start_instance b
	rooms_check spread "$URLS" "$RPORT" lobby:4 chat/a:3 chat/b:2 solo:1
	echo "$output"
	assert_success
	assert_equal "$(grep -c '^ok' <<<"$output")" 10
}

@test "serve --redis --echo-self: three instances, the sender gets its own message once, the others once" {
	start_redis
	start_instance a --echo-self
	start_instance b --echo-self
	start_instance c --echo-self
	rooms_check spread "$URLS" "$RPORT" room:6 other:3 --echo-self
	echo "$output"
	assert_success
	assert_equal "$(grep -c '^ok' <<<"$output")" 9
}

@test "serve --redis: text stays text and binary binary, byte-exact up to --max-message, one sender's order kept" {
	start_redis
	start_instance a --max-message 4194304
	start_instance b --max-message 4194304
	rooms_check exact "$URLS" "$RPORT" 0,1,125,126,65535,65536,1048576,4194304
	echo "$output"
	assert_success
	assert_line "ok text 4194304 bytes, same type and bytes"
	assert_line "ok binary 4194304 bytes, same type and bytes"
	assert_line "ok 500 messages in the order sent"
}

@test "serve --redis: an instance subscribes to a room's channel while it has clients there, and only then" {
	start_redis
	start_instance a
	start_instance b
	rooms_check follow "$URLS" "$RPORT"
	echo "$output"
	assert_success
	assert_line "ok subscribed while a room has clients there, not after"
}

@test "serve --redis: Redis stops and starts again: rooms stay local meanwhile, one line each way, then shared again" {
	start_redis
	start_instance a --log-json
	start_instance b
	rooms_check restart "$URLS" "$RPORT" "$BATS_TEST_TMPDIR/a.log" \
		"$BATS_TEST_TMPDIR/b.log" "$BATS_TEST_TMPDIR/redis.pid" \
		redis-server --port "$RPORT" --bind 127.0.0.1 --save '' \
		--appendonly no --dir "$BATS_TEST_TMPDIR"
	echo "$output"
	assert_success
	# the text log: one line when Redis went, one when it came back
	cat "$BATS_TEST_TMPDIR/b.log"
	assert_equal "$(grep -c 'wsx: redis: lost redis://127.0.0.1:' "$BATS_TEST_TMPDIR/b.log")" 1
	assert_equal "$(grep -c 'is back after .* s; rooms are shared again$' "$BATS_TEST_TMPDIR/b.log")" 1
	# --log-json: the same events, with what the outage cost (a's client
	# sent one message while Redis was away)
	run grep '"event":"redis"' "$BATS_TEST_TMPDIR/a.log"
	echo "$output"
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --partial '"state":"up","url":"redis://127.0.0.1:'"$RPORT"'","first":true}'
	assert_line --index 1 --partial '"state":"down","url":"redis://127.0.0.1:'"$RPORT"'","error":"Server closed the connection","first":false}'
	assert_line --index 2 --regexp '"state":"up",.*"first":false,"away_seconds":[0-9.]+,"lost":1}$'
}

@test "serve --redis: with Redis stopped (SIGSTOP) a client's messages still reach its room on the instance at once" {
	start_redis
	start_instance a
	rooms_check behind "$URL" "$RPORT" "${REDIS_PIDS[0]}" 1200 65536
	echo "$output"
	assert_success
	assert_line --partial "ok 1200 messages of 65536 bytes reached the client on the same instance"
	# 75 MiB could not all wait for Redis: the rest stayed here, and
	# once Redis took what waited wsx said how many
	wait_log "$BATS_TEST_TMPDIR/a.log" 'is not keeping up; new messages reach this instance only'
	wait_log "$BATS_TEST_TMPDIR/a.log" 'caught up; [0-9]* messages reached this instance only'
}

@test "serve --redis: Redis not there at start: serve starts, says so once, and shares rooms once Redis answers" {
	RPORT=$(free_port)
	start_server a "$WSX" serve -p 0 --broadcast --redis "redis://127.0.0.1:$RPORT"
	URLS=$URL
	wait_log "$BATS_TEST_TMPDIR/a.log" "redis: redis://127.0.0.1:$RPORT: Connection refused; rooms are local to this instance until it answers"
	start_server b "$WSX" serve -p 0 --broadcast --redis "redis://127.0.0.1:$RPORT"
	URLS=$URLS,$URL
	redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/redis.log" 2>&1 &
	REDIS_PIDS+=("$!")
	wait_log "$BATS_TEST_TMPDIR/a.log" "rooms shared through redis://127.0.0.1:$RPORT"
	wait_log "$BATS_TEST_TMPDIR/b.log" "rooms shared through redis://127.0.0.1:$RPORT"
	rooms_check spread "$URLS" "$RPORT" late:2
	echo "$output"
	assert_success
	assert_equal "$(grep -c 'Connection refused' "$BATS_TEST_TMPDIR/a.log")" 1
}

@test "serve --redis: other publishers reach the room (text if UTF-8, else binary); --redis-prefix names the channels" {
	start_redis
	start_instance a --redis-prefix app
	"$PYTHON" - "$URL" "$RPORT" <<-'PY' >"$BATS_TEST_TMPDIR/out" 2>&1 &
		import asyncio, subprocess, sys, time, websockets
		async def main(url, rport):
		    ws = await websockets.connect(url + "/news")
		    for _ in range(200):
		        n = subprocess.run(["redis-cli", "-p", rport, "PUBSUB", "NUMSUB",
		                            "app:room:/news"], capture_output=True,
		                           text=True).stdout.split()
		        if n[1:] == ["1"]:
		            break
		        time.sleep(0.05)
		    subprocess.run(["redis-cli", "-p", rport, "PUBLISH", "app:room:/news",
		                    "caf\u00e9"], capture_output=True)
		    subprocess.run(["redis-cli", "-p", rport, "-x", "PUBLISH",
		                    "app:room:/news"], input=b"\xff\x00",
		                   capture_output=True)
		    for _ in range(2):
		        print(repr(await asyncio.wait_for(ws.recv(), 10)))
		asyncio.run(main(sys.argv[1], sys.argv[2]))
	PY
	local pid=$!
	wait "$pid"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_line --index 0 "'café'"
	assert_line --index 1 "b'\\xff\\x00'"
}

@test "serve --redis unix:PATH: rooms shared through a unix socket" {
	local sock="$BATS_TEST_TMPDIR/redis.sock"
	redis-server --port 0 --unixsocket "$sock" --save '' --appendonly no \
		--dir "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/redis.log" 2>&1 &
	REDIS_PIDS+=("$!")
	for _ in $(seq 1 100); do
		[ -S "$sock" ] && break
		sleep 0.05
	done
	start_server a "$WSX" serve -p 0 --broadcast --redis "unix:$sock"
	URLS=$URL
	start_server b "$WSX" serve -p 0 --broadcast --redis "unix://$sock"
	URLS=$URLS,$URL
	wait_log "$BATS_TEST_TMPDIR/b.log" "rooms shared through unix://$sock"
	rooms_check spread "$URLS" "$sock" u:3
	echo "$output"
	assert_success
}

@test "serve --redis: AUTH with a password or USER:PASSWORD; a wrong one is refused in one line; the password stays out of ps" {
	# ACL users come from a configuration file, not the command line
	echo 'user alice on >pa@ss ~* &* +@all' >"$BATS_TEST_TMPDIR/redis.conf"
	REDIS_CONF=$BATS_TEST_TMPDIR/redis.conf start_redis --requirepass s3cret
	start_server a "$WSX" serve -p 0 --broadcast --redis "redis://:s3cret@127.0.0.1:$RPORT/2"
	URLS=$URL
	local pid=$LAST_PID
	wait_log "$BATS_TEST_TMPDIR/a.log" "rooms shared through redis://:\*\*\*@127.0.0.1:$RPORT/2"
	# (under valgrind /proc shows valgrind's own command line, which wsx
	# cannot scrub)
	if [ -z "${WSX_REAL:-}" ]; then
		run tr '\0' ' ' <"/proc/$pid/cmdline"
		refute_output --partial s3cret
		assert_output --partial "redis://:******@127.0.0.1:$RPORT/2"
	fi
	start_server b "$WSX" serve -p 0 --broadcast --redis "redis://alice:pa%40ss@127.0.0.1:$RPORT"
	URLS=$URLS,$URL
	wait_log "$BATS_TEST_TMPDIR/b.log" "rooms shared through redis://alice:\*\*\*@127.0.0.1:$RPORT"
	REDISCLI_AUTH=s3cret rooms_check spread "$URLS" "$RPORT" auth:2
	assert_success
	start_server c "$WSX" serve -p 0 --broadcast --redis "redis://alice:wrong@127.0.0.1:$RPORT"
	wait_log "$BATS_TEST_TMPDIR/c.log" "redis: redis://alice:\*\*\*@127.0.0.1:$RPORT: AUTH refused: WRONGPASS"
	run grep -c 'wrong' "$BATS_TEST_TMPDIR/c.log"
	assert_output 0
}

@test "serve --redis: usage errors say what is wrong in one line and exit 2, with the password hidden" {
	run --separate-stderr "$WSX" serve --redis redis://127.0.0.1:1
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis and --redis-prefix go with --broadcast (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis-prefix x
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis-prefix goes with --redis (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis http://127.0.0.1/
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis: 'http://127.0.0.1/' is not a Redis URL: expected redis://HOST[:PORT] or unix:/PATH (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis 'redis://u:hunter2@h:99999'
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis: 'redis://u:***@h:99999' is not a Redis URL: port not in 1..65535 (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis 'rediss://h'
	assert_failure 2
	assert_output ""
	assert_equal "$stderr" "wsx: --redis: 'rediss://h' is not a Redis URL: TLS to Redis (rediss://) is not supported; use a local TLS tunnel or unix: (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis 'redis://h/zero'
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis: 'redis://h/zero' is not a Redis URL: the path must be a database number (see 'wsx serve --help')"
	run --separate-stderr "$WSX" serve --broadcast --redis 'redis://h' --redis-prefix 'a b'
	assert_failure 2
	assert_equal "$stderr" "wsx: --redis-prefix: expected a name without blanks (see 'wsx serve --help')"
}
