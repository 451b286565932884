// Type declarations of `edgeflag/devtools` (browsers; load it only in development).
import type { EdgeflagClient, EvaluationContext, FlagValue } from "./index.js";

/** The custom element's tag name. */
export declare const DEVTOOLS_TAG: "edgeflag-devtools";

/** <edgeflag-devtools>: lists the client's flags (value, variant, reason) and flips them. */
export declare class EdgeflagDevtools extends HTMLElement {
  /** The client whose flags are shown; the panel re-renders on each of its events. */
  client: EdgeflagClient<any> | undefined;
  /** The evaluation context the flags are shown for. */
  context: EvaluationContext;
  /** Overrides `key` now and for the next page load (`undefined` releases it). */
  flip(key: string, value: FlagValue | undefined): void;
  /** Releases every override (the client's, localStorage's and the worker's cookie). */
  reset(): void;
  /** Draws the panel from the client's current results. */
  render(): void;
}

/** The panel for `client`: the one already in the page, else a new one in `document.body`. */
export declare function showDevtools(
  client: EdgeflagClient<any>,
  options?: { context?: EvaluationContext; open?: boolean },
): EdgeflagDevtools;

/** Defines <edgeflag-devtools> (idempotent; does nothing outside a browser). */
export declare function define(): void;

declare global {
  interface HTMLElementTagNameMap {
    "edgeflag-devtools": EdgeflagDevtools;
  }
}
