#!/usr/bin/env bats
# wsx serve --static: plain HTTP files next to the WebSockets on one port,
# with no way out of the directory, and a real browser using both.

load helpers

setup() {
	WWW="$BATS_TEST_TMPDIR/www"
	mkdir -p "$WWW/sub" "$BATS_TEST_TMPDIR/secret"
	printf '<h1>home</h1>\n' >"$WWW/index.html"
	printf 'body { color: red }\n' >"$WWW/sub/style.css"
	printf 'SECRET\n' >"$BATS_TEST_TMPDIR/secret/key.txt"
	ln -s ../secret/key.txt "$WWW/leak.txt"
	ln -s ../secret "$WWW/leakdir"
	ln -s sub/style.css "$WWW/inside.css"
}

teardown() {
	stop_servers
}

# get PATH [CURL-ARGS...]: "STATUS CONTENT-TYPE" then the body
get() {
	local path=$1
	shift
	curl -s --path-as-is -o "$BATS_TEST_TMPDIR/body" \
		-w '%{http_code} %{content_type}\n' "$@" "http://127.0.0.1:$PORT$path"
	cat "$BATS_TEST_TMPDIR/body"
}

@test "serve --static: files with their types, index.html, and a redirect for a directory" {
	start_wsx_echo --static "$WWW"
	run get /
	assert_line --index 0 "200 text/html; charset=utf-8"
	assert_line --index 1 "<h1>home</h1>"
	run get /sub/style.css
	assert_line --index 0 "200 text/css; charset=utf-8"
	assert_line --index 1 "body { color: red }"
	run get /inside.css
	assert_line --index 0 "200 text/css; charset=utf-8"
	run curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$PORT/sub"
	assert_output "301 http://127.0.0.1:$PORT/sub/"
	run get /sub/
	assert_line --index 0 --regexp '^404 '
	run get /missing.html
	assert_line --index 0 --regexp '^404 '
	run curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/"
	assert_output "405"
	# the WebSocket on the same port still echoes
	run bash -c "echo hi | '$WSX' pipe '$URL/ws'"
	assert_success
	assert_output "hi"
}

@test "serve --static: .., %2e%2e and symlinks out of the directory never reach a file outside" {
	start_wsx_echo --static "$WWW/sub"
	local p
	for p in /../index.html /%2e%2e/index.html /%2e%2e%2findex.html \
		/..%2f..%2fsecret/key.txt /sub/../../secret/key.txt \
		'/%2E%2E/%2E%2E/secret/key.txt'; do
		run get "$p"
		assert_line --index 0 --regexp '^40[34] '
		refute_output --partial home
		refute_output --partial SECRET
	done
	stop_servers
	start_wsx_echo --static "$WWW"
	run get /leak.txt
	assert_line --index 0 --regexp '^403 '
	refute_output --partial SECRET
	run get /leakdir/key.txt
	assert_line --index 0 --regexp '^403 '
	refute_output --partial SECRET
}

@test "serve --static: requests are logged; a bad directory is a usage error" {
	start_wsx_echo --static "$WWW"
	get /nothing >/dev/null
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ GET /nothing: 404$'
	run -2 "$WSX" serve -p 0 --static "$BATS_TEST_TMPDIR/none"
	assert_output "wsx: --static: '$BATS_TEST_TMPDIR/none' is not a readable directory"
}

@test "serve --static: the log names each request's method, a POST as POST, an odd one made printable" {
	start_wsx_echo --static "$WWW"
	run curl -s -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$PORT/"
	assert_output "405"
	run curl -s -o /dev/null -w '%{http_code}' -X PROPFIND "http://127.0.0.1:$PORT/sub/"
	assert_output "405"
	run curl -s -o /dev/null -w '%{http_code}' -X "$(printf 'M%.0s' {1..80})" "http://127.0.0.1:$PORT/"
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ POST /: 405$'
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ PROPFIND /sub/: 405$'
	# a long method is cut, not the line
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ M{1,31} /: [0-9]{3}$'
	refute_output --partial ' - /'
}

@test "serve --static --log-json: a POST's method is POST" {
	start_wsx_echo --static "$WWW" --log-json
	curl -s -o /dev/null -X POST --data x "http://127.0.0.1:$PORT/x"
	run grep '"event":"http"' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output --partial '"method":"POST"'
	assert_output --partial '"status":405'
}

# answer PATH [CURL-ARGS...]: the status line, then the body (no headers)
answer() {
	local path=$1
	shift
	curl -s --path-as-is -D "$BATS_TEST_TMPDIR/head" -o "$BATS_TEST_TMPDIR/body" \
		"$@" "http://127.0.0.1:$PORT$path"
	head -1 "$BATS_TEST_TMPDIR/head" | tr -d '\r'
	grep -i '^content-type:' "$BATS_TEST_TMPDIR/head" | tr -d '\r'
	cat "$BATS_TEST_TMPDIR/body"
}

@test "serve: 426, 301, 404 and 405 say their standard reason, with a plain text body and no link" {
	start_wsx_echo
	run answer /
	assert_line --index 0 "HTTP/1.1 426 Upgrade Required"
	assert_line --index 1 --regexp '^[Cc]ontent-[Tt]ype: text/plain'
	refute_output --regexp '<|href|https?://'
	stop_servers
	start_wsx_echo --static "$WWW"
	run answer /sub
	assert_line --index 0 "HTTP/1.1 301 Moved Permanently"
	refute_output --regexp '<|href'
	run answer /missing.html
	assert_line --index 0 "HTTP/1.1 404 Not Found"
	assert_line --index 1 --regexp '^[Cc]ontent-[Tt]ype: text/plain'
	refute_output --regexp '<|href|https?://'
	run answer / -X POST
	assert_line --index 0 "HTTP/1.1 405 Method Not Allowed"
	refute_output --regexp '<|href|https?://'
}

@test "serve without --static answers plain HTTP with 426 at once" {
	start_wsx_echo
	run timeout 5 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"
	assert_output "426"
}

@test "serve --static --user: the files are behind the credentials too" {
	start_wsx_echo --static "$WWW" --user ann:pw
	run get /
	assert_line --index 0 --regexp '^401 '
	run get / -u ann:pw
	assert_line --index 0 "200 text/html; charset=utf-8"
}

@test "serve --static --compress: headless Chromium loads a page whose WebSocket echoes text and binary, compressed" {
	command -v chromium >/dev/null ||
		skip "chromium is not installed (scripts/bootstrap installs it when it can)"
	cp "$HELPERS/browser/index.html" "$WWW/index.html"
	start_wsx_echo --static "$WWW" --compress
	local try dom
	# --dump-dom snapshots once virtual time runs out; on a loaded machine
	# the WebSocket may not have finished by then, so look up to 3 times
	for try in 1 2 3; do
		dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu \
			--disable-background-networking \
			--user-data-dir="$BATS_TEST_TMPDIR/chromium-$try" \
			--virtual-time-budget=10000 --dump-dom \
			"http://127.0.0.1:$PORT/" 2>/dev/null) || true
		[[ "$dom" == *'id="result">pending'* ]] || break
	done
	run echo "$dom"
	assert_output --partial '<pre id="result">text:héllo from the page
binary:0,1,2,255</pre>'
	run cat "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_line --regexp '^wsx: http 127\.0\.0\.1:[0-9]+ GET /: 200$'
	assert_line --regexp '^wsx: open 127\.0\.0\.1:[0-9]+ /browser \(permessage-deflate\)$'
	assert_line --regexp '^wsx: close 127\.0\.0\.1:[0-9]+ /browser: the client closed the connection: 1000 normal '"'"'done'"'"', .* in 2 msgs 24 bytes, out 2 msgs 24 bytes$'
}
