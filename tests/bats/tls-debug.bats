#!/usr/bin/env bats
# TLS debugging as curl users know it: SSLKEYLOGFILE (the session secrets
# Wireshark needs to decrypt a capture) written by every client and by
# serve, and --pinnedpubkey sha256//BASE64 (or a public key file) on the
# clients, checked with and without -k.

load helpers

setup() {
	CERTS="$BATS_TEST_TMPDIR/certs"
	"$HELPERS/gen_cert.sh" "$CERTS"
	# the server's pin, computed the way curl's documentation says
	PIN=$(openssl x509 -pubkey -noout -in "$CERTS/server.pem" |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	# a pin of another key (the CA's)
	OTHER=$(openssl x509 -pubkey -noout -in "$CERTS/ca.pem" |
		openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
}

teardown() {
	stop_servers
}

# start_tls_echo [SERVE-ARGS...]: wsx serve --cert/--key, $WSS its URL
start_tls_echo() {
	start_wsx_echo --cert "$CERTS/server.pem" --key "$CERTS/server.key" "$@"
	WSS="wss://localhost:$PORT/"
}

# key_lines FILE: its lines that are not comments
key_lines() { grep -v '^#' "$1" || true; }

# --- SSLKEYLOGFILE -------------------------------------------------------------

@test "SSLKEYLOGFILE: pipe and serve each log the TLS 1.3 secrets, the same ones, as NSS key log lines in a 0600 file" {
	local srv="$BATS_TEST_TMPDIR/serve.keys" cli="$BATS_TEST_TMPDIR/pipe.keys"
	start_server wsx-echo env SSLKEYLOGFILE="$srv" "$WSX" serve -p 0 \
		--cert "$CERTS/server.pem" --key "$CERTS/server.key"
	run --separate-stderr env SSLKEYLOGFILE="$cli" "$WSX" pipe -v \
		--cacert "$CERTS/ca.pem" "wss://localhost:$PORT/" <<<"hi"
	assert_success
	assert_output hi
	[[ "$stderr" == *"wsx: * TLS keys logged to $cli (SSLKEYLOGFILE)"* ]]
	[[ "$stderr" =~ "wsx: * TLSv1.3 " ]]
	# every line: LABEL, the 32-byte client random, the secret, in hex
	run key_lines "$cli"
	[ "${#lines[@]}" -ge 3 ]
	local l
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^[A-Z0-9_]+\ [0-9a-f]{64}\ [0-9a-f]{64,}$ ]] ||
			fail "not a key log line: $l"
	done
	grep -q '^CLIENT_HANDSHAKE_TRAFFIC_SECRET ' "$cli"
	grep -q '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$cli"
	grep -q '^CLIENT_TRAFFIC_SECRET_0 ' "$cli"
	grep -q '^SERVER_TRAFFIC_SECRET_0 ' "$cli"
	[ "$(stat -c %a "$cli")" = 600 ]
	[ "$(stat -c %a "$srv")" = 600 ]
	# both ends derived the same secrets: they are the session's
	diff <(key_lines "$cli" | sort) <(key_lines "$srv" | sort)
	# a second run appends its own session, another client random
	echo again | SSLKEYLOGFILE="$cli" "$WSX" pipe --cacert "$CERTS/ca.pem" \
		"wss://localhost:$PORT/" >/dev/null
	[ "$(key_lines "$cli" | wc -l)" -eq $((2 * ${#lines[@]})) ]
	[ "$(cut -d' ' -f2 "$cli" | sort -u | wc -l)" -eq 2 ]
	# without the variable nothing is written anywhere new
	run --separate-stderr "$WSX" pipe -v --cacert "$CERTS/ca.pem" \
		"wss://localhost:$PORT/" <<<"hi"
	assert_success
	[[ "$stderr" != *SSLKEYLOGFILE* ]]
}

@test "SSLKEYLOGFILE: a TLS 1.2 client (Python's ssl) and wsx serve log the same CLIENT_RANDOM line" {
	local srv="$BATS_TEST_TMPDIR/serve.keys" py="$BATS_TEST_TMPDIR/py.keys"
	start_server wsx-echo env SSLKEYLOGFILE="$srv" "$WSX" serve -p 0 \
		--cert "$CERTS/server.pem" --key "$CERTS/server.key"
	run "$PYTHON" - "$PORT" "$CERTS/ca.pem" "$py" <<'EOF'
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.keylog_filename = sys.argv[3]
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        print(t.version())
        t.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        print(t.recv(12).decode())
EOF
	assert_success
	assert_line TLSv1.2
	assert_line --partial "HTTP/1.1"
	local line
	line=$(grep '^CLIENT_RANDOM ' "$py")
	[[ "$line" =~ ^CLIENT_RANDOM\ [0-9a-f]{64}\ [0-9a-f]{96}$ ]]
	grep -qxF "$line" "$srv"
}

@test "SSLKEYLOGFILE that cannot be opened: one warning line, and the message still goes through" {
	start_tls_echo
	local bad="$BATS_TEST_TMPDIR/no/such/dir/keys"
	run --separate-stderr env SSLKEYLOGFILE="$bad" "$WSX" pipe \
		--cacert "$CERTS/ca.pem" "$WSS" <<<"hi"
	assert_success
	assert_output hi
	[ "$stderr" = "wsx: SSLKEYLOGFILE: cannot open '$bad': No such file or directory; TLS keys are not logged" ]
	# ws:// makes no TLS context: nothing to say
	start_wsx_echo
	run --separate-stderr env SSLKEYLOGFILE="$bad" "$WSX" pipe "$URL" <<<"hi"
	assert_success
	[ -z "$stderr" ]
	# empty: as if unset
	run --separate-stderr env SSLKEYLOGFILE= "$WSX" pipe \
		--cacert "$CERTS/ca.pem" "$WSS" <<<"hi"
	assert_success
	[ -z "$stderr" ]
	# serve warns once at start and serves
	start_server wsx-bad env SSLKEYLOGFILE="$bad" "$WSX" serve -p 0 \
		--cert "$CERTS/server.pem" --key "$CERTS/server.key"
	run "$WSX" pipe --cacert "$CERTS/ca.pem" "wss://localhost:$PORT/" <<<"hi"
	assert_success
	assert_output hi
	run grep -c 'SSLKEYLOGFILE: cannot open' "$BATS_TEST_TMPDIR/wsx-bad.log"
	assert_output 1
}

@test "SSLKEYLOGFILE: bench's threads write whole lines, none interleaved" {
	local f="$BATS_TEST_TMPDIR/bench.keys"
	start_tls_echo
	run env SSLKEYLOGFILE="$f" "$WSX" bench -q -c 8 -T 2 -d 0.5 \
		--cacert "$CERTS/ca.pem" "$WSS"
	assert_success
	run key_lines "$f"
	# at least 8 sessions of at least 4 lines
	[ "${#lines[@]}" -ge 32 ]
	local l
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^[A-Z0-9_]+\ [0-9a-f]{64}\ [0-9a-f]{64,}$ ]] ||
			fail "not a key log line: $l"
	done
}

# --- --pinnedpubkey ------------------------------------------------------------

@test "--pinnedpubkey: the server's pin lets the message through, and -v says it matched" {
	start_tls_echo
	run --separate-stderr "$WSX" pipe -v --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$PIN" "$WSS" <<<"hi"
	assert_success
	assert_output hi
	[[ "$stderr" == *"wsx: * public key pinned: sha256//$PIN matches"* ]]
	# one of several, as curl: the second matches
	run "$WSX" pipe --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER;sha256//$PIN" "$WSS" <<<"hi"
	assert_success
	assert_output hi
	# -k skips the certificate's check, not the pin's
	run "$WSX" pipe -k --pinnedpubkey "sha256//$PIN" "$WSS" <<<"hi"
	assert_success
	assert_output hi
}

@test "--pinnedpubkey: another key fails with exit 5 naming the server's pin, before the request goes out, even with -k" {
	start_tls_echo -v
	local want="wsx: TLS: the server's public key does not match --pinnedpubkey (it is sha256//$PIN)"
	run --separate-stderr "$WSX" pipe --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER" "$WSS" <<<"hi"
	assert_failure 5
	assert_output ""
	[ "$stderr" = "$want" ]
	run --separate-stderr "$WSX" pipe -k --pinnedpubkey "sha256//$OTHER" \
		"$WSS" <<<"hi"
	assert_failure 5
	[ "$stderr" = "$want" ]
	# the server never saw a request: nothing was sent to the wrong key
	sleep 0.2
	run grep -c 'GET /' "$BATS_TEST_TMPDIR/wsx-echo.log"
	assert_output 0
	# the certificate is still checked first without -k
	run --separate-stderr "$WSX" pipe --pinnedpubkey "sha256//$PIN" \
		"$WSS" <<<"hi"
	assert_failure 5
	[[ "$stderr" == *"certificate problem"* ]]
}

@test "--pinnedpubkey: the public key file itself, PEM or DER, as curl takes it" {
	start_tls_echo
	openssl x509 -pubkey -noout -in "$CERTS/server.pem" >"$CERTS/pub.pem"
	openssl pkey -pubin -in "$CERTS/pub.pem" -outform der >"$CERTS/pub.der"
	openssl x509 -pubkey -noout -in "$CERTS/ca.pem" >"$CERTS/ca-pub.pem"
	local f
	for f in pub.pem pub.der; do
		run "$WSX" pipe --cacert "$CERTS/ca.pem" \
			--pinnedpubkey "$CERTS/$f" "$WSS" <<<"hi $f"
		assert_success
		assert_output "hi $f"
	done
	run --separate-stderr "$WSX" pipe --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "$CERTS/ca-pub.pem" "$WSS" <<<"hi"
	assert_failure 5
	[ "$stderr" = "wsx: TLS: the server's public key does not match --pinnedpubkey (it is sha256//$PIN)" ]
}

@test "--pinnedpubkey: a malformed pin or a file without a key is a usage error (exit 2) naming it" {
	local bad
	for bad in "sha256//abc" "sha256//${PIN%?}!" "sha256//$PIN;" \
		"sha256//$PIN;$PIN" "sha256//${PIN}${PIN}"; do
		run --separate-stderr "$WSX" pipe --pinnedpubkey "$bad" \
			wss://127.0.0.1:1/
		assert_failure 2
		[[ "$stderr" == *"--pinnedpubkey: '"*"' is not sha256// and a SHA-256 in base64"* || "$stderr" == *"--pinnedpubkey: an empty pin in"* ]] ||
			fail "$bad: $stderr"
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	run --separate-stderr "$WSX" pipe --pinnedpubkey "$BATS_TEST_TMPDIR/none" \
		wss://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--pinnedpubkey: cannot read '$BATS_TEST_TMPDIR/none': No such file or directory"* ]]
	run --separate-stderr "$WSX" pipe --pinnedpubkey "$CERTS/server.pem" \
		wss://127.0.0.1:1/
	assert_failure 2
	[[ "$stderr" == *"--pinnedpubkey: no public key in '$CERTS/server.pem'"* ]]
}

@test "--pinnedpubkey: ignored for ws:// (nothing to pin), as curl does for http://" {
	start_wsx_echo
	run "$WSX" pipe --pinnedpubkey "sha256//$OTHER" "$URL" <<<"hi"
	assert_success
	assert_output hi
}

@test "--pinnedpubkey: connect -x, relay's wss:// side and bench check it too" {
	start_tls_echo
	local want="TLS: the server's public key does not match --pinnedpubkey (it is sha256//$PIN)"
	run "$WSX" connect --cacert "$CERTS/ca.pem" --pinnedpubkey "sha256//$PIN" \
		-x hello -w 0.5 "$WSS"
	assert_success
	assert_output --partial hello
	run --separate-stderr "$WSX" connect --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER" -x hello "$WSS"
	assert_failure 5
	[[ "$stderr" == *"$want"* ]]
	run "$WSX" relay --cacert "$CERTS/ca.pem" --pinnedpubkey "sha256//$PIN" \
		- "$WSS" <<<"relayed"
	assert_success
	assert_output relayed
	run --separate-stderr "$WSX" relay --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER" - "$WSS" <<<"relayed"
	assert_failure 5
	[[ "$stderr" == *"$want"* ]]
	run --separate-stderr "$WSX" bench -q -c 1 -d 0.3 --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER" "$WSS"
	assert_failure 5
	[[ "$stderr" == *"$want"* ]]
}

@test "--pinnedpubkey against Python's TLS server: its key's pin passes, another fails" {
	start_server py-tls "$PYTHON" "$HELPERS/py_echo_server.py" \
		--tls "$CERTS/server.pem" "$CERTS/server.key"
	local port=${URL##*:}
	run "$WSX" pipe -w 1 --cacert "$CERTS/ca.pem" --pinnedpubkey "sha256//$PIN" \
		"wss://localhost:$port/" <<<"hi"
	assert_success
	assert_output hi
	run --separate-stderr "$WSX" pipe -w 1 --cacert "$CERTS/ca.pem" \
		--pinnedpubkey "sha256//$OTHER" "wss://localhost:$port/" <<<"hi"
	assert_failure 5
	[ "$stderr" = "wsx: TLS: the server's public key does not match --pinnedpubkey (it is sha256//$PIN)" ]
}
