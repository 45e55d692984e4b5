#!/usr/bin/env bash
# certs/issue-dev-cert.sh SIDE CREDIT_CODE KEY.pem OUT.crt [NAME] — a development organization
# certificate for a signing key, from the development CA of SIDE (bidder, agent, supervision,
# center, device, expert or finance; certs/make-dev-certs.sh made it under var/certs/trust; an expert's
# names their employer's credit code). The subject names the
# organization's unified social credit code as serialNumber, as the platform requires
# (docs/operations.md "Trust anchors"). KEY.pem is the holder's private key (PKCS#8 or SEC1,
# P-256); only its public half goes into the certificate. Register the result with
#   ggzy key register --cert OUT.crt --key KEY.pem
set -euo pipefail
side=${1:?usage: issue-dev-cert.sh SIDE CREDIT_CODE KEY.pem OUT.crt [NAME]}
code=${2:?credit code}
key=${3:?private key}
out=${4:?output certificate}
name=${5:-ggzy development organization}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ca=${GGZY_TRUST_DIR:-$root/var/certs/trust}
[[ -s $ca/$side-ca.crt && -s $ca/$side-ca.key ]] || { echo "no $side CA in $ca (scripts/dev run makes them)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
openssl req -new -utf8 -key "$key" -subj "/O=$name/serialNumber=$code/CN=$name" -out "$tmp/req.csr"
touch "$tmp/index.txt"
openssl rand -hex 16 > "$tmp/serial"
# valid from 2025 (test mode moves the clock) for ten years
GGZY_CA_WORK=$tmp openssl ca -batch -config "$root/certs/dev-ca.cnf" -extensions org_ext \
  -cert "$ca/$side-ca.crt" -keyfile "$ca/$side-ca.key" -in "$tmp/req.csr" -startdate 20250101000000Z -enddate 20350101000000Z -notext -out "$out" 2>/dev/null
echo "issued $out for $code ($side side)"
