#!/usr/bin/env bats
# WebSocket clients through proxies: --proxy URL and the environment
# (http_proxy, https_proxy, ALL_PROXY, --noproxy), with SOCKS5 proxies
# (socks5:// sends an address, socks5h:// the name; RFC 1928, RFC 1929
# credentials) and HTTP CONNECT proxies (Basic credentials, 403, 407; an
# https:// proxy speaks TLS itself), against `wsx serve` echoes on loopback.
# Proxy failures are exit 3 with one line; usage errors exit 2.

load helpers

setup() {
	# the tests say which proxy they want: none from the caller's environment
	unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
}

teardown() {
	stop_servers
}

# start_echo [ARGS...]: wsx serve --echo; $ECHO_PORT
start_echo() {
	start_wsx_echo --echo "$@"
	ECHO_PORT=$PORT
}

# start_socks NAME [ARGS...]: socks5_proxy.py; $SOCKS_PORT, its log NAME.log
start_socks() {
	local name=$1
	shift
	start_server "$name" "$PYTHON" "$HELPERS/socks5_proxy.py" --timeout 30 "$@"
	SOCKS_PORT=$PORT
}

# start_http_proxy NAME [ARGS...]: connect_proxy.py; $HTTP_PORT, NAME.log
start_http_proxy() {
	local name=$1
	shift
	start_server "$name" "$PYTHON" "$HELPERS/connect_proxy.py" --timeout 30 "$@"
	HTTP_PORT=$PORT
}

certs() {
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$CERTS"
}

# log NAME: the proxy's log
log() { cat "$BATS_TEST_TMPDIR/$1.log"; }

# count NAME REGEX: lines of the proxy's log that match
count() { grep -cE "$2" "$BATS_TEST_TMPDIR/$1.log" || true; }

# one_line: the failure was told in exactly one "wsx: ..." line
one_line() {
	[ "${#stderr_lines[@]}" -eq 1 ] || {
		echo "expected one line on stderr, got:" >&2
		printf '%s\n' "$stderr" >&2
		return 1
	}
	[[ "${stderr_lines[0]}" == "wsx: "* ]]
}

@test "proxy: socks5h:// sends the name (ATYP 3), socks5:// an address (ATYP 1, 4 for IPv6)" {
	start_echo
	start_socks socks
	run --separate-stderr "$WSX" pipe --proxy "socks5h://127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"by name"
	assert_success
	assert_output "by name"
	log socks | grep -qx "CONNECT atyp=3 localhost:$ECHO_PORT"
	run --separate-stderr "$WSX" pipe --proxy "socks5://127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"by address"
	assert_success
	assert_output "by address"
	log socks | grep -qx "CONNECT atyp=1 127.0.0.1:$ECHO_PORT"
	[ "$(count socks '^CONNECT')" -eq 2 ]
	[ "$(count socks '^reply 0x00$')" -eq 2 ]
	# an IPv6 target goes as an IPv6 address
	start_echo --host ::1
	run --separate-stderr "$WSX" pipe --proxy "socks5://127.0.0.1:$SOCKS_PORT" \
		"ws://[::1]:$ECHO_PORT/" <<<"by v6 address"
	assert_success
	assert_output "by v6 address"
	log socks | grep -qx "CONNECT atyp=4 \[::1\]:$ECHO_PORT"
}

@test "proxy: SOCKS5 credentials (RFC 1929): right ones pass, wrong or none exit 3; a refusing proxy exit 3" {
	start_echo
	start_socks socks --user al --password 'p@ss:w'
	# percent-encoded in the URL, sent decoded
	run --separate-stderr "$WSX" pipe --proxy "socks5h://al:p%40ss%3Aw@127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"signed in"
	assert_success
	assert_output "signed in"
	log socks | grep -qx "auth al ok"
	run --separate-stderr "$WSX" pipe --proxy "socks5h://al:wrong@127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"x"
	assert_failure 3
	assert_output ""
	one_line
	[[ "$stderr" == *"refused the user name or password"* ]]
	log socks | grep -qx "auth al refused"
	run --separate-stderr "$WSX" pipe --proxy "socks5h://127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"x"
	assert_failure 3
	one_line
	[[ "$stderr" == *"user name and password"* ]]
	[ "$(count socks '^CONNECT')" -eq 1 ]

	start_socks deny --deny
	run --separate-stderr "$WSX" pipe --proxy "socks5h://127.0.0.1:$SOCKS_PORT" \
		"ws://localhost:$ECHO_PORT/" <<<"x"
	assert_failure 3
	assert_output ""
	one_line
	[[ "$stderr" == *"could not reach"* || "$stderr" == *"not allowed by ruleset"* ]]
	log deny | grep -qx "reply 0x02"
}

@test "proxy: ALL_PROXY is used when nothing more specific is set; http_proxy wins over it; --noproxy bypasses" {
	start_echo
	start_socks socks
	start_http_proxy http
	run --separate-stderr env ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" \
		"$WSX" pipe "ws://localhost:$ECHO_PORT/" <<<"all"
	assert_success
	assert_output "all"
	log socks | grep -qx "CONNECT atyp=3 localhost:$ECHO_PORT"
	run --separate-stderr env ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" \
		"$WSX" pipe --noproxy localhost "ws://localhost:$ECHO_PORT/" <<<"direct"
	assert_success
	assert_output "direct"
	[ "$(count socks '^CONNECT')" -eq 1 ]
	run --separate-stderr env ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" \
		http_proxy="http://127.0.0.1:$HTTP_PORT" \
		"$WSX" pipe "ws://localhost:$ECHO_PORT/" <<<"specific"
	assert_success
	assert_output "specific"
	[ "$(count socks '^CONNECT')" -eq 1 ]
	log http | grep -qx "CONNECT localhost:$ECHO_PORT"
}

@test "proxy: HTTP CONNECT with Basic credentials passes; none or wrong ones exit 3 (407); a denying proxy exit 3 (403)" {
	start_echo
	start_http_proxy http --user al --password 'p@ss:w'
	run --separate-stderr "$WSX" pipe --proxy "http://al:p%40ss%3Aw@127.0.0.1:$HTTP_PORT" \
		"ws://127.0.0.1:$ECHO_PORT/" <<<"basic"
	assert_success
	assert_output "basic"
	log http | grep -qx "auth: ok al"
	run --separate-stderr "$WSX" pipe --proxy "http://127.0.0.1:$HTTP_PORT" \
		"ws://127.0.0.1:$ECHO_PORT/" <<<"x"
	assert_failure 3
	assert_output ""
	one_line
	[[ "$stderr" == *407* ]]
	log http | grep -qx "auth: none"
	run --separate-stderr "$WSX" pipe --proxy "http://al:nope@127.0.0.1:$HTTP_PORT" \
		"ws://127.0.0.1:$ECHO_PORT/" <<<"x"
	assert_failure 3
	one_line
	[[ "$stderr" == *407* ]]
	log http | grep -qx "auth: bad al"

	start_http_proxy deny --deny
	# a bare HOST:PORT is an http:// proxy
	for proxy in "http://127.0.0.1:$HTTP_PORT" "127.0.0.1:$HTTP_PORT"; do
		run --separate-stderr "$WSX" pipe --proxy "$proxy" \
			"ws://127.0.0.1:$ECHO_PORT/" <<<"x"
		assert_failure 3
		assert_output ""
		one_line
		[[ "$stderr" == *403* ]]
	done
	[ "$(count deny '^CONNECT 127\.0\.0\.1:')" -eq 2 ]
}

@test "proxy: wss:// through an HTTP CONNECT proxy: the CA trusted with --cacert, echo; CONNECT names host:port" {
	certs
	start_echo --cert "$CERTS/server.pem" --key "$CERTS/server.key"
	start_http_proxy http
	run --separate-stderr "$WSX" pipe --cacert "$CERTS/ca.pem" \
		--proxy "http://127.0.0.1:$HTTP_PORT" "wss://localhost:$ECHO_PORT/" <<<"secret"
	assert_success
	assert_output "secret"
	log http | grep -qx "CONNECT localhost:$ECHO_PORT"
	# https_proxy is the one for wss://, not http_proxy
	run --separate-stderr env https_proxy="http://127.0.0.1:$HTTP_PORT" http_proxy=http://127.0.0.1:1 \
		"$WSX" pipe --cacert "$CERTS/ca.pem" "wss://127.0.0.1:$ECHO_PORT/" <<<"from env"
	assert_success
	assert_output "from env"
	log http | grep -qx "CONNECT 127.0.0.1:$ECHO_PORT"
}

@test "proxy: https:// proxy: its certificate is checked (exit 5 untrusted), -k or a trusted CA pass; wss:// inside it" {
	certs
	start_echo
	local ws_port=$ECHO_PORT
	start_echo --cert "$CERTS/server.pem" --key "$CERTS/server.key"
	local wss_port=$ECHO_PORT
	start_http_proxy https --cert "$CERTS/server.pem" --key "$CERTS/server.key"
	# self-signed for the system store: refused before any CONNECT
	run --separate-stderr "$WSX" pipe --proxy "https://localhost:$HTTP_PORT" \
		"ws://127.0.0.1:$ws_port/" <<<"x"
	assert_failure 5
	assert_output ""
	one_line
	[[ "$stderr" == *TLS* && "$stderr" == *certificate* ]]
	[[ "$stderr" == *"unable to get local issuer certificate"* ]]
	[ "$(count https '^CONNECT')" -eq 0 ]
	run --separate-stderr "$WSX" pipe -k --proxy "https://localhost:$HTTP_PORT" \
		"ws://127.0.0.1:$ws_port/" <<<"insecure"
	assert_success
	assert_output "insecure"
	log https | grep -qx "CONNECT 127.0.0.1:$ws_port"
	# the system store (OpenSSL's SSL_CERT_FILE) holding the CA: verified
	run --separate-stderr env SSL_CERT_FILE="$CERTS/ca.pem" \
		"$WSX" pipe --proxy "https://localhost:$HTTP_PORT" "ws://127.0.0.1:$ws_port/" <<<"verified"
	assert_success
	assert_output "verified"
	# TLS inside TLS
	run --separate-stderr "$WSX" pipe -k --proxy "https://localhost:$HTTP_PORT" \
		"wss://127.0.0.1:$wss_port/" <<<"tls in tls"
	assert_success
	assert_output "tls in tls"
	log https | grep -qx "CONNECT 127.0.0.1:$wss_port"
	# both verified: the proxy by the system store, the target by --cacert
	run --separate-stderr env SSL_CERT_FILE="$CERTS/ca.pem" \
		"$WSX" pipe --cacert "$CERTS/ca.pem" --proxy "https://localhost:$HTTP_PORT" \
		"wss://localhost:$wss_port/" <<<"both verified"
	assert_success
	assert_output "both verified"
	log https | grep -qx "CONNECT localhost:$wss_port"
}

@test "proxy: an https:// proxy's bad certificate is told as the proxy's (--cacert is for the target)" {
	certs
	start_echo --cert "$CERTS/server.pem" --key "$CERTS/server.key"
	start_http_proxy https --cert "$CERTS/server.pem" --key "$CERTS/server.key"
	run --separate-stderr "$WSX" pipe --cacert "$CERTS/ca.pem" \
		--proxy "https://localhost:$HTTP_PORT" "wss://localhost:$ECHO_PORT/" <<<"x"
	assert_failure 5
	one_line
	# the user gave --cacert and still failed: the line must say whose
	# certificate it was, not send them back to --cacert
	[[ "$stderr" == *proxy* ]]
}

@test "proxy: a proxy nobody listens on is exit 3 naming the proxy's address" {
	start_echo
	local free
	free=$(free_port)
	for scheme in http socks5 socks5h https; do
		run --separate-stderr "$WSX" pipe --proxy "$scheme://127.0.0.1:$free" \
			"ws://127.0.0.1:$ECHO_PORT/" <<<"x"
		assert_failure 3
		assert_output ""
		one_line
		[[ "$stderr" == *"could not connect to the proxy 127.0.0.1:$free"* ]]
	done
}

@test "proxy: a proxy of another kind is exit 3 with one line, at once or by --connect-timeout" {
	start_echo
	# http:// to a SOCKS5 proxy: it hangs up on the request
	start_socks socks
	local t0=$SECONDS
	run --separate-stderr timeout 10 "$WSX" pipe --connect-timeout 3 \
		--proxy "http://127.0.0.1:$SOCKS_PORT" "ws://127.0.0.1:$ECHO_PORT/" <<<"x"
	assert_failure 3
	assert_output ""
	one_line
	[ $((SECONDS - t0)) -le 5 ]
	# socks5:// to an HTTP proxy: it waits for a request line that never
	# comes, and --connect-timeout ends it
	start_http_proxy http
	t0=$SECONDS
	run --separate-stderr timeout 10 "$WSX" pipe --connect-timeout 1 \
		--proxy "socks5://127.0.0.1:$HTTP_PORT" "ws://127.0.0.1:$ECHO_PORT/" <<<"x"
	assert_failure 3
	assert_output ""
	one_line
	[ $((SECONDS - t0)) -le 4 ]
}

@test "proxy: --proxy with an unknown scheme or a broken address is a usage error naming --proxy" {
	local proxy
	for proxy in ftp://x 'http://[::1' 'socks5://127.0.0.1:99999' 'http://127.0.0.1:x'; do
		run --separate-stderr "$WSX" pipe --proxy "$proxy" ws://127.0.0.1:1/ </dev/null
		assert_failure 2
		assert_output ""
		one_line
		[[ "$stderr" == *--proxy* ]]
	done
	run --separate-stderr "$WSX" connect --proxy ftp://x ws://127.0.0.1:1/ </dev/null
	assert_failure 2
	[[ "$stderr" == *"--proxy: 'ftp://x'"* ]]
}

@test "proxy: a bad proxy URL in the environment is exit 2 naming the variable, not --proxy" {
	run --separate-stderr env ALL_PROXY=ftp://x "$WSX" pipe ws://127.0.0.1:1/ </dev/null
	assert_failure 2
	one_line
	[[ "$stderr" == *ALL_PROXY* ]]
}

@test "proxy: connect -x through socks5h://" {
	start_echo
	start_socks socks
	run --separate-stderr "$WSX" connect --proxy "socks5h://127.0.0.1:$SOCKS_PORT" \
		-x "interactive" -w 0.3 "ws://localhost:$ECHO_PORT/"
	assert_success
	assert_output "interactive"
	log socks | grep -qx "CONNECT atyp=3 localhost:$ECHO_PORT"
}

@test "proxy: relay (no --proxy option) takes its ws:// upstream through ALL_PROXY=socks5h://" {
	start_echo
	start_socks socks
	run --separate-stderr bash -c "printf 'a\nb\n' |
		ALL_PROXY='socks5h://127.0.0.1:$SOCKS_PORT' '$WSX' relay - 'ws://localhost:$ECHO_PORT/'"
	assert_success
	[ "$output" = $'a\nb' ]
	log socks | grep -qx "CONNECT atyp=3 localhost:$ECHO_PORT"
	# and a ws-l: listener's upstream too
	start_server relay env ALL_PROXY="socks5h://127.0.0.1:$SOCKS_PORT" \
		"$WSX" relay ws-l:0 "ws://localhost:$ECHO_PORT/"
	run --separate-stderr "$WSX" pipe -w 0.5 "ws://127.0.0.1:$PORT/" <<<"via relay"
	assert_success
	assert_output "via relay"
	[ "$(count socks "^CONNECT atyp=3 localhost:$ECHO_PORT\$")" -eq 2 ]
}
