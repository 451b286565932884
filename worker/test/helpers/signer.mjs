// Signs snapshots the way any owning backend with a standard Ed25519 implementation would
// (FORMAT.md §1: pure Ed25519 over the DSSE PAE), with Node's built-in crypto.
import { createHash, generateKeyPairSync, sign } from "node:crypto";

export const PAYLOAD_TYPE = "application/vnd.edgeflag.snapshot.v1+json";
export const OWNER = "shop";
export const ENVIRONMENT = "production";

/** PAE = "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload (lengths in bytes). */
export function pae(payloadType, payload) {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** A fresh key pair: `publicKey` as PUBLIC_KEYS pins it, `envelope(payload)` signs. */
export function makeSigner() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const keyid = createHash("sha256").update(raw).digest("hex").slice(0, 16);
  return {
    publicKey: `ed25519:${raw.toString("base64")}`,
    keyid,
    /** The envelope JSON text for a payload object (or exact payload text/bytes). */
    envelope(payload) {
      const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload));
      const sig = sign(null, pae(PAYLOAD_TYPE, bytes), privateKey);
      return JSON.stringify({ payloadType: PAYLOAD_TYPE, payload: bytes.toString("base64"), signatures: [{ keyid, sig: sig.toString("base64") }] });
    },
  };
}

const HOUR = 3600_000;

/** A payload for owner "shop", environment "production", valid from an hour ago for a week. */
export function payload({ version = 1, flags = FLAGS, segments = {}, issuedAt, expiresAt, ...rest } = {}) {
  const now = Date.now();
  return {
    schema: "edgeflag/v1",
    owner: OWNER,
    environment: ENVIRONMENT,
    version,
    issuedAt: new Date(issuedAt ?? now - HOUR).toISOString(),
    expiresAt: new Date(expiresAt ?? now + 7 * 24 * HOUR).toISOString(),
    segments,
    flags,
    ...rest,
  };
}

/** The flag set most suites use: every type, rules, a rollout, a kill switch, a prerequisite. */
export const FLAGS = {
  "new-checkout": {
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    rules: [
      { id: "staff", conditions: [{ attribute: "email", op: "endsWith", values: ["@example.com"] }], serve: { variant: "on" } },
      { id: "germany", conditions: [{ attribute: "country", op: "in", values: ["DE"] }], serve: { variant: "on" } },
    ],
    defaultServe: { variant: "off" },
    metadata: { team: "payments", owner: "checkout" },
  },
  theme: {
    type: "string",
    variants: { light: "light", dark: "dark" },
    offVariant: "light",
    defaultServe: { rollout: { weights: [{ variant: "dark", weight: 50000 }, { variant: "light", weight: 50000 }] } },
  },
  "max-items": { type: "number", variants: { few: 5, many: 50.5 }, offVariant: "few", defaultServe: { variant: "many" } },
  banner: {
    type: "object",
    variants: { hello: { text: "Hello </script><b>ü", color: "red" }, none: {} },
    offVariant: "none",
    defaultServe: { variant: "hello" },
  },
  "kill-switch": { type: "boolean", enabled: false, variants: { on: true, off: false }, offVariant: "off", defaultServe: { variant: "on" } },
  "needs-checkout": {
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    prerequisites: [{ flag: "new-checkout", variants: ["on"] }],
    defaultServe: { variant: "on" },
  },
};
