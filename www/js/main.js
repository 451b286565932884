// The demo page: one edgeflag client, created from the bootstrap the worker injected (so the
// first paint already shows the right variants), kept fresh by the snapshot stream, and
// re-evaluated locally whenever the context form changes — no request per evaluation. The
// checkout is an experiment: the client reports the shopper's exposure and `purchase` events
// to the worker's /edgeflag/events, which forwards them to the backend.
import { createClient } from "edgeflag";
import config from "./config.js";
import { renderStore } from "./storefront.js";
import { renderFlags, renderSnapshot } from "./inspector.js";
import { renderCharts, fillChartChoices } from "./charts.js";
import { releasePanel } from "./release.js";

/** What the checkout charges (and the `value` of a purchase event). */
const PRICE = 49;
const EXPERIMENT = config.experimentFlag ?? "checkout-experiment";

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
  // Exposures of flags with trackEvents and track() calls, batched to the edge worker.
  events: { url: config.eventsUrl ?? "/edgeflag/events", flushIntervalMs: 1000 },
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
const release = releasePanel(client, config, () => ctx);

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

/** The analytics events' counters (client.eventStats()). */
function renderEvents() {
  for (const [field, n] of Object.entries(client.eventStats())) {
    const dd = document.querySelector(`#events [data-field="${field}"]`);
    if (dd) dd.textContent = String(n);
  }
}

/**
 * The shopper saw the checkout: evaluating the experiment with details() reports the exposure
 * (once per flag, variant and unit). Only for a settled context (the page's first, a changed
 * select, a field left), so that typing a targetingKey does not expose every prefix of it.
 */
function exposeCheckout() {
  return client.details(EXPERIMENT, ctx, "");
}

function render() {
  const all = client.all(ctx);
  renderStore(all, EXPERIMENT);
  previous = renderFlags(all, previous);
  renderSnapshot(client);
  renderEvents();
  release.paint();
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

// Checkout: a purchase of the experiment's unit, sent at once (flush) rather than with the next batch.
document.getElementById("checkout").addEventListener("click", async () => {
  const note = document.getElementById("purchase");
  const unit = ctx.targetingKey;
  if (!unit) {
    note.textContent = "No targetingKey in the context: nothing to track the purchase for.";
    return;
  }
  const d = exposeCheckout();
  client.track("purchase", { unit, value: PRICE });
  note.dataset.unit = unit;
  note.dataset.variant = d.variant ?? "";
  note.textContent = `Order placed: purchase of €${PRICE}.00 tracked for ${unit} (${EXPERIMENT}: ${d.variant ?? "–"})`;
  renderEvents();
  await client.flush();
  renderEvents();
});

form.addEventListener("input", () => {
  ctx = currentContext();
  if (panel) panel.context = ctx;
  render();
});
form.addEventListener("change", () => {
  exposeCheckout();
  release.check();
});
document.getElementById("chart-flag").addEventListener("change", scheduleCharts);
for (const type of ["ready", "change", "stale", "error", "recovered"]) {
  client.on(type, () => {
    release.recount();
    render();
    exposeCheckout();
    // A new snapshot may route this shopper elsewhere (the canary rolled back, a step further).
    if (type === "change") release.check();
  });
}
client.on("dropped", renderEvents);
setInterval(() => {
  renderSnapshot(client);
  renderEvents();
}, 1000);
setInterval(() => release.check(), 2000);
release.recount();
render();
exposeCheckout();
release.check();
