// The storefront reads five flags: what a real page would branch on. It paints from `all()`,
// which reports no exposures; the page reports the checkout experiment's exposure itself
// (main.js), once the shopper's context is settled.

function value(all, key, fallback) {
  const d = all[key];
  return d && d.value !== null && d.value !== undefined ? d.value : fallback;
}

/** Paints the shop from the evaluated flags. */
export function renderStore(all, experimentFlag = "checkout-experiment") {
  const button = document.getElementById("checkout");
  const color = all["checkout-button-color"];
  button.dataset.variant = color?.variant ?? "";
  // The variants' values are CSS colours; a failed evaluation keeps the neutral default.
  button.style.background = String(value(all, "checkout-button-color", "#6b7280"));
  const newCheckout = value(all, "new-checkout", false) === true;
  button.textContent = newCheckout ? "Buy now — 1-click checkout" : "Checkout";
  document.getElementById("checkout-kind").textContent = newCheckout
    ? "new checkout flow (flag new-checkout is on)"
    : "classic checkout (flag new-checkout is off)";
  // The experiment: its treatment promises free returns under the button, the control says nothing.
  const offer = document.getElementById("checkout-offer");
  const promise = value(all, experimentFlag, "");
  offer.dataset.variant = all[experimentFlag]?.variant ?? "";
  offer.textContent = typeof promise === "string" ? promise : "";
  offer.hidden = !offer.textContent;
  document.getElementById("threshold").textContent = String(value(all, "free-shipping-threshold", "…"));
  const banner = document.getElementById("banner");
  const content = value(all, "banner", null);
  const text = content && typeof content === "object" ? content.text ?? content.message ?? "" : "";
  banner.hidden = !text;
  banner.textContent = text;
}
