// Verifies a DSSE envelope made by edgeflag with Node's built-in crypto only.
// Usage: node verify-node.mjs envelope.json public-key.pem   (SPKI PEM)
// Exits 0 when a signature verifies with the key over the right payloadType, 1 otherwise.
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';

const TYPE = 'application/vnd.edgeflag.snapshot.v1+json';
try {
  const envelope = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const key = createPublicKey(readFileSync(process.argv[3]));
  if (envelope.payloadType !== TYPE) throw new Error(`payloadType ${envelope.payloadType}`);
  const payload = Buffer.from(envelope.payload, 'base64');
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${TYPE.length} ${TYPE} ${payload.length} `), payload]);
  const ok = envelope.signatures.some(({ sig }) => {
    const bytes = Buffer.from(sig, 'base64');
    return bytes.length === 64 && verify(null, pae, key, bytes);
  });
  if (!ok) throw new Error('no signature verifies');
  console.log(`verified ${payload.length} payload bytes`);
  process.exit(0);
} catch (err) {
  console.error(`verify-node: ${err.message}`);
  process.exit(1);
}
