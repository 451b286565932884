// Envelope rejection through the package's Evaluator (src/core/SECURITY.md's adversarial cases that a
// JavaScript caller can produce), and the configuration errors thrown at construction.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EdgeflagError, Evaluator, createClient } from "edgeflag";
import { makeSigner, payload, PAYLOAD_TYPE } from "./helpers/signer.mjs";

const signer = makeSigner();
const other = makeSigner();
const now = () => Date.now();
const evaluator = (extra = {}) => new Evaluator({ publicKeys: [signer.publicKey], environment: "production", owner: "shop", ...extra });

/** Asserts that `fn` throws an EdgeflagError with `code`. */
function refuses(fn, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof EdgeflagError, `not an EdgeflagError: ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "EdgeflagError");
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.length > 10);
    return true;
  });
}

const flip = (b64, at) => {
  const bytes = Buffer.from(b64, "base64");
  bytes[at % bytes.length] ^= 1;
  return bytes.toString("base64");
};

test("a valid envelope loads and says what it is", () => {
  const ev = evaluator();
  const info = ev.load(signer.envelope(payload({ version: 3 })), now());
  assert.equal(info.version, 3);
  assert.equal(info.owner, "shop");
  assert.equal(info.environment, "production");
  assert.equal(info.keyid, signer.keyid);
  assert.deepEqual([...info.flags].sort(), ["banner", "experiment", "new-checkout"]);
  assert.equal(typeof info.expiresAt, "number");
  assert.match(info.sha256, /^[0-9a-f]{64}$/);
  assert.equal(ev.status, "READY");
  assert.equal(ev.bool("new-checkout", ev.context({ plan: "pro" }), false), true);
  // Bytes load like text.
  const ev2 = evaluator();
  assert.equal(ev2.load(new TextEncoder().encode(signer.envelope(payload())), now()).version, 1);
});

test("one flipped bit in the payload, the signature or the payloadType is refused", () => {
  const env = JSON.parse(signer.envelope(payload()));
  for (const at of [0, 17, 100]) {
    refuses(() => evaluator().load(JSON.stringify({ ...env, payload: flip(env.payload, at) }), now()), "BAD_SIGNATURE");
    const sig = flip(env.signatures[0].sig, at);
    refuses(() => evaluator().load(JSON.stringify({ ...env, signatures: [{ ...env.signatures[0], sig }] }), now()), "BAD_SIGNATURE");
  }
  refuses(() => evaluator().load(JSON.stringify({ ...env, payloadType: PAYLOAD_TYPE.replace("v1", "v2") }), now()), "WRONG_PAYLOAD_TYPE");
});

test("truncated or padded signatures are refused", () => {
  const env = JSON.parse(signer.envelope(payload()));
  const raw = Buffer.from(env.signatures[0].sig, "base64");
  for (const sig of [raw.subarray(0, 63), Buffer.concat([raw, Buffer.from([0])])]) {
    const bad = { ...env, signatures: [{ keyid: signer.keyid, sig: sig.toString("base64") }] };
    assert.throws(() => evaluator().load(JSON.stringify(bad), now()), EdgeflagError);
  }
});

test("a valid signature by an unpinned key is refused; a wrong keyid hint is not", () => {
  refuses(() => evaluator().load(other.envelope(payload()), now()), "BAD_SIGNATURE");
  const env = JSON.parse(signer.envelope(payload()));
  env.signatures[0].keyid = other.keyid;
  assert.equal(evaluator().load(JSON.stringify(env), now()).version, 1);
});

test("the same key's signature repeated does not meet a threshold of two", () => {
  const env = JSON.parse(signer.envelope(payload()));
  env.signatures.push(env.signatures[0]);
  const ev = new Evaluator({ publicKeys: [signer.publicKey, other.publicKey], environment: "production", owner: "shop", threshold: 2 });
  refuses(() => ev.load(JSON.stringify(env), now()), "THRESHOLD_NOT_MET");
  // Two distinct pinned keys do.
  const bytes = Buffer.from(env.payload, "base64");
  const both = signer.signBytes(bytes);
  both.signatures.push(other.signBytes(bytes).signatures[0]);
  assert.equal(ev.load(JSON.stringify(both), now()).version, 1);
});

test("another environment or owner is refused", () => {
  refuses(() => evaluator().load(signer.envelope(payload({ environment: "staging" })), now()), "WRONG_ENVIRONMENT");
  refuses(() => evaluator().load(signer.envelope(payload({ owner: "billing" })), now()), "WRONG_OWNER");
});

test("freshness floors: minVersion, maxAge, no issuedAt in the future, at most 30 days of validity", () => {
  const hour = 3_600_000;
  refuses(() => evaluator({ minVersion: 2 }).load(signer.envelope(payload({ version: 1 })), now()), "BELOW_MIN_VERSION");
  assert.equal(evaluator({ minVersion: 2 }).load(signer.envelope(payload({ version: 2 })), now()).version, 2);
  const twoHoursOld = signer.envelope(payload({ issuedAgoMs: 2 * hour }));
  refuses(() => evaluator({ maxAge: hour }).load(twoHoursOld, now()), "TOO_OLD");
  assert.equal(evaluator({ maxAge: 3 * hour }).load(twoHoursOld, now()).version, 1);
  refuses(() => evaluator().load(signer.envelope(payload({ issuedAgoMs: -hour, expiresInMs: 2 * hour })), now()), "ISSUED_IN_FUTURE");
  const yearLong = signer.envelope(payload({ expiresInMs: 365 * 86_400_000 }));
  refuses(() => evaluator().load(yearLong, now()), "VALIDITY_TOO_LONG");
  assert.equal(evaluator({ maxValidityMs: 366 * 86_400_000 }).load(yearLong, now()).version, 1);
  // The refusal names its check in the message too.
  try {
    evaluator({ maxAge: hour }).load(twoHoursOld, now());
  } catch (e) {
    assert.match(e.message, /^max age: snapshot issued at .* is older than 1h/);
  }
});

test("anyOwner accepts another owner's snapshot, explicitly", () => {
  const billing = signer.envelope(payload({ owner: "billing" }));
  refuses(() => evaluator().load(billing, now()), "WRONG_OWNER");
  const ev = new Evaluator({ publicKeys: [signer.publicKey], environment: "production", anyOwner: true });
  assert.equal(ev.load(billing, now()).owner, "billing");
});

test("an envelope with too many signatures to check is refused before any is tried", () => {
  // Three pinned keys: 22 signatures would take 66 verifications, over the default of 64.
  const publicKeys = [signer.publicKey, makeSigner().publicKey, makeSigner().publicKey];
  const ev = () => new Evaluator({ publicKeys, environment: "production", owner: "shop" });
  const env = JSON.parse(signer.envelope(payload()));
  const strangers = Array.from({ length: 21 }, () => JSON.parse(makeSigner().envelope(payload())).signatures[0]);
  env.signatures = [...strangers, ...env.signatures];
  refuses(() => ev().load(JSON.stringify(env), now()), "TOO_MANY_SIGNATURE_ATTEMPTS");
  env.signatures = env.signatures.slice(1);
  assert.equal(ev().load(JSON.stringify(env), now()).version, 1, "63 attempts are allowed");
});

test("rollback is refused and the last-known-good kept; same version other bytes conflicts", () => {
  const ev = evaluator();
  const v2 = signer.envelope(payload({ version: 2 }));
  ev.load(v2, now());
  refuses(() => ev.load(signer.envelope(payload({ version: 1 })), now()), "ROLLBACK");
  assert.equal(ev.info.version, 2);
  assert.equal(ev.string("banner", ev.context({}), "x"), "banner-v2");
  assert.equal(ev.load(v2, now()).version, 2, "the same bytes again are a no-op");
  const conflicting = payload({ version: 2, flags: { extra: { type: "boolean", variants: { on: true }, offVariant: "on" } } });
  refuses(() => ev.load(signer.envelope(conflicting), now()), "VERSION_CONFLICT");
});

test("an expired snapshot is refused; clock skew inside the allowance is accepted", () => {
  refuses(() => evaluator().load(signer.envelope(payload({ expiresInMs: -600_000 })), now()), "EXPIRED");
  assert.equal(evaluator().load(signer.envelope(payload({ expiresInMs: -60_000 })), now()).version, 1);
  refuses(() => evaluator({ clockSkewMs: 0 }).load(signer.envelope(payload({ expiresInMs: -60_000 })), now()), "EXPIRED");
});

test("malformed payloads are refused without a crash", () => {
  const dup = '{"schema":"edgeflag/v1","schema":"edgeflag/v1"}';
  refuses(() => evaluator().load(signer.envelope(dup), now()), "INVALID_JSON");
  refuses(() => evaluator().load(signer.envelope({ ...payload(), schema: "edgeflag/v2" }), now()), "UNSUPPORTED_SCHEMA");
  const deep = "[".repeat(10_000) + "]".repeat(10_000);
  refuses(() => evaluator().load(signer.envelope(deep), now()), "INVALID_JSON");
  const notUtf8 = signer.signBytes(Buffer.from([0x7b, 0xff, 0x7d]));
  assert.throws(() => evaluator().load(JSON.stringify(notUtf8), now()), EdgeflagError);
  // An error inside one flag's definition degrades that flag only (FORMAT.md §6)...
  const bad = payload({ flags: { x: { type: "boolean", variants: { on: true }, offVariant: "nope" },
    y: { type: "boolean", variants: { on: true }, offVariant: "on" } } });
  const degraded = evaluator();
  degraded.load(signer.envelope(bad), now());
  assert.deepEqual(degraded.degradedFlags(), [{ key: "x", message: 'flags.x.offVariant: unknown variant "nope"', needsRegex: false }]);
  const d = degraded.details("x", degraded.context({}), true);
  assert.equal(d.value, true);
  assert.equal(d.reason, "ERROR");
  assert.equal(d.errorCode, "PARSE_ERROR");
  assert.equal(degraded.bool("x", degraded.context({}), true), true);
  assert.equal(degraded.bool("y", degraded.context({}), false), true);
  // ...while structural errors (here a prerequisite cycle) refuse the snapshot.
  const cycle = payload({ flags: { x: { type: "boolean", variants: { on: true }, offVariant: "on",
    prerequisites: [{ flag: "x", variants: ["on"] }] } } });
  refuses(() => evaluator().load(signer.envelope(cycle), now()), "INVALID_SNAPSHOT");
  for (const junk of ["", "null", "[]", "{", "not json", '{"payloadType":1}']) {
    assert.throws(() => evaluator().load(junk, now()), EdgeflagError, junk);
  }
});

test("oversized envelopes are refused before parsing", () => {
  refuses(() => evaluator({ maxBytes: 1000 }).load(signer.envelope(payload()), now()), "TOO_LARGE");
});

test("unknown fields are ignored and URL-safe base64 is accepted", () => {
  const p = { ...payload(), futureField: { anything: [1, 2] } };
  const env = JSON.parse(signer.envelope(p));
  env.payload = Buffer.from(env.payload, "base64").toString("base64url");
  env.extra = true;
  assert.equal(evaluator().load(JSON.stringify(env), now()).version, 1);
});

test("constructor options that cannot work throw a clear EdgeflagError", () => {
  const cases = [
    [undefined, /options/],
    [{ environment: "production" }, /publicKeys/],
    [{ publicKeys: [signer.publicKey] }, /environment/],
    [{ publicKeys: ["ed25519:AAAA"], environment: "production" }, /key/i],
    [{ publicKeys: ["rsa:" + signer.publicKey.slice(8)], environment: "production" }, /key|ed25519/i],
    [{ publicKeys: [signer.publicKey], environment: "production", threshold: 2 }, /threshold/i],
    [{ publicKeys: [signer.publicKey], environment: 42 }, /environment/],
    [{ publicKeys: [signer.publicKey], environment: "production" }, /no owner/],
    [{ publicKeys: [signer.publicKey], environment: "production", owner: "shop", anyOwner: true }, /owner/],
    [{ publicKeys: [signer.publicKey], environment: "production", owner: "shop", anyOwner: "yes" }, /anyOwner/],
    [{ publicKeys: [signer.publicKey], environment: "production", owner: "shop", minVersion: -1 }, /minVersion/],
    [{ publicKeys: [signer.publicKey], environment: "production", owner: "shop", maxAge: 0 }, /max age/],
  ];
  for (const [options, message] of cases) {
    for (const make of [() => new Evaluator(options), () => createClient(options)]) {
      assert.throws(make, (e) => {
        assert.ok(e instanceof EdgeflagError, String(e));
        assert.match(e.code, /^INVALID_(ARGUMENT|POLICY)$/);
        assert.match(e.message, message);
        return true;
      }, JSON.stringify(options));
    }
  }
  // The weak (small-order) key: the identity point.
  const weak = "ed25519:" + Buffer.from([1, ...new Array(31).fill(0)]).toString("base64");
  assert.throws(() => createClient({ publicKeys: [weak], environment: "production", owner: "shop" }), EdgeflagError);
});

test("client-only options are checked at construction too", () => {
  const base = { publicKeys: [signer.publicKey], environment: "production", owner: "shop" };
  for (const extra of [{ url: 42 }, { pollIntervalMs: 0 }, { timeoutMs: -1 }, { storage: {} }, { onExposure: "x" }, { stream: 1 }, { fetch: {} }]) {
    assert.throws(() => createClient({ ...base, ...extra }), (e) => e instanceof EdgeflagError && e.code === "INVALID_ARGUMENT", JSON.stringify(extra));
  }
});
