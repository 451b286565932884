// The app the React tests render on the server and hydrate in the browser: two components
// that each read one flag and count their renders, under a provider whose context can change.
import { createElement as h, useState } from "react";
import { EdgeflagProvider, useEdgeflagStatus, useFlag } from "edgeflag/react";

/** Renders per component, in this JavaScript realm. */
export const renders = { banner: 0, checkout: 0 };

function Banner() {
  renders.banner++;
  return h("p", { id: "banner" }, useFlag("banner", "none"));
}

function Checkout() {
  renders.checkout++;
  const on = useFlag("new-checkout", false);
  return h("p", { id: "checkout" }, on ? "new checkout" : "old checkout");
}

function Status() {
  return h("p", { id: "status" }, useEdgeflagStatus());
}

/** `expose(setContext)` hands the context setter to the test. */
export function App({ client, context, expose }) {
  const [ctx, setCtx] = useState(context);
  expose?.(setCtx);
  return h(EdgeflagProvider, { client, context: ctx }, h(Banner), h(Checkout), h(Status));
}
