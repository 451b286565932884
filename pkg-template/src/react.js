// React bindings: a provider and hooks over an edgeflag client, built on useSyncExternalStore.
// Evaluation stays in the client (and its wasm core); this module only subscribes to the
// client's events and hands React stable values, so that a new snapshot re-renders exactly
// the components whose flag values changed, and a new context re-evaluates locally.
import { createContext, createElement, useContext, useRef, useSyncExternalStore } from "react";

const EVENTS = ["ready", "change", "stale", "error", "recovered"];
const Edgeflag = createContext(undefined);
let warned = false;

/**
 * Makes `client` (a `createClient()` result) and the evaluation `context` available to the
 * hooks below. Treat `context` as immutable: pass a new object when an attribute changes.
 */
export function EdgeflagProvider({ client, context, children }) {
  const value = useStable({ client, context }, (a, b) => a.client === b.client && a.context === b.context);
  return createElement(Edgeflag.Provider, { value }, children);
}

/** A flag's value for the provider's context, or `defaultValue` (whose type is the flag's). */
export function useFlag(key, defaultValue) {
  return useEvaluation((client, context) => value(client, key, context, defaultValue), defaultValue, ({ values }) =>
    renderedValue(values, key, defaultValue),
  );
}

// What the server's read of a flag gave: its value if of the default's type, else the default.
function renderedValue(values, key, defaultValue) {
  const v = values[key];
  return v === undefined || v === null || (defaultValue != null && typeof v !== typeof defaultValue) ? defaultValue : v;
}

/** A flag's evaluation details (value, variant, reason, ruleId, ...) for the provider's context. */
export function useFlagDetails(key, defaultValue) {
  return useEvaluation(
    (client, context) => client.details(key, context, defaultValue),
    () => ({
      value: defaultValue,
      reason: "ERROR",
      errorCode: "PROVIDER_NOT_READY",
      errorMessage: "edgeflag/react: no <EdgeflagProvider> above this component",
      inExperiment: false,
      flagMetadata: {},
    }),
    // The bootstrap holds values only: hydrate the rendered value; the rest is the live result.
    ({ values }, read) => {
      const live = read();
      const rendered = renderedValue(values, key, defaultValue);
      return equal(live.value, rendered) ? live : { ...live, value: rendered };
    },
  );
}

/** Every flag's value (`null` where evaluation failed) for the provider's context. */
export function useFlags() {
  return useEvaluation((client, context) => client.values(context), () => ({}), ({ values }) => values);
}

/** The client's status: `NOT_READY`, `READY`, `STALE` or `ERROR`. */
export function useEdgeflagStatus() {
  return useEvaluation((client) => client.status, "ERROR", ({ status }, read) => status ?? read());
}

/**
 * The bootstrap for server-side rendering: `<script type="application/json"
 * id="edgeflag-bootstrap">` holding `{ envelope, values, status, context }`, the signed
 * envelope the client serves (`null` without a snapshot) plus the values, status and context
 * this page was rendered with (by default the provider's). The browser's client takes the
 * element's text as `bootstrap`: it verifies the envelope before the first render, and
 * hydration reproduces the rendered values even when that fails or there was none (then the
 * hooks move to the live values right after, without a mismatch). The context is in the page:
 * keep secrets out of it.
 */
export function EdgeflagBootstrap({ client, context, id = "edgeflag-bootstrap" }) {
  const provided = useContext(Edgeflag);
  const json = bootstrapJson(client ?? provided?.client, context ?? provided?.context);
  if (!json) return null;
  return createElement("script", { type: "application/json", id, dangerouslySetInnerHTML: { __html: json } });
}

/** The same as an HTML string, for server-side rendering without React components. */
export function bootstrapScript(client, { context, id = "edgeflag-bootstrap" } = {}) {
  const json = bootstrapJson(client, context);
  return json ? `<script type="application/json" id="${escapeAttribute(id)}">${json}</script>` : "";
}

/**
 * The bootstrap as data, `{ envelope, values, status, context }` (`envelope` is `null` without
 * a snapshot; `undefined` without a client): for frameworks that pass it as a prop (a Next.js
 * server component to a client component) instead of a script element. `createClient({
 * bootstrap })` takes it as it is.
 */
export function bootstrapData(client, { context } = {}) {
  if (!client) return undefined;
  return { envelope: client.envelope ?? null, values: client.values(context), status: client.status, context };
}

function bootstrapJson(client, context) {
  const data = bootstrapData(client, { context });
  return data && escapeScript(JSON.stringify(data));
}

function escapeAttribute(text) {
  return String(text).replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON text that cannot end a `<script>` or open a comment in it (`<`, `>`, `&`, U+2028/9). */
function escapeScript(json) {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

// The subscription of one client for useSyncExternalStore: every event that can change a value.
const subscriptions = new WeakMap();
function subscribeTo(client) {
  let subscribe = subscriptions.get(client);
  if (!subscribe) {
    subscribe = (notify) => {
      const offs = EVENTS.map((e) => client.on(e, notify));
      return () => offs.forEach((off) => off());
    };
    subscriptions.set(client, subscribe);
  }
  return subscribe;
}

const noSubscription = () => () => {};

/**
 * `evaluate(client, context)` kept in sync with the client, structurally stable between
 * changes. While hydrating, React reads `hydrate(client.rendered, read)` instead: what the
 * server rendered with, when the bootstrap says (then React moves on to `read()` if that
 * differs, with no mismatch).
 */
function useEvaluation(evaluate, fallback, hydrate) {
  const provided = useContext(Edgeflag);
  const last = useRef(undefined);
  const lastServer = useRef(undefined);
  const read = () => {
    let next;
    if (provided?.client) {
      next = evaluate(provided.client, provided.context);
    } else {
      if (!warned) {
        warned = true;
        console.warn("edgeflag/react: no <EdgeflagProvider client={...}> above this component; defaults are served");
      }
      next = typeof fallback === "function" ? fallback() : fallback;
    }
    return stable(last, next);
  };
  // The rendered values belong to the context they were rendered for: another provider's
  // context (a nested one) hydrates from its live values.
  const rendered = provided?.client?.rendered;
  const applies = rendered && hydrate && (rendered.context === undefined || equal(rendered.context, provided.context ?? {}));
  const readServer = applies ? () => stable(lastServer, hydrate(rendered, read)) : read;
  const subscribe = provided?.client ? subscribeTo(provided.client) : noSubscription;
  return useSyncExternalStore(subscribe, read, readServer);
}

// Same content, same object: React then skips the render (useSyncExternalStore compares
// with Object.is), and the value can be a dependency of effects and memos.
function stable(ref, next) {
  if (ref.current !== undefined && equal(ref.current.value, next)) return ref.current.value;
  ref.current = { value: next };
  return next;
}

function useStable(value, same) {
  const ref = useRef(value);
  if (!same(ref.current, value)) ref.current = value;
  return ref.current;
}

function value(client, key, context, defaultValue) {
  switch (typeof defaultValue) {
    case "boolean":
      return client.bool(key, context, defaultValue);
    case "string":
      return client.string(key, context, defaultValue);
    case "number":
      return client.number(key, context, defaultValue);
    default:
      return defaultValue === null || defaultValue === undefined
        ? client.details(key, context, defaultValue).value
        : client.object(key, context, defaultValue);
  }
}

/** Structural equality of JSON-like values (flag values, details, value maps). */
function equal(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
}
