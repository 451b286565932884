// The browser side of the React test: verify the bootstrap the server rendered, hydrate, and
// hand the test what it inspects (render counts, the client, the context setter).
import { createElement as h } from "react";
import { hydrateRoot } from "react-dom/client";
import { createClient } from "edgeflag";
import { App, renders } from "./react-app.mjs";

const { storage, ...config } = JSON.parse(document.getElementById("config").textContent);
const client = createClient({
  ...config,
  url: "/snapshot",
  // localStorage (the browser default) only when the test asks for a returning visitor.
  ...(storage ? {} : { storage: null }),
  bootstrap: document.getElementById("edgeflag-bootstrap")?.textContent,
});
window.__edgeflag = { renders, client, statusBeforeHydration: client.status };
hydrateRoot(
  document.getElementById("root"),
  h(App, { client, context: config.context, expose: (set) => (window.__edgeflag.setContext = set) }),
);
