// The admin UI's size budget (a plain test, not a timing): every asset `edgeflag serve`
// embeds (src/server/ui: HTML, CSS, ES modules), gzipped one by one as a browser fetches
// them, under 60 KB in all. The npm package is not part of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const UI = new URL("../../src/server/ui/", import.meta.url).pathname;
const BUDGET = 60_000;

test(`the admin UI's assets stay under ${BUDGET} bytes gzipped`, () => {
  const assets = readdirSync(UI).filter((name) => /\.(js|css|html)$/.test(name));
  const served = readFileSync(join(UI, "mod.rs"), "utf8");
  let total = 0;
  const sizes = [];
  for (const name of assets) {
    assert.ok(served.includes(`include_str!("${name}")`), `${name} is in src/server/ui but not served (mod.rs)`);
    const gz = gzipSync(readFileSync(join(UI, name)), { level: 9 }).length;
    sizes.push(`${name} ${gz}`);
    total += gz;
  }
  console.log(`# admin UI: ${total} B gzipped (${sizes.join(", ")}); budget ${BUDGET}`);
  assert.ok(total < BUDGET, `${total} B gzipped, over the ${BUDGET} B budget`);
});
