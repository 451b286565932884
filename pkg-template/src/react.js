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
  return useEvaluation((client, context) => value(client, key, context, defaultValue), defaultValue);
}

/** A flag's evaluation details (value, variant, reason, ruleId, ...) for the provider's context. */
export function useFlagDetails(key, defaultValue) {
  return useEvaluation((client, context) => client.details(key, context, defaultValue), () => ({
    value: defaultValue,
    reason: "ERROR",
    errorCode: "PROVIDER_NOT_READY",
    errorMessage: "edgeflag/react: no <EdgeflagProvider> above this component",
    inExperiment: false,
    flagMetadata: {},
  }));
}

/** Every flag's value (`null` where evaluation failed) for the provider's context. */
export function useFlags() {
  return useEvaluation((client, context) => client.values(context), () => ({}));
}

/** The client's status: `NOT_READY`, `READY`, `STALE` or `ERROR`. */
export function useEdgeflagStatus() {
  return useEvaluation((client) => client.status, "ERROR");
}

/**
 * The signed envelope the client serves, as a `<script type="application/json"
 * id="edgeflag-bootstrap">` element for server-side rendering; the browser's client takes it
 * as `bootstrap` and verifies it before the first render. Renders nothing without a snapshot.
 */
export function EdgeflagBootstrap({ client, id = "edgeflag-bootstrap" }) {
  const envelope = client?.envelope;
  if (!envelope) return null;
  return createElement("script", { type: "application/json", id, dangerouslySetInnerHTML: { __html: escapeScript(envelope) } });
}

/** The same as an HTML string, for server-side rendering without React components. */
export function bootstrapScript(client, id = "edgeflag-bootstrap") {
  const envelope = client?.envelope;
  return envelope ? `<script type="application/json" id="${id}">${escapeScript(envelope)}</script>` : "";
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

/** `evaluate(client, context)` kept in sync with the client, structurally stable between changes. */
function useEvaluation(evaluate, fallback) {
  const provided = useContext(Edgeflag);
  const last = useRef(undefined);
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
    // Same content, same object: React then skips the render (useSyncExternalStore compares
    // with Object.is), and the value can be a dependency of effects and memos.
    if (last.current !== undefined && equal(last.current.value, next)) return last.current.value;
    last.current = { value: next };
    return next;
  };
  const subscribe = provided?.client ? subscribeTo(provided.client) : noSubscription;
  return useSyncExternalStore(subscribe, read, read);
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
