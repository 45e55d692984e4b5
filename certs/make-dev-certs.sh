#!/usr/bin/env bash
# certs/make-dev-certs.sh OUTDIR — development certificates for ggzyd, made with openssl:
# a local CA (ca.crt, ca.key) and a server certificate for localhost, 127.0.0.1 and ::1
# (server.crt, server.key), all ECDSA P-256. Private keys are written only to OUTDIR (var/certs,
# git-ignored), mode 600, and never committed. Existing files are kept, so a second run is a
# no-op. Production certificates come from the operator's CA instead (docs/operations.md).
set -euo pipefail
out=${1:?usage: make-dev-certs.sh OUTDIR}
mkdir -p "$out"
chmod 700 "$out"
cd "$out"
if [[ -s server.crt && -s server.key && -s ca.crt ]]; then
  exit 0
fi
umask 077
openssl ecparam -name prime256v1 -genkey -noout -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=ggzy development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out ca.crt
openssl ecparam -name prime256v1 -genkey -noout -out server.key.tmp 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in server.key.tmp -out server.key
rm -f server.key.tmp
openssl req -new -key server.key -subj "/CN=localhost" -out server.csr
cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EXT
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.crt server.crt
echo "development certificates written to $out (trust ca.crt in your client)"
