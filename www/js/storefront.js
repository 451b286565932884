// The storefront reads four flags: what a real page would branch on.

function value(all, key, fallback) {
  const d = all[key];
  return d && d.value !== null && d.value !== undefined ? d.value : fallback;
}

/** Paints the shop from the evaluated flags. */
export function renderStore(all) {
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
  document.getElementById("threshold").textContent = String(value(all, "free-shipping-threshold", "…"));
  const banner = document.getElementById("banner");
  const content = value(all, "banner", null);
  const text = content && typeof content === "object" ? content.text ?? content.message ?? "" : "";
  banner.hidden = !text;
  banner.textContent = text;
}
