// @growthbook/growthbook behind the harness's engine interface (see ../compare.mjs). GrowthBook
// can be used in several ways, and the harness measures each and reports the fastest, so the
// peer is not handicapped by our choice:
//   - GrowthBookClient (the multi-user SDK for servers): evalFeature(key, { attributes });
//   - GrowthBook (the single-user SDK for browsers): one instance holding the user's attributes;
//   - from the package's Node entry (dist/esm, which tests process.env.NODE_ENV on every rule,
//     a slow property in Node) and from its own browser bundle (dist/bundles/esm.min.js, where
//     those tests are compiled away).
// `load` is what a client does with a payload it fetched: JSON.parse, then initSync.

/** @param modules { label: module exports } of the builds to measure; the first load variant builds the instance. */
export function growthbookEngine(modules) {
  const builds = Object.entries(modules);
  const variants = (make) => Object.fromEntries(builds.flatMap(([label, M]) => make(M).map(([name, fn]) => [`${name} [${label}]`, fn])));
  return {
    name: "growthbook",
    load: variants((M) => [
      ["GrowthBookClient.initSync", (text) => new M.GrowthBookClient().initSync({ payload: JSON.parse(text) })],
      ["GrowthBook.initSync", (text) => new M.GrowthBook().initSync({ payload: JSON.parse(text) })],
    ]),
    unload(gb) {
      gb.destroy();
    },
    single(client, key, attributes) {
      const payload = client.getPayload();
      return variants((M) => {
        const own = new M.GrowthBookClient().initSync({ payload });
        const user = { attributes };
        const gb = new M.GrowthBook({ attributes }).initSync({ payload });
        return [
          ["GrowthBookClient.isOn", () => own.isOn(key, user)],
          ["GrowthBook.isOn", () => gb.isOn(key)],
        ];
      });
    },
    /** Cases for every flag of a new context; each gets its own state. */
    all(client) {
      const payload = client.getPayload();
      return variants((M) => {
        const own = new M.GrowthBookClient().initSync({ payload });
        const gb = new M.GrowthBook().initSync({ payload });
        return [
          [
            "GrowthBookClient.evalFeature",
            (attributes, keys) => {
              const user = { attributes };
              const out = {};
              for (const key of keys) out[key] = own.evalFeature(key, user).value;
              return out;
            },
          ],
          [
            // One long-lived browser instance, told about the new user.
            "GrowthBook.setAttributes",
            (attributes, keys) => {
              gb.setAttributes(attributes);
              const out = {};
              for (const key of keys) out[key] = gb.evalFeature(key).value;
              return out;
            },
          ],
        ];
      });
    },
    /** For the agreement check: `{ key: { value, ruleId, source } }`. */
    explain(client, attributes, keys) {
      const user = { attributes };
      const out = {};
      for (const key of keys) {
        const r = client.evalFeature(key, user);
        out[key] = { value: r.value, ruleId: r.ruleId, source: r.source };
      }
      return out;
    },
  };
}
