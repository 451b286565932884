// The client's streams, storage, bootstrap, exposures and robustness, against a real local
// HTTP server: what an application sees, whatever the server or the caller does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EdgeflagError } from "edgeflag";
import { makeSigner, payload } from "./helpers/signer.mjs";
import { closedPortUrl, memoryStorage, nextEvent, sleep, until } from "./helpers/server.mjs";
import { client, PRO, readyClient, server, signer } from "./helpers/client.mjs";

test("SSE: updates arrive on the stream; polling continues", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv, { stream: true, pollIntervalMs: 60_000 });
  await until(() => srv.streams.size === 1, 5000, "stream");
  const change = nextEvent(c, "change");
  srv.push(signer.envelope(payload({ version: 5 })));
  assert.deepEqual((await change).changed, { from: 1, to: 5 });
  assert.equal(c.string("banner", {}, ""), "banner-v5");
  // A refused event keeps the last-known-good.
  const stale = nextEvent(c, "stale");
  srv.push(makeSigner().envelope(payload({ version: 6 })));
  assert.equal((await stale).error.code, "BAD_SIGNATURE");
  assert.equal(c.string("banner", {}, ""), "banner-v5");
});

test("SSE: a stream that ends is reconnected; a server without one means polling", async (t) => {
  const srv = await server(t);
  const c = await readyClient(t, srv, { stream: true });
  await until(() => srv.streams.size === 1, 5000, "stream");
  srv.endStreams();
  await until(() => srv.streams.size === 1, 5000, "reconnected stream");
  const plain = await server(t);
  plain.fault = "json-only";
  const c2 = client(t, plain.url, { stream: true });
  assert.equal(await c2.ready(5000), true);
  const change = nextEvent(c2, "change");
  plain.envelope = signer.envelope(payload({ version: 2 }));
  await change; // by polling
  await sleep(200);
  const sse = plain.requests.filter((r) => r.headers.accept === "text/event-stream");
  assert.equal(sse.length, 1, "a stream the server does not offer is not retried");
});

test("SSE events split across chunks, CRLF lines and comments are parsed", async (t) => {
  const env = signer.envelope(payload({ version: 7 }));
  const chunks = [": comment\r\n", "event: snap", "shot\r\ndata: ", env.slice(0, 50), env.slice(50), "\r", "\n\r\n"];
  const fetch = async () =>
    new Response(
      new ReadableStream({
        async start(ctrl) {
          for (const chunk of chunks) {
            ctrl.enqueue(new TextEncoder().encode(chunk));
            await sleep(5);
          }
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    );
  const c = client(t, undefined, { stream: "http://stream.invalid/", fetch });
  assert.equal(await c.ready(5000), true);
  assert.equal(c.info.version, 7);
});

test("last-known-good is persisted and restored (re-verified) without the network", async (t) => {
  const srv = await server(t, 3);
  const storage = memoryStorage();
  const first = await readyClient(t, srv, { storage });
  first.close();
  const stored = JSON.parse(storage.map.get("edgeflag:shop:production"));
  assert.equal(typeof stored.envelope, "string");
  assert.equal(stored.highWater.version, 3);
  const down = await closedPortUrl();
  const second = client(t, down, { storage });
  assert.equal(second.status, "READY", "restored synchronously");
  assert.equal(second.string("banner", {}, ""), "banner-v3");
  assert.equal(await second.ready(0), true);
  await nextEvent(second, "stale");
  assert.equal(second.string("banner", {}, ""), "banner-v3");
});

test("corrupt or forged storage is discarded; defaults are served", async (t) => {
  const down = await closedPortUrl();
  const forged = makeSigner().envelope(payload());
  const mark = { version: 1, sha256: "0".repeat(64) };
  const values = [
    "not json",
    '{"envelope": 5}',
    JSON.stringify({ envelope: forged, highWater: mark }),
    JSON.stringify({ envelope: signer.envelope(payload()), highWater: { version: "x" } }),
    JSON.stringify({ envelope: signer.envelope(payload()), highWater: { ...mark, version: 2 } }),
  ];
  for (const value of values) {
    const storage = memoryStorage({ "edgeflag:shop:production": value });
    const c = client(t, down, { storage });
    assert.equal(c.info, undefined);
    assert.equal(c.bool("new-checkout", PRO, false), false);
    await until(() => !storage.map.has("edgeflag:shop:production"), 2000, "discard");
  }
});

test("async storage works too", async (t) => {
  const srv = await server(t, 4);
  const map = new Map();
  const storage = {
    getItem: async (k) => map.get(k) ?? null,
    setItem: async (k, v) => void map.set(k, v),
    removeItem: async (k) => void map.delete(k),
  };
  (await readyClient(t, srv, { storage })).close();
  await until(() => map.size === 1, 2000, "persisted");
  const c = client(t, await closedPortUrl(), { storage });
  assert.equal(await c.ready(2000), true);
  assert.equal(c.info.version, 4);
});

test("bootstrap: evaluation is right synchronously, before any request", async (t) => {
  const srv = await server(t, 0); // no snapshot served: only the bootstrap
  const c = client(t, srv.url, { bootstrap: signer.envelope(payload({ version: 9 })) });
  assert.equal(c.status, "READY");
  assert.equal(c.string("banner", {}, ""), "banner-v9");
  assert.equal(c.bool("new-checkout", { targetingKey: "user-1" }, false), true);
  const events = [];
  c.on("ready", (e) => events.push(e.type));
  await sleep(0);
  assert.deepEqual(events, ["ready"], "listeners attached after createClient() hear ready");
  // The parsed object works as well; a forged bootstrap is refused (defaults, ERROR).
  const c2 = client(t, undefined, { bootstrap: JSON.parse(signer.envelope(payload({ version: 9 }))) });
  assert.equal(c2.info.version, 9);
  const c3 = client(t, undefined, { bootstrap: makeSigner().envelope(payload()) });
  assert.equal(c3.info, undefined);
  assert.equal(c3.status, "ERROR");
});

test("exposures: once per (flag, variant, unit), only for flags with trackEvents", async (t) => {
  const exposures = [];
  const c = client(t, undefined, {
    bootstrap: signer.envelope(payload()),
    onExposure: (e) => exposures.push(e),
  });
  for (let i = 0; i < 3; i++) {
    for (const unit of ["u1", "u2", "u3"]) c.string("experiment", { targetingKey: unit }, "control");
    c.bool("new-checkout", PRO, false); // not tracked: never an exposure
    c.details("experiment", { targetingKey: "u1" }, "control");
  }
  assert.equal(exposures.length, 3);
  assert.deepEqual(exposures.map((e) => e.unit).sort(), ["u1", "u2", "u3"]);
  for (const e of exposures) {
    assert.equal(e.flag, "experiment");
    assert.ok(["control", "treatment"].includes(e.variant));
    assert.equal(e.value, e.variant);
    assert.equal(e.version, 1);
  }
  c.all({ targetingKey: "u9" });
  assert.equal(exposures.length, 3, "all() reports no exposures");
  // A throwing hook does not break evaluation.
  const c2 = client(t, undefined, { bootstrap: signer.envelope(payload()), onExposure: () => { throw new Error("boom"); } });
  const original = console.error;
  console.error = () => {};
  try {
    assert.ok(["control", "treatment"].includes(c2.string("experiment", { targetingKey: "u1" }, "control")));
  } finally {
    console.error = original;
  }
});

test("evaluation never throws, whatever it is given", async (t) => {
  const c = client(t, undefined, { bootstrap: signer.envelope(payload()) });
  const cyclic = { targetingKey: "u" };
  cyclic.self = cyclic;
  const huge = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
  const deep = JSON.parse("[".repeat(5000) + "]".repeat(5000));
  for (const ctx of [null, 42, "user", [], cyclic, huge, { targetingKey: deep }, { targetingKey: Symbol("x") }, { f: () => 1 }]) {
    const d = c.details("new-checkout", ctx, false);
    assert.equal(d.value, false);
    assert.equal(d.errorCode, "INVALID_CONTEXT", String(ctx?.constructor?.name ?? ctx));
    assert.equal(c.bool("new-checkout", ctx, true), true);
  }
  for (const ctx of [{ big: 10n }, new Date(), new Map([["a", 1]]), Object.create(null), { targetingKey: "é".repeat(100_000) }]) {
    assert.equal(typeof c.details("new-checkout", ctx, false).value, "boolean");
  }
  for (const key of [undefined, null, 42, "", "x".repeat(100_000), {}]) {
    assert.equal(c.bool(key, PRO, true), true);
  }
  for (const def of [undefined, null, "str", 5, {}, [], Symbol("s"), () => 1]) {
    c.bool("new-checkout", PRO, def);
    c.string("banner", {}, def);
    c.number("banner", {}, def);
    c.object("banner", {}, def);
    c.details("banner", {}, def);
  }
  assert.equal(c.string("new-checkout", PRO, "d"), "d", "type mismatch gives the default");
  assert.equal(c.details("new-checkout", PRO, "d").errorCode, "TYPE_MISMATCH");
  assert.equal(c.details("missing", PRO, 1).errorCode, "FLAG_NOT_FOUND");
  c.close();
  assert.equal(c.bool("new-checkout", PRO, false), true, "after close()");
});

test("a compiled context and a cached plain object give the same answers", async (t) => {
  const c = client(t, undefined, { bootstrap: signer.envelope(payload()) });
  const ctx = c.context(PRO);
  assert.equal(c.bool("new-checkout", ctx, false), true);
  assert.equal(c.context({ plan: [] }).invalidReason, undefined);
  assert.equal(typeof c.context(null).invalidReason, "string");
  const n = 20_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) c.bool("new-checkout", PRO, false);
  const perCall = (performance.now() - start) / n;
  t.diagnostic(`${(perCall * 1000).toFixed(2)} µs per bool() with a cached plain context`);
});

test("listener failures do not break the client; unknown events are refused", async (t) => {
  const srv = await server(t);
  const c = client(t, srv.url);
  const original = console.error;
  const reported = [];
  console.error = (e) => reported.push(e);
  t.after(() => (console.error = original));
  c.on("ready", () => {
    throw new Error("listener bug");
  });
  const off = c.on("ready", () => {});
  off();
  assert.equal(await c.ready(5000), true);
  await sleep(0);
  assert.equal(reported.length, 1);
  assert.throws(() => c.on("nope", () => {}), EdgeflagError);
});

test("timers never keep a Node.js process alive", async () => {
  const { spawnSync } = await import("node:child_process");
  const url = await closedPortUrl();
  const script = `
    import { createClient } from "edgeflag";
    createClient({ url: ${JSON.stringify(url)}, publicKeys: [${JSON.stringify(signer.publicKey)}],
      environment: "production", owner: "shop", pollIntervalMs: 100000, stream: true });
    setTimeout(() => {}, 100);`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: import.meta.dirname, timeout: 20_000 });
  assert.equal(r.status, 0, String(r.stderr));
  assert.ok(Date.now() - started < 10_000);
});
