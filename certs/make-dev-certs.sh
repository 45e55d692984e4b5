#!/usr/bin/env bash
# certs/make-dev-certs.sh OUTDIR — development certificates for ggzyd, made with openssl, all
# ECDSA P-256:
#   - a local CA (ca.crt, ca.key) and a server certificate for localhost, 127.0.0.1 and ::1
#     (server.crt, server.key), for HTTPS;
#   - one development CA per side, under trust/ (bidder-ca, agent-ca, supervision-ca,
#     center-ca, device-ca, expert-ca, finance-ca, tenderer-ca: .crt and .key), the anchors that certify signing keys
#     (docs/operations.md "Trust anchors"); certs/issue-dev-cert.sh issues organization
#     certificates from them.
# Private keys are written only to OUTDIR (var/certs, git-ignored), mode 600, and never
# committed. Existing files are kept, so a second run is a no-op. In production the HTTPS
# certificate comes from the operator's CA and the trust anchors are the licensed CAs' roots.
set -euo pipefail
out=${1:?usage: make-dev-certs.sh OUTDIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"
chmod 700 "$out"
cd "$out"
umask 077
if [[ ! ( -s server.crt && -s server.key && -s ca.crt ) ]]; then
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
fi
mkdir -p trust
chmod 700 trust
# The side CAs are valid from 2025 to 2040, so that test mode may move the platform's clock to any
# date the tests use (a certificate is checked at the time of use). `openssl ca -selfsign` is
# what sets a start date with OpenSSL 3.0.
for side in bidder agent supervision center device expert finance tenderer; do
  [[ -s trust/$side-ca.crt && -s trust/$side-ca.key ]] && continue
  tmp=$(mktemp -d)
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/key" 2>/dev/null
  openssl pkcs8 -topk8 -nocrypt -in "$tmp/key" -out "trust/$side-ca.key"
  openssl req -new -key "trust/$side-ca.key" -subj "/O=ggzy development/CN=ggzy development $side CA" \
    -out "$tmp/req.csr"
  touch "$tmp/index.txt"
  openssl rand -hex 16 > "$tmp/serial"
  GGZY_CA_WORK=$tmp openssl ca -batch -config "$here/dev-ca.cnf" -extensions ca_ext -selfsign \
    -keyfile "trust/$side-ca.key" -in "$tmp/req.csr" -startdate 20250101000000Z -enddate 20401231000000Z -notext -out "trust/$side-ca.crt" 2>/dev/null
  rm -rf "$tmp"
  chmod 644 "trust/$side-ca.crt"
  echo "development $side CA written to $out/trust"
done
