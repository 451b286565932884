// Scenarios of companion.test.mjs, each run in a child process of its own (so that whether the
// companion module was imported is the scenario's alone): `node regex-scenarios.mjs NAME`
// prints what the client did as JSON.
import { createServer } from "node:http";
import { createClient } from "edgeflag";
import { makeSigner, payload } from "./signer.mjs";

const signer = makeSigner();
/** A flag that needs the companion module: `matches` on the email. */
const staff = {
  staff: {
    type: "boolean",
    variants: { on: true, off: false },
    offVariant: "off",
    rules: [{ id: "corp", conditions: [{ attribute: "email", op: "matches", values: ["@corp\\.example$"] }], serve: { variant: "on" } }],
    defaultServe: { variant: "off" },
  },
};
const plain = (version) => signer.envelope(payload({ version }));
const withRegex = (version) => signer.envelope(payload({ version, flags: staff }));
const options = { publicKeys: [signer.publicKey], environment: "production", owner: "shop" };
const ANA = { targetingKey: "ana", email: "ana@corp.example" };
const BOB = { targetingKey: "bob", email: "bob@elsewhere.example" };

function observe(client) {
  const seen = { events: [], errors: [] };
  for (const type of ["ready", "change", "error", "stale"]) {
    client.on(type, (e) => {
      seen.events.push(type);
      if (e.error) seen.errors.push(e.error.code);
    });
  }
  return seen;
}

function evaluate(client, ctx = ANA) {
  const d = client.details("staff", ctx, false);
  return { value: d.value, reason: d.reason, errorCode: d.errorCode ?? null };
}

const scenarios = {
  // A snapshot without `matches`: evaluation and refreshes on the core build only.
  async plain() {
    const client = createClient({ ...options, storage: null, bootstrap: plain(1) });
    const seen = observe(client);
    const ready = await client.ready(2000);
    return { ready, banner: client.string("banner", BOB, "none"), staff: evaluate(client), ...seen };
  },
  // The page's envelope uses `matches`: the first load awaits the companion.
  async bootstrap() {
    const client = createClient({ ...options, storage: null, bootstrap: withRegex(1) });
    const seen = observe(client);
    const ready = await client.ready(2000);
    return { ready, status: client.status, version: client.info?.version, ana: evaluate(client), bob: evaluate(client, BOB),
      banner: client.string("banner", BOB, "none"), ...seen };
  },
  // Polling: v1 without `matches`, then v2 with it. A context compiled before the switch still
  // works after it; the stored last-known-good is v2 and a client restoring it switches too.
  async poll() {
    let served = plain(1);
    const server = createServer((req, res) => res.writeHead(200, { "content-type": "application/json" }).end(served));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const stored = new Map();
    const storage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v), removeItem: (k) => stored.delete(k) };
    const client = createClient({ ...options, storage, url: `http://127.0.0.1:${server.address().port}/`, pollIntervalMs: 60_000 });
    const seen = observe(client);
    const ready = await client.ready(2000);
    const ctx = client.context(ANA);
    const before = evaluate(client, ctx);
    served = withRegex(2);
    const changed = new Promise((resolve) => client.on("change", (e) => resolve(e.changed)));
    await client.refresh();
    const change = await changed;
    const after = { version: client.info?.version, status: client.status, ana: evaluate(client, ctx), bob: evaluate(client, BOB) };
    client.close();
    server.close();
    const restoring = createClient({ ...options, storage });
    const restored = { ready: await restoring.ready(2000), version: restoring.info?.version, ana: evaluate(restoring, ANA), stored: stored.size };
    return { ready, before, change, after, restored, ...seen };
  },
};

const name = process.argv[2];
console.log(JSON.stringify(await scenarios[name]()));
process.exit(0);
