// Generates an Ed25519 key pair with Node's crypto.generateKeyPairSync and writes it as
// PKCS#8 and SPKI PEM. Usage: node keygen-node.mjs private.pem public.pem
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
writeFileSync(process.argv[2], privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
writeFileSync(process.argv[3], publicKey.export({ type: 'spki', format: 'pem' }));
