#!/usr/bin/env bats
# -v as a curl user expects it: the request and the answer's head, the TLS
# session, what was agreed; -vv a line per frame; serve -v each request.
# And refusals that say why: the URL, the status's words, the redirects
# followed, a plain web server named as such, the body's first line.

load helpers

teardown() {
	stop_servers
}

@test "pipe -v: the request (>), the answer (<) and what was agreed (*), like curl -v" {
	start_wsx_echo
	run --separate-stderr bash -c "echo hi | '$WSX' pipe -v -s chat '$URL/room?x=1'"
	assert_success
	assert_output hi
	local port=${URL##*:}
	# the URL gave the address: not said twice
	[[ "$stderr" == *"wsx: * connected to 127.0.0.1:$port"$'\n'* ]]
	[[ "$stderr" == *"wsx: > GET /room?x=1 HTTP/1.1"* ]]
	[[ "$stderr" == *"wsx: > Host: 127.0.0.1:$port"* ]]
	[[ "$stderr" == *"wsx: > Sec-WebSocket-Protocol: chat"* ]]
	[[ "$stderr" == *"wsx: < HTTP/1.1 101 Switching Protocols"* ]]
	[[ "$stderr" == *"wsx: < Sec-WebSocket-Accept: "* ]]
	[[ "$stderr" == *"wsx: * subprotocol chat, no extensions"* ]]
	# without -v none of it
	run --separate-stderr bash -c "echo hi | '$WSX' pipe '$URL'"
	assert_success
	[ -z "$stderr" ]
}

@test "pipe -v over TLS to Python websockets: the TLS version, cipher and the server's certificate" {
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$CERTS"
	start_server py-tls "$PYTHON" "$HELPERS/py_echo_server.py" \
		--tls "$CERTS/server.pem" "$CERTS/server.key"
	local port=${URL##*:}
	run --separate-stderr bash -c "echo hi | '$WSX' pipe -v -w 1 --cacert '$CERTS/ca.pem' 'wss://localhost:$port/'"
	assert_success
	assert_output hi
	# the name and the address it resolved to, as curl -v says them
	[[ "$stderr" == *"wsx: * connected to localhost:$port (127.0.0.1)"* ]]
	[[ "$stderr" =~ "wsx: * TLSv1."[23]" " ]]
	[[ "$stderr" == *"wsx: * certificate verified for localhost"* ]]
	[[ "$stderr" == *"wsx: * subject: "*"CN"* ]]
	[[ "$stderr" == *"wsx: * issuer: "* ]]
	[[ "$stderr" == *"wsx: * expires: "* ]]
	# the request goes out after the TLS session is up, as with curl
	local tls req
	tls=$(grep -n 'wsx: \* TLSv' <<<"$stderr" | head -1 | cut -d: -f1)
	req=$(grep -n 'wsx: > GET ' <<<"$stderr" | head -1 | cut -d: -f1)
	[ "$tls" -lt "$req" ]
	[[ "$stderr" == *"wsx: < HTTP/1.1 101 Switching Protocols"* ]]
	# -k: said plainly that nothing was checked
	run --separate-stderr bash -c "echo hi | '$WSX' pipe -v -k -w 1 'wss://localhost:$port/'"
	assert_success
	[[ "$stderr" == *"wsx: * certificate not verified (--insecure)"* ]]
}

@test "pipe -vv: a line per frame each way, masked from the client" {
	start_wsx_echo
	run --separate-stderr bash -c "echo hello | '$WSX' pipe -vv '$URL'"
	assert_success
	[[ "$stderr" =~ "> frame text, fin, 5 bytes, masked" ]]
	[[ "$stderr" =~ "< frame text, fin, 5 bytes"$'\n' ]]
	[[ "$stderr" =~ "> frame close, fin, 2 bytes, masked" ]]
	run --separate-stderr bash -c "echo hello | '$WSX' pipe -v '$URL'"
	[[ "$stderr" != *"frame text"* ]]
}

@test "serve -v: each request's head, with the peer" {
	start_wsx_echo -v
	echo hi | "$WSX" pipe -H 'X-Trace: 42' "$URL/path" >/dev/null
	curl -s -o /dev/null "http://127.0.0.1:${URL##*:}/plain"
	local log="$BATS_TEST_TMPDIR/wsx-echo.log" i
	for i in $(seq 1 50); do
		grep -q 'GET /plain' "$log" && break
		sleep 0.1
	done
	grep -Eq '^wsx: 127\.0\.0\.1:[0-9]+ > GET /path HTTP/1\.1$' "$log"
	grep -Eq '^wsx: 127\.0\.0\.1:[0-9]+ > X-Trace: 42$' "$log"
	grep -Eq '^wsx: 127\.0\.0\.1:[0-9]+ > GET /plain HTTP/1\.1$' "$log"
}

# start_web_server DIR: Python's plain web server for DIR; its port in $port
start_web_server() {
	port=$(free_port)
	"$PYTHON" -m http.server -b 127.0.0.1 -d "$1" "$port" >/dev/null 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	wait_for_port "$port"
}

@test "a plain web server's 200 is named as such, with the URL" {
	local dir="$BATS_TEST_TMPDIR/www" port
	mkdir -p "$dir"
	echo '<html>hello</html>' >"$dir/index.html"
	start_web_server "$dir"
	run --separate-stderr "$WSX" connect -x hi "ws://127.0.0.1:$port/"
	assert_failure 4
	[[ "$stderr" == "wsx: handshake refused: HTTP 200 OK from ws://127.0.0.1:$port/: not a WebSocket endpoint (it answered as to a plain HTTP request) (the answer says: '<html>hello</html>')" ]]
}

@test "-L says how many redirects it followed and what the last answer was" {
	start_server py-connect "$PYTHON" "$HELPERS/py_connect_server.py" \
		--redirect /site=/site/
	run --separate-stderr "$WSX" connect -L -x hi "$URL/site"
	assert_success
	run --separate-stderr "$WSX" connect -L --max-redirs 0 -x hi "$URL/site"
	assert_failure 4
	[[ "$stderr" == "wsx: handshake refused: HTTP 301 Moved Permanently from $URL/site to /site/ (too many redirects: see --max-redirs)"* ]]
}

@test "-L to a plain web server: 301 to /site/, then 200, is told as the 200 after 1 redirect" {
	# the issue's case: it used to say 'too many redirects', even with
	# --max-redirs 10
	local dir="$BATS_TEST_TMPDIR/www" port max
	mkdir -p "$dir/site"
	echo '<html>site</html>' >"$dir/site/index.html"
	start_web_server "$dir"
	for max in 5 10; do
		run --separate-stderr "$WSX" connect -L --max-redirs "$max" -x hi "ws://127.0.0.1:$port/site"
		assert_failure 4
		assert_equal "$stderr" "wsx: handshake refused: HTTP 200 OK from ws://127.0.0.1:$port/site/ after 1 redirect: not a WebSocket endpoint (it answered as to a plain HTTP request) (the answer says: '<html>site</html>')"
	done
}

@test "bench -v shows the handshake of its first connection only" {
	start_wsx_echo
	run --separate-stderr "$WSX" bench -v -c 5 -d 0.5 "$URL"
	assert_success
	[ "$(grep -c 'wsx: > GET ' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c 'wsx: < HTTP/1.1 101' <<<"$stderr")" -eq 1 ]
}
