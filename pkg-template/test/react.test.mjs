// edgeflag/react on the server, with the real react and react-dom from npm: rendering with a
// signed envelope, the bootstrap script (escaped against </script> injection), stable values
// between snapshot changes, and defaults without a provider. The browser side (hydration,
// render counts, no request on a context change) is in react-browser.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { createClient } from "edgeflag";
import {
  EdgeflagBootstrap,
  EdgeflagProvider,
  bootstrapData,
  bootstrapScript,
  useEdgeflagStatus,
  useFlag,
  useFlagDetails,
  useFlags,
} from "edgeflag/react";
import { makeSigner, payload } from "./helpers/signer.mjs";

const signer = makeSigner();
const serverClient = (envelope) =>
  createClient({ publicKeys: [signer.publicKey], owner: "shop", environment: "production", storage: null, bootstrap: envelope });

function Page() {
  const checkout = useFlag("new-checkout", false);
  const banner = useFlag("banner", "none");
  const details = useFlagDetails("new-checkout", false);
  const all = useFlags();
  const status = useEdgeflagStatus();
  return h("main", null, `${checkout}|${banner}|${details.reason}|${Object.keys(all).length}|${status}`);
}

test("the server renders the snapshot's values and the bootstrap the browser verifies", () => {
  const envelope = signer.envelope(payload({ version: 3 }));
  const client = serverClient(envelope);
  const html = renderToString(
    h(EdgeflagProvider, { client, context: { targetingKey: "u1", plan: "pro" } }, h(Page), h(EdgeflagBootstrap, { client })),
  );
  assert.match(html, /<main>true\|banner-v3\|TARGETING_MATCH\|3\|READY<\/main>/);
  const script = /<script type="application\/json" id="edgeflag-bootstrap">(.*?)<\/script>/.exec(html);
  assert.ok(script, html);
  const boot = JSON.parse(script[1]);
  assert.equal(boot.envelope, envelope, "the envelope exactly as signed");
  assert.deepEqual(boot.values, client.values({ targetingKey: "u1", plan: "pro" }), "the provider's context");
  assert.equal(boot.status, "READY");
  assert.equal(bootstrapScript(client, { context: { targetingKey: "u1", plan: "pro" } }), script[0]);
  // A browser client given that text serves the same values before any request.
  const browser = serverClient(script[1]);
  assert.equal(browser.bool("new-checkout", { plan: "pro" }, false), true);
  assert.equal(browser.status, "READY");
  assert.equal(browser.envelope, envelope);
  assert.deepEqual(browser.rendered, { values: boot.values, status: "READY", context: { targetingKey: "u1", plan: "pro" } });
});

test("bootstrapData as a prop (a server component to a client component): the same render on both sides", () => {
  const context = { targetingKey: "u1", plan: "pro" };
  const server = serverClient(signer.envelope(payload({ version: 4 })));
  const data = bootstrapData(server, { context });
  assert.deepEqual(Object.keys(data), ["envelope", "values", "status", "context"]);
  assert.equal(data.envelope, server.envelope);
  // The prop travels serialized (the RSC payload); the client component's client verifies it again.
  const prop = JSON.parse(JSON.stringify(data));
  const component = serverClient(prop);
  assert.equal(component.status, "READY");
  const page = (client) => renderToString(h(EdgeflagProvider, { client, context }, h(Page)));
  assert.equal(page(component), page(server));
  assert.match(page(component), /<main>true\|banner-v4\|/);
  assert.equal(bootstrapData(undefined), undefined);
});

test("a server without a snapshot still writes a bootstrap: the defaults it rendered, to hydrate with", () => {
  const context = { targetingKey: "u1", plan: "pro" };
  const empty = serverClient(undefined);
  const data = bootstrapData(empty, { context });
  assert.deepEqual(data, { envelope: null, values: {}, status: "NOT_READY", context });
  const html = renderToString(h(EdgeflagProvider, { client: empty, context }, h(Page), h(EdgeflagBootstrap)));
  assert.match(html, /<main>false\|none\|ERROR\|0\|NOT_READY<\/main>/);
  const script = /<script type="application\/json" id="edgeflag-bootstrap">(.*?)<\/script>/.exec(html);
  assert.deepEqual(JSON.parse(script[1]), data);
  // A returning visitor's browser has a verified snapshot of its own (here: a bootstrap-less
  // client that loads one); hydration still reproduces the server's defaults, from `rendered`.
  const browser = createClient({ publicKeys: [signer.publicKey], owner: "shop", environment: "production", storage: null, bootstrap: script[1] });
  assert.deepEqual(browser.rendered, { values: {}, status: "NOT_READY", context });
  assert.equal(browser.envelope, undefined);
  const live = serverClient(signer.envelope(payload({ version: 5 })));
  // The server-snapshot path of the hooks (what hydrateRoot reads) is what renderToString reads:
  // with the live client's values under the empty server's `rendered`, the defaults come back.
  Object.defineProperty(live, "rendered", { value: browser.rendered });
  assert.match(renderToString(h(EdgeflagProvider, { client: live, context }, h(Page))), /<main>false\|none\|TARGETING_MATCH\|0\|NOT_READY<\/main>/);
  assert.match(renderToString(h(EdgeflagProvider, { client: live, context: { plan: "other" } }, h(Page))), /<main>false\|banner-v5\|/, "another context hydrates live");
  browser.close();
});

test("a bootstrap's rendered values are never trusted: a bad envelope serves defaults with ERROR", () => {
  const envelope = JSON.parse(signer.envelope(payload()));
  const sig = envelope.signatures[0].sig;
  envelope.signatures[0].sig = (sig[0] === "A" ? "B" : "A") + sig.slice(1);
  const tampered = JSON.stringify({ envelope: JSON.stringify(envelope), values: { "new-checkout": true }, status: "READY" });
  const browser = serverClient(tampered);
  assert.equal(browser.status, "ERROR");
  const d = browser.details("new-checkout", { plan: "pro" }, false);
  assert.deepEqual([d.value, d.reason], [false, "ERROR"]);
  assert.deepEqual(browser.rendered.values, { "new-checkout": true }, "kept for hydration only");
  browser.close();
});

test("the bootstrap cannot end its script element, whatever the envelope and values hold", () => {
  const evil = "</script><script>alert(1)</script><!--\u2028&";
  const hostile = { envelope: `{"x":"${evil}"}`, values: () => ({ [evil]: evil }), status: "READY" };
  const tag = bootstrapScript(hostile, { id: '"><script>' });
  assert.equal(tag.match(/<\/script>/g).length, 1, tag);
  assert.equal(tag.match(/<script/g).length, 1, tag);
  assert.ok(!tag.includes("<!--") && !tag.includes("\u2028"), tag);
  const json = tag.slice(tag.indexOf(">") + 1, tag.lastIndexOf("</script>"));
  assert.deepEqual(JSON.parse(json), { envelope: hostile.envelope, values: { [evil]: evil }, status: "READY" }, "still the same JSON");
  const html = renderToString(h(EdgeflagBootstrap, { client: hostile }));
  assert.equal(html.match(/<\/script>/g).length, 1, html);
  assert.equal(bootstrapScript(undefined), "");
});

test("a context changes the values; without a snapshot the defaults are served", () => {
  const client = serverClient(signer.envelope(payload({ version: 1 })));
  const render = (context) => renderToString(h(EdgeflagProvider, { client, context }, h(Page)));
  assert.match(render({ plan: "pro" }), /<main>true\|/);
  assert.match(render({ plan: "free" }), /<main>false\|/);
  assert.match(render({ targetingKey: "user-1" }), /<main>true\|/, "an individual target");
  const empty = createClient({ publicKeys: [signer.publicKey], owner: "shop", environment: "production", storage: null });
  const html = renderToString(h(EdgeflagProvider, { client: empty }, h(Page)));
  assert.match(html, /<main>false\|none\|ERROR\|0\|NOT_READY<\/main>/);
  empty.close();
});

test("without a provider the hooks serve defaults and warn once", (t) => {
  const warnings = [];
  t.mock.method(console, "warn", (m) => warnings.push(m));
  const html = renderToString(h("div", null, h(Page), h(Page)));
  assert.match(html, /false\|none\|ERROR\|0\|ERROR/);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /EdgeflagProvider/);
});
