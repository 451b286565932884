// Type declarations of `edgeflag/overrides`: the local-override format, for tools (the dev
// panel, the edge worker's cookie, tests) that read or write it.
import type { FlagValue } from "./index.js";

/** The URL parameter overrides are read from: `?edgeflag=key:value,...`. */
export declare const OVERRIDES_NAME: "edgeflag";
/** The localStorage key overrides are read from. */
export declare const OVERRIDES_STORAGE_KEY: "edgeflag:overrides";
/** The cookie the edge worker reads overrides from (its value percent-encoded once more). */
export declare const OVERRIDES_COOKIE: "edgeflag-overrides";

/** One parsed override: its value as JSON reads it (else the text), and the text. */
export interface OverrideEntry {
  value: FlagValue;
  text?: string;
}

/** Parses `key:value,...`; malformed parts are returned, not thrown. */
export declare function parseOverrides(text: string | null | undefined): {
  values: Map<string, OverrideEntry>;
  malformed: string[];
};
/** Formats flag values so that {@link parseOverrides} reads them back. */
export declare function formatOverrides(flags: Record<string, FlagValue | undefined> | Map<string, FlagValue>): string;
/** The raw value of a query parameter of `url`. */
export declare function queryParameter(url: string | null | undefined, name: string): string | undefined;
/** The `?edgeflag=` text of a URL (decoded once more when `URLSearchParams` wrote it). */
export declare function urlOverrides(url: string | null | undefined): string | undefined;
/** The raw value of a cookie in a `Cookie` header or `document.cookie`. */
export declare function cookieValue(header: string | null | undefined, name: string): string | undefined;
/** The overrides of a page (storage, then the URL, which wins), warning once per source about malformed parts. */
export declare function readOverrides(source: {
  url?: string;
  storage?: { getItem(key: string): string | null | undefined } | null;
}): Map<string, OverrideEntry>;
/** An override as a value of type `want`, or `undefined` when it is not one. */
export declare function overrideAs(entry: OverrideEntry, want?: string): FlagValue | undefined;
