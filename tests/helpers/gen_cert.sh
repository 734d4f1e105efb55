#!/bin/sh
# gen_cert.sh DIR: make a throwaway CA and a server certificate for
# 127.0.0.1 / localhost signed by it, with EC (P-256) keys so it is quick.
# Writes DIR/ca.pem, DIR/ca.key, DIR/server.pem, DIR/server.key.
set -eu
dir=${1:?usage: gen_cert.sh DIR}
mkdir -p "$dir"
cd "$dir"
days=2

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	-nodes -keyout ca.key -out ca.pem -days "$days" \
	-subj "/CN=wsx test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	-nodes -keyout server.key -out server.csr \
	-subj "/CN=127.0.0.1" 2>/dev/null

cat >server.ext <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT

openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
	-out server.pem -days "$days" -extfile server.ext 2>/dev/null

rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
