#!/bin/sh
# Signs an edgeflag snapshot payload with the OpenSSL command line (3.0 or later) and prints
# the DSSE envelope. Usage: sign-openssl.sh payload.json private-key.pem > envelope.json
# (the key: PKCS#8 PEM, e.g. from `openssl genpkey -algorithm ed25519 -out key.pem`).
set -eu
payload=$1 key=$2
type=application/vnd.edgeflag.snapshot.v1+json
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
# DSSE PAE: "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload (LEN in bytes).
{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < "$payload" | tr -d ' ')"; cat "$payload"; } > "$tmp/pae.bin"
openssl pkeyutl -sign -rawin -inkey "$key" -in "$tmp/pae.bin" -out "$tmp/sig.bin"
# keyid hint: first 16 hex characters of SHA-256 of the raw public key (last 32 DER bytes).
keyid=$(openssl pkey -in "$key" -pubout -outform DER | tail -c 32 | openssl dgst -sha256 -r | cut -c1-16)
printf '{"payloadType":"%s","payload":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}\n' \
  "$type" "$(openssl base64 -A -in "$payload")" "$keyid" "$(openssl base64 -A -in "$tmp/sig.bin")"
