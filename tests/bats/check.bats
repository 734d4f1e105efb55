#!/usr/bin/env bats
# wsx check: the conformance checker passes wsx's own server, passes the
# peers nobody here wrote except for the differences wsx-check(1) lists,
# and catches each mistake of tests/helpers/broken_ws_server.py, no more.

load helpers

teardown() {
	stop_servers
}

BROKEN="$HELPERS/broken_ws_server.py"

# check_json ARGS...: wsx check --json ARGS $URL into $BATS_TEST_TMPDIR/r.json
check_json() {
	run --separate-stderr "$WSX" check --json "$@" "$URL"
	REPORT="$BATS_TEST_TMPDIR/r.json"
	printf '%s\n' "$output" >"$REPORT"
}

# ids VERDICT: the ids with this verdict in $REPORT, space-separated
ids() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[2]))
print(" ".join(c["id"] for c in d["cases"] if c["verdict"] == sys.argv[1]))' "$1" "$REPORT"
}

@test "check: wsx serve --echo passes every case" {
	start_wsx_echo
	check_json
	assert_success
	assert_equal "$(ids fail)" ""
	# the two where the RFC leaves the choice: wsx refuses non-minimal lengths
	assert_equal "$(ids info)" "1.3.1 1.3.2"
	if [ -z "${WSX_REAL:-}" ]; then
		assert_equal "$(ids non-strict)" ""
	fi
}

@test "check: Python websockets passes but for the version header it does not send (0.9)" {
	start_server py "$PYTHON" "$HELPERS/py_echo_server.py"
	check_json
	assert_failure 1
	# RFC 6455 4.4: a refused version MUST be answered with the versions
	# the server speaks; websockets answers 400 without them
	assert_equal "$(ids fail)" "0.9"
	# 400 not 426; no size limit in the helper, so it waits for 2^63
	# bytes; UTF-8 checked once a frame is whole
	assert_equal "$(ids non-strict)" "0.2 1.3.3 6.5.2"
}

@test "check: Node ws passes but for the version header it does not send (0.9)" {
	start_server node node "$HELPERS/node_echo_server.js"
	check_json
	assert_failure 1
	assert_equal "$(ids fail)" "0.9"
	# 400 not 426; UTF-8 checked once a message is whole
	assert_equal "$(ids non-strict)" "0.2 6.5.1 6.5.2"
	# a GET without Upgrade is plain HTTP, which this http server leaves
	# unanswered
	[[ " $(ids info) " == *" 0.8 "* ]]
}

@test "check: a server with no mistake passes every case" {
	start_server right "$PYTHON" "$BROKEN"
	check_json --skip 9
	assert_success
	assert_equal "$(ids fail)" ""
}

@test "check: each mistake of the broken server fails exactly its cases" {
	local mode want
	while read -r mode want; do
		start_server "$mode" "$PYTHON" "$BROKEN" --mode "$mode"
		check_json --skip 9 --timeout 1
		assert_failure 1
		[ "$(ids fail)" = "$want" ] ||
			fail "--mode $mode: fails '$(ids fail)', not '$want'"
		stop_servers
	done <<-'EOF2'
		wrong-accept-key 0.1
		no-version-header 0.9
		accept-rsv 3.1 3.2 3.3 3.4 3.5 3.6
		no-pong 2.1 2.2 2.3 2.5 2.8 2.9 5.5 5.6
		accept-bad-utf8 6.2.1 6.2.2 6.2.3 6.2.4 6.2.5 6.2.6 6.2.7 6.2.8 6.2.9 6.2.10 6.2.11 6.4.1 6.4.2 6.4.3 6.4.4 6.4.5 6.4.6 6.5.1 6.5.2
		no-close-reply 5.13 7.1.1 7.1.2 7.1.3 7.1.4 7.1.5 7.2.2 7.2.3 7.3.1 7.3.2 7.3.3 7.3.4 7.3.5 7.3.6 7.3.7 7.3.8 7.3.9 7.3.10 7.3.11 7.3.12
		accept-bad-close-code 7.4.1 7.4.2 7.4.3 7.4.4 7.4.5 7.4.6 7.4.7 7.4.8 7.4.9 7.4.10 7.4.11 7.4.12
	EOF2
}

@test "check: a failure in the table says what was expected and what came" {
	start_server rsv "$PYTHON" "$BROKEN" --mode accept-rsv
	run --separate-stderr "$WSX" check --case 3.1 "$URL"
	assert_failure 1
	assert_line --regexp '^  3\.1 +fail +text with RSV1 set'
	assert_line --regexp '^ +expected: close 1002$'
	assert_line --regexp '^ +got: a text message of 8 bytes$'
	assert_line --regexp '^1 cases: 0 pass, 1 fail, 0 non-strict, 0 info, 0 skipped \('
}

@test "check: --json counts are the table's, case by case" {
	start_server rsv "$PYTHON" "$BROKEN" --mode accept-rsv
	check_json --case 2 --case 3
	assert_failure 1
	run "$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert s["cases"] == len(d["cases"]) == 16, s
for v in ("pass", "fail", "non-strict", "info", "skipped"):
    assert s[v] == sum(c["verdict"] == v for c in d["cases"]), v
for c in d["cases"]:
    assert set(c) == {"id", "group", "section", "description", "verdict",
                      "expected", "got", "ms"}, c
print(s["pass"], s["fail"])' "$REPORT"
	assert_success
	assert_output "10 6"
	run --separate-stderr "$WSX" check --case 2 --case 3 "$URL"
	assert_line --regexp '^16 cases: 10 pass, 6 fail, 0 non-strict, 0 info, 0 skipped'
}

@test "check: --junit writes well-formed XML with a failure per failed case" {
	start_server utf8 "$PYTHON" "$BROKEN" --mode accept-bad-utf8
	run --separate-stderr "$WSX" check --case utf8 --case 0.1 --no-echo \
		--junit "$BATS_TEST_TMPDIR/j.xml" "$URL"
	assert_failure 1
	run "$PYTHON" -c 'import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert sorted(suites) == ["handshake", "utf8"], sorted(suites)
fails = root.findall(".//failure")
assert int(root.get("failures")) == len(fails) == 19, root.get("failures")
skips = root.findall(".//skipped")
assert int(root.get("skipped")) == len(skips) > 0
assert int(suites["utf8"].get("failures")) == 19
print(fails[0].get("message"))' "$BATS_TEST_TMPDIR/j.xml"
	assert_success
	assert_output "expected close 1007; got a text message of 1 bytes"
}

@test "check: --case and --skip select by id glob, prefix and group" {
	run "$WSX" check --list --case 6.2 --skip 6.2.1 --skip '6.2.1?'
	assert_success
	assert_equal "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" \
		"6.2.2 6.2.3 6.2.4 6.2.5 6.2.6 6.2.7 6.2.8 6.2.9 "
	run "$WSX" check --list --case close --skip '7.[34]*'
	assert_success
	assert_equal "${#lines[@]}" 10
	run --separate-stderr "$WSX" check --case nothing-like-this ws://127.0.0.1:9/
	assert_failure 2
}

@test "check: --no-echo skips the cases that need an echo and passes a broadcast server" {
	start_wsx_echo --broadcast
	check_json --no-echo
	assert_success
	assert_equal "$(ids fail)" ""
	[ -n "$(ids skipped)" ]
	assert_equal "$(ids skipped | wc -w)" "$("$WSX" check --list | grep -c '\[echo\]$')"
}

@test "check: an unreachable server exits 3, a refused handshake 4, a ws+unix: URL 2" {
	local port
	port=$(free_port)
	run --separate-stderr "$WSX" check "ws://127.0.0.1:$port/"
	assert_failure 3
	[[ "$stderr" == *"cannot connect to 127.0.0.1:$port"* ]]
	start_server http "$PYTHON" "$HELPERS/http_status_server.py" 404
	run --separate-stderr "$WSX" check "$URL"
	assert_failure 4
	[[ "$stderr" == *"handshake refused: HTTP 404"* ]]
	run --separate-stderr "$WSX" check ws+unix:/nonexistent.sock
	assert_failure 2
}

@test "check: wss:// with --cacert passes wsx serve --cert; an untrusted certificate exits 5, -k accepts it" {
	local certs="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$certs"
	start_wsx_echo --cert "$certs/server.pem" --key "$certs/server.key"
	[[ "$URL" == wss://* ]]
	check_json --cacert "$certs/ca.pem" --skip 9
	assert_success
	assert_equal "$(ids fail)" ""
	run --separate-stderr "$WSX" check --case 1.1 "$URL"
	assert_failure 5
	[[ "$stderr" == *"TLS handshake with 127.0.0.1 failed"* ]]
	run --separate-stderr "$WSX" check -k --case 1.1 "$URL"
	assert_success
	assert_line --regexp '^8 cases: 8 pass, 0 fail'
	run --separate-stderr "$WSX" check --cacert /nonexistent/ca.pem "$URL"
	assert_failure 2
}

@test "check: wss:// against Python websockets fails only 0.9, as over ws://" {
	local certs="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$certs"
	start_server py "$PYTHON" "$HELPERS/py_echo_server.py" --tls "$certs/server.pem" "$certs/server.key"
	check_json --cacert "$certs/ca.pem" --skip 9
	assert_failure 1
	assert_equal "$(ids fail)" "0.9"
}

@test "check: --compress passes permessage-deflate on wsx serve --compress, Python websockets and Node ws" {
	start_wsx_echo --compress
	check_json --compress --case compression
	assert_success
	assert_equal "$(ids pass | wc -w)" 14
	stop_servers
	start_server py "$PYTHON" "$HELPERS/py_echo_server.py"
	check_json --compress --case compression
	assert_success
	assert_equal "$(ids pass | wc -w)" 14
	stop_servers
	start_server node node "$HELPERS/node_echo_server.js" --deflate
	check_json --compress --case compression
	assert_success
	assert_equal "$(ids pass | wc -w)" 14
}

@test "check: without --compress no deflate case runs; a server that declines it gets info" {
	run "$WSX" check --list
	assert_success
	refute_output --regexp '^1[23]\.'
	start_wsx_echo
	check_json --compress --case 12.1 --case 13.1 --case 12.4
	assert_success
	assert_equal "$(ids info)" "12.1 13.1"
	assert_equal "$(ids pass)" "12.4"
}

@test "check: on a terminal a progress line counts the cases on stderr, coloured verdicts unless NO_COLOR" {
	start_wsx_echo
	local shown="$BATS_TEST_TMPDIR/shown"
	run "$PYTHON" "$HELPERS/pty_run.py" --timeout 60 --out "$shown" -- \
		"$WSX" check --case 1.1 "$URL"
	assert_success
	grep -q $'\r\e\\[K\\[  1/8\\] 1\\.1\\.1 ' "$shown"
	grep -q $'\\[  8/8\\] 1\\.1\\.8 ' "$shown"
	grep -q $'\e\\[32mpass' "$shown"
	run "$PYTHON" "$HELPERS/pty_run.py" --timeout 60 --out "$shown" -- \
		env NO_COLOR=1 "$WSX" check -q --case 1.1 "$URL"
	assert_success
	! grep -q $'\e\\[' "$shown"
}
