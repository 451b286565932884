// The demo page: one edgeflag client, created from the bootstrap the worker injected (so the
// first paint already shows the right variants), kept fresh by the snapshot stream, and
// re-evaluated locally whenever the context form changes — no request per evaluation.
import { createClient } from "edgeflag";
import config from "./config.js";
import { renderStore } from "./storefront.js";
import { renderFlags, renderSnapshot } from "./inspector.js";
import { renderCharts, fillChartChoices } from "./charts.js";

const bootstrapElement = document.getElementById("edgeflag-bootstrap");
const bootstrap = bootstrapElement ? JSON.parse(bootstrapElement.textContent) : undefined;

const client = createClient({
  url: config.snapshotUrl,
  stream: config.streamUrl,
  publicKeys: config.publicKeys,
  owner: config.owner,
  environment: config.environment,
  bootstrap: bootstrap?.envelope,
  storageKey: "edgeflag-demo",
  // A demo is development: ?edgeflag=new-checkout:true and the dev panel's flips count here.
  overrides: { allow: true },
});
// For tests and curious visitors: the client is on the window.
window.edgeflag = client;

const form = document.getElementById("context");
if (bootstrap?.context?.targetingKey) form.elements.targetingKey.value = bootstrap.context.targetingKey;
if (bootstrap?.context?.country) form.elements.country.value = bootstrap.context.country;

/** The context from the form: a new object per change (contexts are compiled once per object). */
function currentContext() {
  const data = new FormData(form);
  const ctx = {};
  for (const [k, v] of data) if (String(v).trim() !== "") ctx[k] = String(v).trim();
  return ctx;
}

let ctx = currentContext();
let previous = {};

// The charts evaluate some 22,000 times (about half a second): they are drawn after the
// storefront and the table have painted, and several changes in a row draw them once.
let chartsPending = false;
function scheduleCharts() {
  if (chartsPending) return;
  chartsPending = true;
  requestAnimationFrame(() =>
    setTimeout(() => {
      chartsPending = false;
      renderCharts(client, ctx);
    }, 0),
  );
}

function render() {
  const all = client.all(ctx);
  renderStore(all);
  previous = renderFlags(all, previous);
  renderSnapshot(client);
  fillChartChoices(Object.keys(all));
  scheduleCharts();
}

// The dev panel is a separate module, fetched on the first click only.
let panel;
document.getElementById("devtools").addEventListener("click", async () => {
  if (panel) return void panel.toggleAttribute("open");
  const { showDevtools } = await import("edgeflag/devtools");
  panel = showDevtools(client, { context: ctx, open: true });
});

form.addEventListener("input", () => {
  ctx = currentContext();
  if (panel) panel.context = ctx;
  render();
});
document.getElementById("chart-flag").addEventListener("change", scheduleCharts);
for (const type of ["ready", "change", "stale", "error", "recovered"]) client.on(type, render);
setInterval(() => renderSnapshot(client), 1000);
render();
