// Type declarations of `edgeflag/openfeature`. Only @openfeature/core's types are used: both
// SDKs re-export them, so the providers fit whichever SDK the application installed.
import type {
  ClientProviderEvents,
  EvaluationContext,
  JsonValue,
  ProviderEventEmitter,
  ProviderMetadata,
  ResolutionDetails,
  ServerProviderEvents,
  TrackingEventDetails,
} from "@openfeature/core";
import type { ClientOptions, EdgeflagClient } from "./index.js";

/** Options of the providers. */
export interface ProviderOptions {
  /** How long `initialize()` waits for a verified snapshot before the provider reports ERROR (default 5000). */
  readyTimeoutMs?: number;
}

declare abstract class EdgeflagProvider<E extends ClientProviderEvents | ServerProviderEvents> {
  /** `client`: an edgeflag client (the application keeps it); options: the provider creates one and closes it in `onClose()`. */
  constructor(clientOrOptions: EdgeflagClient<any> | ClientOptions, options?: ProviderOptions);
  readonly metadata: ProviderMetadata;
  readonly events: ProviderEventEmitter<E>;
  /** The edgeflag client the provider evaluates with. */
  readonly client: EdgeflagClient<any>;
  /** Waits up to `readyTimeoutMs` for a verified snapshot; rejects (code `PROVIDER_FATAL` after a fatal status) without one. */
  initialize(context?: EvaluationContext): Promise<void>;
  /** Compiles the new static context once. */
  onContextChange(oldContext: EvaluationContext, newContext: EvaluationContext): void;
  onClose(): Promise<void>;
  /**
   * The Tracking API: `client.track(name, details)` of either SDK records an event with the
   * context's `targetingKey` as its unit and `details.value` as its value (see `EdgeflagClient.track`).
   */
  track(trackingEventName: string, context: EvaluationContext, trackingEventDetails: TrackingEventDetails): void;
  /** Resolution details of one flag. */
  evaluate<T>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T>;
}

/** Provider for `@openfeature/web-sdk`: `OpenFeature.setProvider(new EdgeflagWebProvider(client))`. */
export declare class EdgeflagWebProvider extends EdgeflagProvider<ClientProviderEvents> {
  readonly runsOn: "client";
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): ResolutionDetails<boolean>;
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): ResolutionDetails<string>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): ResolutionDetails<number>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T>;
}

/** Provider for `@openfeature/server-sdk` (Node.js, workers). */
export declare class EdgeflagServerProvider extends EdgeflagProvider<ServerProviderEvents> {
  readonly runsOn: "server";
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>>;
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>>;
}

export {};
