#!/bin/sh
# gen_cert.sh DIR [--clients]: make a throwaway CA and a server certificate
# for 127.0.0.1 / localhost signed by it, with EC (P-256) keys so it is
# quick. Writes DIR/ca.pem, DIR/ca.key, DIR/server.pem, DIR/server.key.
# With --clients, for mutual TLS, also DIR/client.pem and DIR/client.key
# (a client certificate signed by the CA), and DIR/other-ca.pem with
# DIR/other-client.pem and DIR/other-client.key (a client certificate signed
# by another CA, which the first does not trust).
set -eu
dir=${1:?usage: gen_cert.sh DIR [--clients]}
clients=${2:-}
mkdir -p "$dir"
cd "$dir"
days=2

# ca NAME CN: a self-signed CA, NAME.pem and NAME.key
ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$1.key" -out "$1.pem" -days "$days" \
		-subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# leaf NAME CA CN USAGE [SAN]: a certificate NAME.pem, NAME.key signed by CA
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$1.key" -out "$1.csr" \
		-subj "/CN=$3" 2>/dev/null
	{
		echo "basicConstraints=critical,CA:FALSE"
		echo "keyUsage=critical,digitalSignature,keyEncipherment"
		echo "extendedKeyUsage=$4"
		[ -z "${5:-}" ] || echo "subjectAltName=$5"
	} >"$1.ext"
	openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" \
		-CAcreateserial -out "$1.pem" -days "$days" -extfile "$1.ext" 2>/dev/null
	rm -f "$1.csr" "$1.ext" "$2.srl"
	chmod 600 "$1.key"
}

ca ca "wsx test CA"
leaf server ca 127.0.0.1 serverAuth "IP:127.0.0.1,DNS:localhost"
if [ "$clients" = --clients ]; then
	leaf client ca "wsx test client" clientAuth
	ca other-ca "another test CA"
	leaf other-client other-ca "another test client" clientAuth
	chmod 600 other-ca.key
fi
chmod 600 ca.key
