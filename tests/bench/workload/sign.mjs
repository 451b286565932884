// Signs the workload's payloads as DSSE envelopes (FORMAT.md §1) with a key derived from a
// fixed seed, so the generated envelopes are byte-for-byte the same on every run (Ed25519
// signatures are deterministic). Node's crypto, like any backend would use: proves interop too.
import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";

export const PAYLOAD_TYPE = "application/vnd.edgeflag.snapshot.v1+json";

// PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows.
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/** PAE = "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload (byte lengths). */
function pae(payloadType, payload) {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** A signer from a seed string: `publicKey` as a client pins it, `envelope(bytes)` as JSON text. */
export function seededSigner(seed) {
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, createHash("sha256").update(seed).digest()]),
    format: "der",
    type: "pkcs8",
  });
  const raw = Buffer.from(createPublicKey(privateKey).export({ format: "jwk" }).x, "base64url");
  const keyid = createHash("sha256").update(raw).digest("hex").slice(0, 16);
  return {
    publicKey: `ed25519:${raw.toString("base64")}`,
    envelope(bytes) {
      const sig = sign(null, pae(PAYLOAD_TYPE, bytes), privateKey).toString("base64");
      return JSON.stringify({ payloadType: PAYLOAD_TYPE, payload: bytes.toString("base64"), signatures: [{ keyid, sig }] });
    },
  };
}
