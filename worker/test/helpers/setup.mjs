// The usual arrangement of a suite: a signer, an origin serving a signed snapshot, and the
// worker reading it; waits until the worker serves that snapshot.
import assert from "node:assert/strict";
import { makeSigner, payload } from "./signer.mjs";
import { startOrigin, until } from "./origin.mjs";
import { startWorker, varsFor } from "./worker.mjs";

export async function setup(t, { flags, version = 1, vars = {}, entry, cf, cachePersist, assets, origin: originOptions } = {}) {
  const signer = makeSigner();
  const origin = await startOrigin(t, { ...originOptions, envelope: signer.envelope(payload({ version, ...(flags && { flags }) })) });
  const worker = await startWorker(t, { vars: varsFor(origin, signer, vars), entry, cf, cachePersist, assets });
  const h = await worker.health();
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.equal(h.body.version, version);
  return { signer, origin, worker };
}

/** Publishes `version` at the origin and waits until the worker serves it. */
export async function publish(t, { signer, origin, worker }, version, extra = {}) {
  origin.envelope = signer.envelope(payload({ version, ...extra }));
  await until(async () => (await worker.health()).body.version === version, 10_000, `version ${version} at the worker`);
}
