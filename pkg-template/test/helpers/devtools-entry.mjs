// The browser side of the overrides and dev-panel test: a client that honours the page's
// overrides when the config allows, and the panel loaded only when the test asks for it.
import { createClient } from "edgeflag";

const config = JSON.parse(document.getElementById("config").textContent);
const client = createClient({
  publicKeys: config.publicKeys,
  owner: config.owner,
  environment: config.environment,
  storage: null,
  bootstrap: document.getElementById("edgeflag-bootstrap").textContent,
  ...(config.allow !== undefined && { overrides: { allow: config.allow } }),
});
const context = { targetingKey: "u1" };
window.__edgeflag = {
  client,
  read: (key, defaultValue) => {
    const d = client.details(key, context, defaultValue);
    return { value: d.value, reason: d.reason };
  },
  async showDevtools() {
    const { showDevtools } = await import("edgeflag/devtools");
    window.__edgeflag.panel = showDevtools(client, { context, open: true });
  },
};
