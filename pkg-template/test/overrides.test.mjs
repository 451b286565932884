// Local overrides: the `key:value,...` format, the client honouring the page's overrides only
// when allowed (localStorage, then the URL; code wins over both), reason OVERRIDE,
// and malformed parts ignored with one warning naming them. The browser's own location,
// localStorage and document.cookie are exercised in devtools-browser.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createClient, EdgeflagError } from "edgeflag";
import { cookieValue, formatOverrides, overrideAs, parseOverrides, queryParameter, readOverrides, urlOverrides } from "edgeflag/overrides";
import { makeSigner, payload } from "./helpers/signer.mjs";

const signer = makeSigner();
const envelope = signer.envelope(payload());
const base = { publicKeys: [signer.publicKey], environment: "production", owner: "shop", storage: null, bootstrap: envelope };
const memory = (items) => ({ getItem: (k) => items[k] ?? null });

/** Runs `fn` with console.warn captured; returns its messages. */
function warnings(t, fn) {
  const warn = t.mock.method(console, "warn", () => {});
  fn();
  const messages = warn.mock.calls.map((c) => c.arguments.join(" "));
  warn.mock.restore();
  return messages;
}

test("the format: JSON values, else text; percent-decoding after splitting; malformed parts returned", () => {
  const { values, malformed } = parseOverrides('a:true,b:3,c:{"cols":2},d:hello,e:Hi%2C%20there%3A%20you,f:"true",g:,:x,nocolon,h:%E0%A4%A,i:null, ,j+k:a+b');
  assert.deepEqual(Object.fromEntries([...values].map(([k, v]) => [k, v.value])), {
    a: true, b: 3, c: { cols: 2 }, d: "hello", e: "Hi, there: you", f: "true", g: "", i: "null", "j k": "a b",
  });
  assert.equal(values.get("b").text, "3");
  assert.deepEqual(malformed, [":x", "nocolon", "h:%E0%A4%A"]);
  assert.deepEqual(parseOverrides(undefined), { values: new Map(), malformed: [] });
});

test("formatOverrides writes what parseOverrides reads back, for awkward keys and values", () => {
  const flags = {
    "new-checkout": true, "max-items": 12.5, banner: "Hello, world: 100% + more", looks_true: "true", looks_number: "42",
    "ключ": "значение 🎉", layout: { cols: 2, name: "a,b:c" }, "a=b&c;d": "e#f", quote: '"x"', empty: "",
  };
  const text = formatOverrides(flags);
  assert.doesNotMatch(text, /[;\s"]/, "fits a cookie and a URL");
  const { values, malformed } = parseOverrides(text);
  assert.deepEqual(malformed, []);
  assert.deepEqual(Object.fromEntries([...values].map(([k, v]) => [k, v.value])), flags);
  assert.equal(formatOverrides(new Map([["x", false], ["y", undefined]])), "x:false");
});

test("query parameters and cookies are found by name, raw", () => {
  assert.equal(queryParameter("https://a.example/p?x=1&edgeflag=a:true,b:Hi%2C#frag", "edgeflag"), "a:true,b:Hi%2C");
  assert.equal(queryParameter("https://a.example/p?edgeflags=1", "edgeflag"), undefined);
  assert.equal(queryParameter("https://a.example/p?edgeflag", "edgeflag"), "");
  assert.equal(queryParameter(undefined, "edgeflag"), undefined);
  assert.equal(cookieValue("a=1; edgeflag-overrides=x%3Atrue; b=2", "edgeflag-overrides"), "x%3Atrue");
  assert.equal(cookieValue("", "edgeflag-overrides"), undefined);
});

test("?edgeflag= written by URLSearchParams (encoded once more) reads like one written by hand", () => {
  const url = new URL("https://x.example/page");
  url.searchParams.set("edgeflag", "new-checkout:true,banner:Hi%2C there");
  assert.equal(urlOverrides(url.href), "new-checkout:true,banner:Hi%2C there");
  assert.equal(urlOverrides("https://x.example/?edgeflag=a:Hi%2C%20there"), "a:Hi%2C%20there", "by hand: as it is");
  assert.equal(urlOverrides("https://x.example/"), undefined);
  const { values } = parseOverrides(urlOverrides(url.href));
  assert.deepEqual([...values].map(([k, v]) => [k, v.value]), [["new-checkout", true], ["banner", "Hi, there"]]);
});

test("null forced values release, never serve null", () => {
  const client = createClient({ ...base, overrides: { values: { "new-checkout": null, banner: "x" } } });
  assert.equal(client.details("new-checkout", { plan: "pro" }, false).reason, "TARGETING_MATCH");
  client.override("banner", null);
  assert.equal(client.details("banner", {}, "").reason, "STATIC");
  client.override({ layout: null });
  assert.deepEqual(client.object("layout", {}, { d: 1 }), { d: 1 });
  client.close();
});

test("an override serves a string flag its text, and is a type mismatch where the type cannot match", () => {
  const { values } = parseOverrides("n:123,t:true,s:word");
  assert.equal(overrideAs(values.get("n"), "string"), "123");
  assert.equal(overrideAs(values.get("n"), "number"), 123);
  assert.equal(overrideAs(values.get("t"), "string"), "true");
  assert.equal(overrideAs(values.get("s"), "boolean"), undefined);
  assert.equal(overrideAs({ value: 1 }, "string"), undefined, "a value forced in code is not converted");
});

test("allowed: the URL's overrides win over the snapshot, with reason OVERRIDE", () => {
  const client = createClient({
    ...base,
    overrides: { allow: true, url: "https://shop.example/cart?edgeflag=new-checkout:true,banner:Hi%2C%20there" },
  });
  const d = client.details("new-checkout", { plan: "free" }, false);
  assert.deepEqual([d.value, d.reason, d.variant, d.errorCode], [true, "OVERRIDE", "override", undefined]);
  assert.equal(client.bool("new-checkout", { plan: "free" }, false), true);
  assert.equal(client.string("banner", {}, ""), "Hi, there");
  const all = client.all({ targetingKey: "u1", plan: "free" });
  assert.deepEqual([all.banner.value, all.banner.reason], ["Hi, there", "OVERRIDE"]);
  assert.equal(client.details("new-checkout", { plan: "pro" }, false).reason, "OVERRIDE");
  // Flags not overridden evaluate as the snapshot says.
  assert.equal(all.experiment.reason, "SPLIT");
  client.close();
});

test("a string flag overridden with text that reads as JSON gets the text, in every read", () => {
  const client = createClient({ ...base, overrides: { allow: true, url: "https://x.example/?edgeflag=experiment:42,banner:true" } });
  assert.equal(client.string("experiment", {}, ""), "42");
  assert.equal(client.string("banner", {}, ""), "true");
  const all = client.all({ targetingKey: "u1" });
  assert.deepEqual([all.experiment.value, all.experiment.reason], ["42", "OVERRIDE"], "all() types by the flag's value");
  assert.deepEqual(client.values({}).banner, "true");
  assert.equal(client.details("experiment", {}).value, 42, "an untyped read takes the JSON value");
  client.close();
});

test("not allowed (the default): the page's overrides are never read", (t) => {
  const reads = [];
  const storage = { getItem: (k) => (reads.push(k), "new-checkout:true") };
  const sources = { url: "https://shop.example/?edgeflag=new-checkout:true,bad", storage };
  for (const overrides of [undefined, { ...sources }, { ...sources, allow: false }]) {
    const messages = warnings(t, () => {
      const client = createClient({ ...base, ...(overrides && { overrides }) });
      const d = client.details("new-checkout", { plan: "free" }, true);
      assert.deepEqual([d.value, d.reason], [false, "STATIC"]);
      client.close();
    });
    assert.deepEqual(messages, []);
  }
  assert.deepEqual(reads, []);
});

test("precedence: localStorage, then the URL, then values forced in code", () => {
  const client = createClient({
    ...base,
    overrides: {
      allow: true,
      storage: memory({ "edgeflag:overrides": "a:storage,b:storage,c:storage" }),
      url: "https://x.example/?edgeflag=b:url,c:url",
      values: { c: "code" },
    },
  });
  assert.deepEqual(["a", "b", "c"].map((k) => client.string(k, {}, "")), ["storage", "url", "code"]);
  client.override("a", "later");
  assert.equal(client.string("a", {}, ""), "later");
  client.clearOverrides();
  assert.equal(client.string("a", {}, "default"), "default", "clearOverrides() releases the page's too");
  client.close();
});

test("malformed parts are ignored with one warning per source naming them; the rest apply", (t) => {
  let client;
  const messages = warnings(t, () => {
    client = createClient({
      ...base,
      overrides: { allow: true, url: "https://x.example/?edgeflag=new-checkout:true,oops,banner%3Anot-decoded:%ZZ", storage: memory({ "edgeflag:overrides": "fine:1" }) },
    });
  });
  assert.equal(messages.length, 1, messages.join("\n"));
  assert.match(messages[0], /^edgeflag: ignored malformed override "oops", "banner%3Anot-decoded:%ZZ" in \?edgeflag= \(expected key:value/);
  assert.equal(client.bool("new-checkout", { plan: "free" }, false), true);
  assert.equal(client.number("fine", {}, 0), 1);
  client.close();
});

test("an override of the wrong type is a TYPE_MISMATCH that serves the default, never a throw", () => {
  const client = createClient({ ...base, overrides: { allow: true, url: "https://x.example/?edgeflag=new-checkout:maybe" } });
  const d = client.details("new-checkout", {}, true);
  assert.deepEqual([d.value, d.reason, d.errorCode], [true, "ERROR", "TYPE_MISMATCH"]);
  assert.match(d.errorMessage, /override of "new-checkout" is not a boolean/);
  assert.equal(client.bool("new-checkout", {}, true), true);
  const all = client.all({});
  assert.deepEqual([all["new-checkout"].value, all["new-checkout"].errorCode], [null, "TYPE_MISMATCH"]);
  client.close();
});

test("sources that are missing or throw are skipped: a server has no location, a sandbox no storage", () => {
  const throwing = { getItem() { throw new Error("SecurityError"); } };
  const async = { getItem: async () => "a:true" };
  assert.deepEqual(readOverrides({ storage: throwing }), new Map());
  assert.deepEqual(readOverrides({ storage: async }), new Map());
  const client = createClient({ ...base, overrides: { allow: true } });
  assert.equal(client.details("new-checkout", { plan: "pro" }, false).reason, "TARGETING_MATCH");
  client.close();
});

test("bad override options are refused at construction, naming the option", () => {
  const cases = [
    [{ overrides: "yes" }, /options\.overrides must be an object/],
    [{ overrides: { allow: "yes" } }, /options\.overrides\.allow must be a boolean/],
    [{ overrides: { "new-checkout": true } }, /options\.overrides\.new-checkout is not an option .*forced values go in options\.overrides\.values/],
    [{ overrides: { values: 3 } }, /options\.overrides\.values must be an object/],
    [{ overrides: { allow: true, url: 3 } }, /options\.overrides\.url must be a string or a URL/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => createClient({ ...base, ...options }), (e) => e instanceof EdgeflagError && e.code === "INVALID_ARGUMENT" && message.test(e.message));
  }
});
