// Signs snapshot payloads the way any backend with a standard Ed25519 implementation would
// (FORMAT.md §1: pure Ed25519 over the DSSE PAE), with Node's crypto: proves interop.
import { createHash, generateKeyPairSync, sign } from "node:crypto";

export const PAYLOAD_TYPE = "application/vnd.edgeflag.snapshot.v1+json";

/** PAE = "DSSEv1" SP LEN(type) SP type SP LEN(payload) SP payload (byte lengths). */
export function pae(payloadType, payload) {
  const type = Buffer.from(payloadType, "utf8");
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, "utf8"),
    type,
    Buffer.from(` ${payload.length} `, "utf8"),
    payload,
  ]);
}

/** A fresh Ed25519 key pair: `publicKey` as the client pins it, `envelope(payload)` to sign. */
export function makeSigner() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url");
  const keyid = createHash("sha256").update(raw).digest("hex").slice(0, 16);
  return {
    publicKey: `ed25519:${raw.toString("base64")}`,
    keyid,
    /** Signs raw payload bytes; returns the parsed envelope object. */
    signBytes(bytes, payloadType = PAYLOAD_TYPE) {
      const sig = sign(null, pae(payloadType, bytes), privateKey);
      return {
        payloadType,
        payload: bytes.toString("base64"),
        signatures: [{ keyid, sig: sig.toString("base64") }],
      };
    },
    /** Signs a payload object; returns the envelope as JSON text. */
    envelope(payload, payloadType) {
      const bytes = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload), "utf8");
      return JSON.stringify(this.signBytes(bytes, payloadType));
    },
  };
}

const DAY = 86_400_000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * A snapshot payload with two flags: `new-checkout` (boolean, on for plan "pro" and for the
 * targeted `user-1`) and `banner` (string), the values depending on `version` so tests can
 * tell snapshots apart. `flags` replaces or adds flags.
 */
export function payload({ version = 1, environment = "production", owner = "shop", expiresInMs = 7 * DAY, issuedAgoMs, flags = {} } = {}) {
  const now = Date.now();
  issuedAgoMs ??= Math.max(60_000, 3_600_000 - expiresInMs); // issued before it expires
  return {
    schema: "edgeflag/v1",
    owner,
    environment,
    version,
    issuedAt: iso(now - issuedAgoMs),
    expiresAt: iso(now + expiresInMs),
    flags: {
      "new-checkout": {
        type: "boolean",
        variants: { on: true, off: false },
        offVariant: "off",
        targets: [{ variant: "on", values: ["user-1"] }],
        rules: [{ id: "pro", conditions: [{ attribute: "plan", op: "in", values: ["pro"] }], serve: { variant: "on" } }],
        defaultServe: { variant: "off" },
      },
      banner: {
        type: "string",
        variants: { a: `banner-v${version}`, b: "other" },
        offVariant: "b",
        defaultServe: { variant: "a" },
      },
      experiment: {
        type: "string",
        variants: { control: "control", treatment: "treatment" },
        offVariant: "control",
        trackEvents: true,
        defaultServe: {
          rollout: { weights: [{ variant: "control", weight: 50000 }, { variant: "treatment", weight: 50000 }] },
        },
      },
      ...flags,
    },
  };
}
