// Signs an edgeflag snapshot payload with Node's built-in crypto only and prints the DSSE
// envelope. Usage: node sign-node.mjs payload.json private-key.pem > envelope.json
// (the key: PKCS#8 PEM, e.g. from `openssl genpkey -algorithm ed25519 -out key.pem`).
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const TYPE = 'application/vnd.edgeflag.snapshot.v1+json';
const payload = readFileSync(process.argv[2]); // the exact bytes to sign, never re-serialised
const key = createPrivateKey(readFileSync(process.argv[3]));
// DSSE PAE: "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload (LEN in bytes).
const pae = Buffer.concat([Buffer.from(`DSSEv1 ${TYPE.length} ${TYPE} ${payload.length} `), payload]);
// keyid hint: first 16 hex characters of SHA-256 of the raw 32-byte public key.
const raw = Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x, 'base64url');
const keyid = createHash('sha256').update(raw).digest('hex').slice(0, 16);
const sig = sign(null, pae, key).toString('base64'); // null algorithm: pure Ed25519
console.log(JSON.stringify({
  payloadType: TYPE,
  payload: payload.toString('base64'),
  signatures: [{ keyid, sig }],
}));
