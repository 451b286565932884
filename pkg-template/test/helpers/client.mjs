// Shared by the client suites: a signer, contexts, a client with small intervals, a server.
import assert from "node:assert/strict";
import { createClient } from "edgeflag";
import { makeSigner, payload } from "./signer.mjs";
import { startServer } from "./server.mjs";

export const signer = makeSigner();
export const PRO = { targetingKey: "user-9", plan: "pro" };
export const FREE = { targetingKey: "user-9", plan: "free" };

export function client(t, url, extra = {}) {
  const c = createClient({
    url,
    publicKeys: [signer.publicKey],
    environment: "production",
    owner: "shop",
    storage: null,
    pollIntervalMs: 40,
    timeoutMs: 300,
    minBackoffMs: 20,
    maxBackoffMs: 80,
    ...extra,
  });
  t.after(() => c.close());
  return c;
}

export async function server(t, version = 1) {
  const srv = await startServer();
  if (version) srv.envelope = signer.envelope(payload({ version }));
  t.after(() => srv.close());
  return srv;
}

/** Starts a client on `srv` and waits until it serves a snapshot. */
export async function readyClient(t, srv, extra) {
  const c = client(t, srv.url, extra);
  assert.equal(await c.ready(5000), true);
  return c;
}
