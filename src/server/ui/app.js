// The admin UI's shell: sign-in, the environment switcher, and a hash router that loads one
// view module per section (list, editor, experiments, promote, audit), each `show(main,
// ctx, params)`.
// Plain ES modules, no build step; the backend serves them from the binary.

import { call, signIn, signOut, token } from "./api.js";
import { h, render, toast, fieldError } from "./dom.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const switcher = document.getElementById("env-switch");

/** What every view gets: who is signed in, the environments, the current one, navigation. */
const ctx = {
  me: null,
  environments: [],
  env: null,
  /** Whether the signed-in token may change `env` (an editor or admin of it). */
  canEdit(env = ctx.env) {
    const me = ctx.me;
    return !!me && me.role !== "reader" && (!me.environments || me.environments.includes(env));
  },
  go(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
};

/** A percent-encoded key of the hash (a malformed one stays as written). */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The routes: a pattern and the view module that shows it. */
const ROUTES = [
  // Creating has its own route: any key (even "new") is a definition's.
  [/^#\/new\/flags$/, "./editor.js", () => ({ kind: "flags", key: null })],
  [/^#\/flags\/(.+)$/, "./editor.js", (m) => ({ kind: "flags", key: decoded(m[1]) })],
  [/^#\/new\/segments$/, "./editor.js", () => ({ kind: "segments", key: null })],
  [/^#\/segments\/(.+)$/, "./editor.js", (m) => ({ kind: "segments", key: decoded(m[1]) })],
  [/^#\/segments$/, "./list.js", () => ({ kind: "segments" })],
  [/^#\/experiments\/(.+)$/, "./experiments.js", (m) => ({ key: decoded(m[1]) })],
  [/^#\/sample-size$/, "./experiments.js", () => ({ calc: true })],
  [/^#\/rollout\/(.+)$/, "./experiments.js", (m) => ({ key: decoded(m[1]), rollout: true })],
  [/^#\/promote$/, "./promote.js", () => ({})],
  [/^#\/audit(?:\?(.*))?$/, "./audit.js", (m) => ({ query: m[1] ?? "" })],
  [/^#\/(flags)?$/, "./list.js", () => ({ kind: "flags" })],
];

/** The sign-in form: the token is checked against the API before it is kept. */
function showSignIn(message) {
  nav.hidden = true;
  const input = h("input", { id: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const form = h(
    "form",
    { class: "card signin", onsubmit: async (event) => {
      event.preventDefault();
      signIn(input.value.trim());
      const me = await call("GET", "/admin/whoami", { quiet: true });
      if (!me.ok) {
        signOut();
        fieldError(input, me.status === 401 ? "Unknown token." : me.body?.message ?? "Cannot reach the server.");
        input.focus();
        return;
      }
      await start();
    } },
    h("h2", {}, "Sign in"),
    h("p", {}, "Paste an admin token (printed by edgeflag serve, or made with edgeflag serve token create). It stays in this tab only."),
    h("label", { for: "token" }, "Admin token"),
    input,
    h("button", { type: "submit" }, "Sign in"),
  );
  render(main, form);
  if (message) fieldError(input, message);
  input.focus();
}

/** Loads who is signed in and the environments, then shows the route. */
async function start() {
  if (!token()) return showSignIn();
  const [me, envs] = await Promise.all([call("GET", "/admin/whoami"), call("GET", "/admin/environments")]);
  if (!me.ok || !envs.ok) return showSignIn(me.status === 401 ? "Your token is no longer accepted." : undefined);
  ctx.me = me.body;
  ctx.environments = envs.body.environments;
  const remembered = sessionStorage.getItem("edgeflag-admin-env");
  const names = ctx.environments.map((e) => e.name);
  ctx.env = names.includes(remembered) ? remembered : (ctx.environments.find((e) => e.default) ?? ctx.environments[0])?.name;
  render(switcher, ctx.environments.map((e) => h("option", { value: e.name, selected: e.name === ctx.env }, e.name)));
  document.getElementById("who").textContent = `${ctx.me.name} (${ctx.me.role})`;
  nav.hidden = false;
  await route();
}

/** Shows the view the hash names. */
async function route() {
  if (!ctx.me) return;
  const hash = location.hash || "#/flags";
  // In-page anchors (the skip link's #main) are not routes.
  if (!hash.startsWith("#/")) return;
  for (const [pattern, module, params] of ROUTES) {
    const match = pattern.exec(hash);
    if (!match) continue;
    for (const link of nav.querySelectorAll("a[data-section]")) {
      const current = hash.startsWith(`#/${link.dataset.section}`) || (hash === "#/" && link.dataset.section === "flags");
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    const view = await import(module);
    await view.show(main, ctx, params(match));
    return;
  }
  render(main, h("p", {}, "No such page. ", h("a", { href: "#/flags" }, "Back to the flags")));
}

switcher.addEventListener("change", () => {
  ctx.env = switcher.value;
  sessionStorage.setItem("edgeflag-admin-env", ctx.env);
  toast(`Environment: ${ctx.env}`);
  route();
});
document.getElementById("sign-out").addEventListener("click", () => {
  signOut();
  ctx.me = null;
  showSignIn();
});
window.addEventListener("hashchange", route);
document.getElementById("skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("edgeflag:unauthorized", () => {
  ctx.me = null;
  signOut();
  showSignIn("Your token is no longer accepted.");
});

start();
