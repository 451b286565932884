// Type declarations of `edgeflag/react`.
import type { ReactElement, ReactNode } from "react";
import type {
  EdgeflagClient,
  EvaluationContext,
  EvaluationDetails,
  FlagKey,
  FlagValue,
  FlagValueOf,
  RegisteredFlags,
  ResultOf,
  Status,
} from "./index.js";

/** What a hook returns for flag `K` with default `T`: the registered type, else the default's. */
type Result<K, T> = ResultOf<RegisteredFlags, K, T>;

/** Props of {@link EdgeflagProvider}. */
export interface EdgeflagProviderProps {
  /** A `createClient()` result (on the server: one that loaded the snapshot to render with). */
  client: EdgeflagClient<any>;
  /** The evaluation context; pass a new object when an attribute changes. */
  context?: EvaluationContext;
  children?: ReactNode;
}

/** Makes the client and the context available to the hooks. */
export declare function EdgeflagProvider(props: EdgeflagProviderProps): ReactElement;

/**
 * A flag's value for the provider's context, or `defaultValue` (whose type is the flag's).
 * With flags registered (`edgeflag codegen`), only their keys and defaults of their types.
 */
export declare function useFlag<K extends FlagKey<RegisteredFlags>, T extends FlagValueOf<RegisteredFlags, K, FlagValue | null>>(
  key: K,
  defaultValue: T,
): Result<K, T>;
/** A flag's evaluation details for the provider's context. */
export declare function useFlagDetails<K extends FlagKey<RegisteredFlags>, T extends FlagValueOf<RegisteredFlags, K, FlagValue | null>>(
  key: K,
  defaultValue: T,
): EvaluationDetails<Result<K, T>>;
/** Every flag's value (`null` where evaluation failed). */
export declare function useFlags(): Record<string, FlagValue | null>;
/** The client's status. */
export declare function useEdgeflagStatus(): Status;

/**
 * For server-side rendering: `<script type="application/json" id="edgeflag-bootstrap">` with
 * `{ envelope, values, status, context }`, the client's signed envelope (`null` without one)
 * and what the page was rendered with for `context` (default: the provider's client and
 * context). Hand its text to the browser's `createClient({ bootstrap })`. The context is
 * written into the page: keep secrets out of it.
 */
export declare function EdgeflagBootstrap(props: {
  client?: EdgeflagClient<any>;
  context?: EvaluationContext;
  id?: string;
}): ReactElement | null;
/** The bootstrap as data, for passing as a prop; `createClient({ bootstrap })` takes it. */
export declare function bootstrapData(
  client: EdgeflagClient<any>,
  options?: { context?: EvaluationContext },
): { envelope: string | null; values: Record<string, FlagValue | null>; status: Status; context?: EvaluationContext } | undefined;
/** The same as an HTML string (`""` without a snapshot). */
export declare function bootstrapScript(client: EdgeflagClient<any>, options?: { context?: EvaluationContext; id?: string }): string;
