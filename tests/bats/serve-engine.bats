#!/usr/bin/env bats
# wsx serve on its own protocol engine, HTTP and TLS (src/ws/, src/proto/):
# what a user sees of --compress with Python's websockets and Node's ws as
# clients, of --cacert (mutual TLS) with Python, curl and wsx pipe, of
# --static's HTTP (HEAD, If-Modified-Since, keep-alive and pipelining,
# HTTP/1.0 and Connection: close, bad escapes, big files), of a TLS hello
# on a plain port, and the log lines and exit statuses around them.

load helpers

NODE=/usr/bin/node
PYC="$HELPERS/py_engine_client.py"
NODEC="$HELPERS/node_deflate_client.js"
RAW="$HELPERS/http_raw.py"
# how long a client may take in all; valgrind makes the server far slower
TMO=30
[ -z "${WSX_VALGRIND:-}" ] || TMO=300

teardown() {
	stop_servers
}

# the server's log so far
server_log() { cat "$BATS_TEST_TMPDIR/wsx-echo.log"; }

# wait_for_log PATTERN: until the server's log has a line matching it (10 s)
wait_for_log() {
	local _
	for _ in $(seq 1 200); do
		grep -qE -- "$1" "$BATS_TEST_TMPDIR/wsx-echo.log" && return 0
		sleep 0.05
	done
	return 1
}

# ok_lines SPEC...: the "ok TYPE SIZE KIND" lines the clients print for SPECs
ok_lines() {
	local spec type size kind
	for spec in "$@"; do
		IFS=: read -r type size kind <<<"$spec"
		case $size in
		*M) size=$((${size%M} * 1048576)) ;;
		*k) size=$((${size%k} * 1024)) ;;
		esac
		echo "ok $type $size ${kind:-random}"
	done
}

# assert_compressed MIN TOTAL: the client's "compressed N of M" line has
# M = TOTAL (every echo came) and N >= MIN (the server's frames were
# deflated, so the test cannot pass on an uncompressed stream)
assert_compressed() {
	local line n m
	line=$(grep -E '^compressed [0-9]+ of [0-9]+$' <<<"$output") ||
		fail "no 'compressed N of M' line in: $output"
	read -r _ n _ m <<<"$line"
	[ "$m" -eq "$2" ] || fail "$m messages came back compressed or not, not $2"
	[ "$n" -ge "$1" ] || fail "only $n of the server's $m messages were compressed (at least $1 expected)"
}

# make_www: $WWW with an index, a subdirectory and a 5 MiB random file
make_www() {
	WWW="$BATS_TEST_TMPDIR/www"
	mkdir -p "$WWW/sub"
	printf '<h1>home</h1>\n' >"$WWW/index.html"
	printf 'inside\n' >"$WWW/sub/index.html"
	head -c 5242880 /dev/urandom >"$WWW/big.bin"
}

# raw REQUEST [ARGS...]: http_raw.py against the server on $PORT
raw() {
	run "$PYTHON" "$RAW" "$PORT" "$@"
	assert_success
}

# --- permessage-deflate (RFC 7692) ------------------------------------------

# every size asked for, random and highly compressible, text and binary
PY_MSGS="text:0 text:1 text:1000 text:100000 text:1M text:1M:zeros
binary:0 binary:1 binary:1000 binary:100000 binary:1M binary:1M:zeros"

@test "serve --compress, python websockets client: permessage-deflate in the 101, text and binary of 0 B to 1 MiB echo byte-exact, deflated" {
	start_wsx_echo --compress
	# shellcheck disable=SC2086 # a word list
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" $PY_MSGS
	echo "$output"
	assert_success
	assert_line --index 0 --regexp '^extensions permessage-deflate(;|$)'
	assert_line --index 1 "negotiated permessage-deflate"
	# shellcheck disable=SC2086
	assert_output --partial "$(ok_lines $PY_MSGS)"
	# at least the six messages of 1000 bytes or more came deflated
	assert_compressed 6 12
	assert_line "closed 1000"
}

@test "serve --compress, python websockets client: the same messages again and again (context takeover across messages) echo byte-exact" {
	start_wsx_echo --compress
	# identical messages one after the other: each deflates to back
	# references into the one before, on both sides, so an inflater that
	# forgot the previous message would fail
	local msgs="text:20000 text:20000 text:20000 binary:20000 binary:20000
binary:20000 binary:1M:zeros binary:1M:zeros text:1 text:1 text:1"
	# shellcheck disable=SC2086
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" $msgs
	echo "$output"
	assert_success
	assert_line --index 1 "negotiated permessage-deflate"
	# shellcheck disable=SC2086
	assert_output --partial "$(ok_lines $msgs)"
	assert_compressed 8 11
	run server_log
	assert_line --regexp '^wsx: close 127\.0\.0\.1:[0-9]+ /: the client closed the connection: 1000 normal, [0-9.]+ s, in 11 msgs 2217155 bytes, out 11 msgs 2217155 bytes$'
}

NODE_MSGS="text:0 text:1 text:1000 text:100000 text:1M text:1M:zeros
binary:0 binary:1 binary:1000 binary:100000 binary:1M binary:1M:zeros
binary:64k:periodic binary:64k:periodic text:64k:periodic text:64k:periodic"

# node_deflate OPTIONS-JSON: Node's ws with perMessageDeflate OPTIONS; the
# echoes, and the 101's extension header in $EXT
node_deflate() {
	start_wsx_echo --compress
	# shellcheck disable=SC2086
	run "$NODE" "$NODEC" --timeout "$TMO" "$URL" "$1" $NODE_MSGS
	echo "$output"
	assert_success
	assert_line --index 1 "negotiated permessage-deflate"
	# shellcheck disable=SC2086
	assert_output --partial "$(ok_lines $NODE_MSGS)"
	assert_compressed 12 16
	assert_line "closed 1000"
	EXT=$(sed -n 's/^extensions //p' <<<"$output")
}

@test "serve --compress, node ws client perMessageDeflate: true: text and binary of 0 B to 1 MiB echo byte-exact, deflated" {
	node_deflate true
	[[ "$EXT" =~ ^permessage-deflate(;|$) ]]
}

@test "serve --compress, node ws client with client and server no_context_takeover: both accepted in the 101, identical messages in a row echo byte-exact" {
	node_deflate '{"clientNoContextTakeover":true,"serverNoContextTakeover":true}'
	# ws resets its inflater after every message when the server promised
	# server_no_context_takeover: a server that kept its context would
	# refer back into the previous (identical) message, and ws would fail
	[[ "${EXT,,}" == *server_no_context_takeover* ]]
	[[ "${EXT,,}" == *client_no_context_takeover* ]]
}

@test "serve --compress, node ws client with serverMaxWindowBits 10: server_max_window_bits <= 10 in the 101, 4 KiB-periodic data inflates within a 1 KiB window" {
	node_deflate '{"serverMaxWindowBits":10}'
	# ws inflates with the window the 101 grants: a server deflating with
	# a bigger window refers 4096 bytes back and ws fails the message
	[[ "${EXT,,}" =~ server_max_window_bits=([0-9]+) ]] ||
		fail "no server_max_window_bits in the 101: $EXT"
	[ "${BASH_REMATCH[1]}" -le 10 ] && [ "${BASH_REMATCH[1]}" -ge 8 ]
}

@test "serve without --compress: python and node clients offering permessage-deflate are served, uncompressed, no extension in the 101" {
	start_wsx_echo
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" text:1000 binary:1M:zeros text:0
	echo "$output"
	assert_success
	assert_line --index 0 "extensions -"
	assert_line --index 1 "negotiated -"
	assert_output --partial "$(ok_lines text:1000 binary:1M:zeros text:0)"
	assert_line "compressed 0 of 0"
	run "$NODE" "$NODEC" --timeout "$TMO" "$URL" true text:1000 binary:1M:zeros
	echo "$output"
	assert_success
	assert_line --index 0 "extensions -"
	assert_line --index 1 "negotiated -"
	assert_line "compressed 0 of 2"
}

@test "serve --compress over wss (--cert/--key): python websockets client gets deflated echoes through TLS" {
	local certs="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$certs"
	start_wsx_echo --compress --cert "$certs/server.pem" --key "$certs/server.key"
	[[ "$URL" == wss://127.0.0.1:* ]]
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" --cafile "$certs/ca.pem" text:100000 binary:1M binary:1M:zeros
	echo "$output"
	assert_success
	assert_line --index 1 "negotiated permessage-deflate"
	assert_output --partial "$(ok_lines text:100000 binary:1M binary:1M:zeros)"
	assert_compressed 3 3
}

# --- mutual TLS (--cacert) ------------------------------------------------------

# start_mtls [SERVE-ARGS...]: certificates in $CERTS (with client ones), and
# wsx serve -v requiring client certificates from ca.pem
start_mtls() {
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$CERTS" --clients
	start_wsx_echo -v --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
		--cacert "$CERTS/ca.pem" "$@"
	[[ "$URL" == wss://127.0.0.1:* ]]
}

@test "serve --cacert: a python client with the CA's client certificate gets its echo; without one, or with another CA's, its handshake fails, one line each in the log, and the server keeps serving" {
	start_mtls
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" --cafile "$CERTS/ca.pem" \
		--cert "$CERTS/client.pem" --key "$CERTS/client.key" text:5 binary:70000
	echo "$output"
	assert_success
	assert_output --partial "$(ok_lines text:5 binary:70000)"
	# no certificate
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" --cafile "$CERTS/ca.pem" text:5
	echo "$output"
	assert_failure 3
	refute_output --partial "ok text"
	wait_for_log 'refused 127\.0\.0\.1:[0-9]+: .*certificate'
	# a certificate the CA did not sign
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" --cafile "$CERTS/ca.pem" \
		--cert "$CERTS/other-client.pem" --key "$CERTS/other-client.key" text:5
	echo "$output"
	assert_failure 3
	refute_output --partial "ok text"
	local _
	for _ in $(seq 1 100); do
		[ "$(grep -c 'refused' "$BATS_TEST_TMPDIR/wsx-echo.log")" -ge 2 ] && break
		sleep 0.05
	done
	# still serving, and the good client still gets in
	kill -0 "$LAST_PID"
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" --cafile "$CERTS/ca.pem" \
		--cert "$CERTS/client.pem" --key "$CERTS/client.key" text:3
	assert_success
	run server_log
	echo "$output"
	# one line for each refused client, naming it and the certificate
	run grep -cE '^wsx: refused 127\.0\.0\.1:[0-9]+: .*certificate' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 2
	run grep -c '^wsx: open ' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 2
	# -v also shows each request's head ("PEER > ...")
	run grep -vE '^wsx: (listening|open|close|refused) |^wsx: 127\.0\.0\.1:[0-9]+ > ' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output ""
}

@test "serve --cacert --static: curl with the client certificate gets the files (5 MiB byte-exact) through mTLS; without one it gets nothing" {
	make_www
	start_mtls --static "$WWW"
	local https="https://127.0.0.1:$PORT"
	run curl -sS --cacert "$CERTS/ca.pem" --cert "$CERTS/client.pem" \
		--key "$CERTS/client.key" "$https/"
	assert_success
	assert_output "<h1>home</h1>"
	run curl -sS --cacert "$CERTS/ca.pem" --cert "$CERTS/client.pem" \
		--key "$CERTS/client.key" -o "$BATS_TEST_TMPDIR/big.out" \
		-w '%{http_code} %{size_download}' "$https/big.bin"
	assert_success
	assert_output "200 5242880"
	cmp "$WWW/big.bin" "$BATS_TEST_TMPDIR/big.out"
	# no client certificate: curl fails (TLS alert), no page
	run curl -sS --cacert "$CERTS/ca.pem" "$https/"
	assert_failure
	refute_output --partial home
	run curl -sS --cacert "$CERTS/ca.pem" --cert "$CERTS/other-client.pem" \
		--key "$CERTS/other-client.key" "$https/"
	assert_failure
	refute_output --partial home
	wait_for_log 'refused .*certificate'
	run grep -cE '^wsx: http 127\.0\.0\.1:[0-9]+ GET /(big\.bin)?: 200$' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 2
}

@test "serve --cacert: wsx pipe with --cert/--key gets its echo; without a certificate it fails with exit 5 (TLS) and prints nothing" {
	start_mtls
	run bash -c "echo hi | timeout 20 '$WSX' pipe --cacert '$CERTS/ca.pem' --cert '$CERTS/client.pem' --key '$CERTS/client.key' '$URL'"
	assert_success
	assert_output "hi"
	run --separate-stderr bash -c "echo hi | timeout 20 '$WSX' pipe --cacert '$CERTS/ca.pem' '$URL'"
	echo "stderr: $stderr"
	assert_output ""
	assert_failure 5
}

@test "serve --cacert without --cert is a usage error: exit 2 and one wsx: line; a --cacert that is not a CA file too" {
	local certs="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$certs"
	run -2 "$WSX" serve -p 0 --cacert "$certs/ca.pem"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^wsx: .*--cacert'
	run -2 "$WSX" serve -p 0 --cert "$certs/server.pem" --key "$certs/server.key" \
		--cacert "$BATS_TEST_TMPDIR/none.pem"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^wsx: .*--cacert.*none\.pem"
	run -2 "$WSX" serve -p 0 --cert "$certs/server.pem" --key "$certs/server.key" \
		--cacert "$certs/server.key"
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^wsx: .*--cacert'
}

# --- --static over the engine's HTTP --------------------------------------------

@test "serve --static: HEAD gives the file's headers (its Content-Length) and no body, and the connection stays usable" {
	make_www
	start_wsx_echo --static "$WWW"
	raw 'HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 200 OK"
	assert_line "header content-length: 5242880"
	assert_line --regexp '^header last-modified: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$'
	assert_line "answer 2: HTTP/1.1 200 OK"
	# no body after HEAD's head: the next bytes are the GET's answer
	local first
	first=$(sed -n '/^answer 2/q;/^body /p' <<<"$output")
	[[ "$first" == "body 0 bytes "* ]]
	assert_line "header content-length: 14"
	assert_line --regexp '^body 14 bytes '
	assert_line "trailing 0 bytes"
	refute_output --partial "bad header line"
	run curl -sS -I "http://127.0.0.1:$PORT/index.html"
	assert_success
	assert_line --regexp '^[Cc]ontent-[Ll]ength: 14'
	run server_log
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ HEAD /big\.bin: 200$'
}

# last_modified PATH: the Last-Modified the server sends for PATH
last_modified() {
	curl -sS -I "http://127.0.0.1:$PORT$1" | tr -d '\r' | sed -n 's/^[Ll]ast-[Mm]odified: //p'
}

@test "serve --static: If-Modified-Since equal to its Last-Modified gets 304 and no body; an older date gets 200 and the file" {
	make_www
	start_wsx_echo --static "$WWW"
	local lm
	lm=$(last_modified /index.html)
	[ -n "$lm" ]
	raw "GET /index.html HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: $lm\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT\r\n\r\n"
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 304 Not Modified"
	assert_line "answer 2: HTTP/1.1 200 OK"
	assert_line --regexp '^body 14 bytes '
	assert_line "trailing 0 bytes"
	# the 304 carried no body: nothing between its head and answer 2
	local first
	first=$(sed -n '/^answer 2/q;/^body /p' <<<"$output")
	[[ "$first" == "body 0 bytes "* ]]
	refute_output --partial "bad header line"
	# curl agrees
	run curl -sS -o /dev/null -w '%{http_code} %{size_download}' \
		-H "If-Modified-Since: $lm" "http://127.0.0.1:$PORT/index.html"
	assert_output "304 0"
	run curl -sS -o /dev/null -w '%{http_code} %{size_download}' \
		-H "If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT" "http://127.0.0.1:$PORT/index.html"
	assert_output "200 14"
}

@test "serve --static: a 304 is logged as 304, the status the client got" {
	make_www
	start_wsx_echo --static "$WWW"
	local lm
	lm=$(last_modified /index.html)
	run curl -sS -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lm" \
		"http://127.0.0.1:$PORT/index.html"
	assert_output "304"
	wait_for_log 'GET /index\.html: '
	run grep 'GET /index.html' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ GET /index\.html: 304$'
}

@test "serve --static: two requests on one connection: curl re-uses it, and pipelined requests in one write get their answers in order (200, 301, 404)" {
	make_www
	start_wsx_echo --static "$WWW"
	run curl -sS -v -o /dev/null -o /dev/null \
		"http://127.0.0.1:$PORT/index.html" "http://127.0.0.1:$PORT/sub/"
	assert_success
	assert_output --regexp '[Rr]e-?us(e|ing) (existing )?connection'
	raw 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET /sub HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: x\r\n\r\nGET /missing HTTP/1.1\r\nHost: x\r\n\r\n'
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 200 OK"
	assert_line "answer 2: HTTP/1.1 301 Moved Permanently"
	assert_line --regexp '^header location: (http://127\.0\.0\.1:[0-9]+)?/sub/$'
	assert_line "answer 3: HTTP/1.1 200 OK"
	assert_line "answer 4: HTTP/1.1 404 Not Found"
	assert_line "trailing 0 bytes"
	refute_output --partial "bad header line"
	run server_log
	# one connection: four lines from the same peer address and port
	run bash -c "grep -oE 'http 127\.0\.0\.1:[0-9]+ ' '$BATS_TEST_TMPDIR/wsx-echo.log' | sort | uniq -c | sort -rn | head -1"
	assert_output --regexp '^ *4 http '
	# the 301 still takes curl to the directory's index
	run curl -sS -L "http://127.0.0.1:$PORT/sub"
	assert_output "inside"
}

@test "serve --static: HTTP/1.0, and HTTP/1.1 with Connection: close, get the answer and then the server closes" {
	make_www
	start_wsx_echo --static "$WWW"
	raw 'GET /index.html HTTP/1.0\r\n\r\n' --linger 5
	echo "$output"
	assert_line --index 0 --regexp '^answer 1: HTTP/1\.[01] 200 OK$'
	assert_line --regexp '^body 14 bytes '
	assert_line "trailing 0 bytes"
	assert_line --regexp '^closed after [0-4]\.[0-9] s$'
	raw 'GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' --linger 5
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 200 OK"
	assert_line --regexp '^body 14 bytes '
	assert_line --regexp '^closed after [0-4]\.[0-9] s$'
	# and a keep-alive connection is not closed after its answer
	raw 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n' --linger 1
	assert_line --regexp '^body 14 bytes '
	assert_line --regexp '^open after '
}

@test "serve --static: a request with %00 or a bad percent escape gets 400" {
	make_www
	start_wsx_echo --static "$WWW"
	local t
	for t in /%00 /index.html%00 /a%00b/index.html /%zz /%4 /index.html% /%g0; do
		raw "GET $t HTTP/1.1\r\nHost: x\r\n\r\n"
		assert_line --index 0 "answer 1: HTTP/1.1 400 Bad Request"
		refute_output --partial "home"
	done
	run curl -sS --path-as-is -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/index%2"
	assert_output "400"
	# the server still serves
	run curl -sS "http://127.0.0.1:$PORT/"
	assert_output "<h1>home</h1>"
}

@test "serve --static: a 400 for a bad escape is logged like every other plain HTTP request" {
	make_www
	start_wsx_echo --static "$WWW"
	run curl -sS --path-as-is -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/%00"
	assert_output "400"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/after"
	assert_output "404"
	wait_for_log 'GET /after: 404'
	run server_log
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ GET /.*: 400$'
}

@test "serve --static: a 5 MiB random file downloads byte-exact, also twice at once with one read slowly; 404 and the directory's 301 keep working" {
	make_www
	start_wsx_echo --static "$WWW"
	run curl -sS -o "$BATS_TEST_TMPDIR/big.out" -w '%{http_code} %{size_download}' \
		"http://127.0.0.1:$PORT/big.bin"
	assert_output "200 5242880"
	cmp "$WWW/big.bin" "$BATS_TEST_TMPDIR/big.out"
	# two at once, one of them read slowly, both whole
	curl -sS --limit-rate 2M -o "$BATS_TEST_TMPDIR/slow.out" "http://127.0.0.1:$PORT/big.bin" &
	local slow=$!
	run curl -sS -o "$BATS_TEST_TMPDIR/fast.out" -w '%{http_code}' "http://127.0.0.1:$PORT/big.bin"
	assert_output "200"
	wait "$slow"
	cmp "$WWW/big.bin" "$BATS_TEST_TMPDIR/fast.out"
	cmp "$WWW/big.bin" "$BATS_TEST_TMPDIR/slow.out"
	run curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nothing-here"
	assert_output "404"
	run curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$PORT/sub"
	assert_output "301 http://127.0.0.1:$PORT/sub/"
}

# --- HTTP hygiene ---------------------------------------------------------------

@test "serve: a TLS ClientHello on a plain ws:// port gets a 400 at once, not after --handshake-timeout; wss:// clients fail fast" {
	start_wsx_echo -v --handshake-timeout 30
	run "$PYTHON" "$RAW" "$PORT" --tls-hello --timeout 20
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 400 Bad Request"
	assert_line --regexp '^closed after [0-4]\.[0-9] s$'
	wait_for_log 'refused 127\.0\.0\.1:[0-9]+: .*TLS'
	local t0=$SECONDS
	run timeout 20 curl -sS "https://127.0.0.1:$PORT/"
	assert_failure
	run timeout 20 "$PYTHON" "$PYC" "wss://127.0.0.1:$PORT/"
	assert_failure 3
	[ $((SECONDS - t0)) -lt 10 ]
	# and the server still echoes
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL" text:5
	assert_success
}

@test "serve: every answer (101, 200, 301, 304, 400, 404, 405, 426) is well-formed HTTP; request header names are matched without regard to case" {
	make_www
	start_wsx_echo --static "$WWW"
	local lm req
	lm=$(last_modified /index.html)
	for req in 'GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n' \
		'GET /sub HTTP/1.1\r\nHost: x\r\n\r\n' \
		"GET /index.html HTTP/1.1\r\nHost: x\r\nif-modified-since: $lm\r\n\r\n" \
		'GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n' \
		'GET /none HTTP/1.1\r\nHost: x\r\n\r\n' \
		'DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n'; do
		raw "$req"
		echo "$output"
		assert_line --index 0 --regexp '^answer 1: HTTP/1\.1 [0-9]{3} [A-Z][A-Za-z ]+$'
		refute_output --partial "bad header line"
		assert_line --regexp '^body [0-9]+ bytes '
		assert_line "trailing 0 bytes"
	done
	assert_line --index 0 "answer 1: HTTP/1.1 405 Method Not Allowed"
	# 304 from a lower-case if-modified-since
	raw "GET /index.html HTTP/1.1\r\nhost: x\r\nIF-MODIFIED-SINCE: $lm\r\n\r\n"
	assert_line --index 0 "answer 1: HTTP/1.1 304 Not Modified"
	# an upgrade in odd case gets its 101 with the right accept
	raw 'GET /chat HTTP/1.1\r\nhost: x\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n'
	echo "$output"
	assert_line --index 0 "answer 1: HTTP/1.1 101 Switching Protocols"
	assert_line "header sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
	assert_line --regexp '^header upgrade: [Ww]eb[Ss]ocket$'
	assert_line --regexp '^header connection: ([Uu]pgrade)$'
	refute_output --partial "bad header line"
	stop_servers
	# without --static: 426, well-formed too
	start_wsx_echo
	raw 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'
	assert_line --index 0 "answer 1: HTTP/1.1 426 Upgrade Required"
	assert_line "header upgrade: websocket"
	refute_output --partial "bad header line"
}

# --- logs and exit statuses ---------------------------------------------------------

@test "serve: logs stay as documented: listening, open, close, http lines; exit 0 on SIGTERM, 1 when the port is taken, 2 for a bad option, each failure one wsx: line" {
	make_www
	start_wsx_echo --static "$WWW" --compress
	local server=$LAST_PID
	run "$PYTHON" "$PYC" --timeout "$TMO" "$URL/room?a=1" text:3 binary:4
	assert_success
	curl -sS -o /dev/null "http://127.0.0.1:$PORT/index.html"
	wait_for_log ': close '
	wait_for_log 'GET /index\.html'
	run server_log
	echo "$output"
	assert_line --index 0 "wsx: listening on ws://127.0.0.1:$PORT"
	assert_line --regexp '^wsx: open 127\.0\.0\.1:[0-9]+ /room\?a=1 \(permessage-deflate\)$'
	assert_line --regexp '^wsx: close 127\.0\.0\.1:[0-9]+ /room\?a=1: the client closed the connection: 1000 normal, [0-9.]+ s, in 2 msgs 7 bytes, out 2 msgs 7 bytes$'
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ GET /index\.html: 200$'
	run grep -v '^wsx: ' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output ""
	# the port is taken: exit 1, one line
	run "$WSX" serve -p "$PORT"
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_output --regexp "^wsx: .*$PORT"
	# a bad option: exit 2, one line
	run -2 "$WSX" serve -p 0 --compress=yes
	assert_equal "${#lines[@]}" 1
	assert_output --regexp '^wsx: '
	kill -TERM "$server"
	local rc=0
	wait "$server" || rc=$?
	assert_equal "$rc" 0
}
