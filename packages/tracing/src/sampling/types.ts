import type { MLContextKey } from '../attributes';

/** The two strategy types Jaeger's sampling-strategies file knows. */
export type StrategyType = 'probabilistic' | 'ratelimiting';

/** `param` is a probability in [0, 1] for `probabilistic`, traces per second (>= 0) for `ratelimiting`. */
export interface JaegerStrategy {
  type: StrategyType;
  param: number;
}

export interface JaegerOperationStrategy extends JaegerStrategy {
  /** Span name (for HTTP server spans, `METHOD /route` as the UI shows it). */
  operation: string;
}

export interface JaegerDefaultStrategy extends JaegerStrategy {
  /** Apply to every service (merged under a service's own operation strategies). */
  operation_strategies?: JaegerOperationStrategy[];
}

export interface JaegerServiceStrategy extends JaegerDefaultStrategy {
  service: string;
}

/** An ML-context rule: when every listed baggage member matches, sample with `probability` (default 1). */
export interface MlRule {
  /** Restrict the rule to one service; omitted = every service. */
  service?: string;
  /** Baggage key → accepted value or values. Keys are the W3C baggage member names (`priority`, `experiment_id`, …). */
  match: Partial<Record<MLContextKey, string | string[]>>;
  probability?: number;
}

/** Adaptive mode for one operation (or `*`: every operation of the service, each with its own controller). */
export interface AdaptiveRule {
  service?: string;
  operation: string;
  target_traces_per_second: number;
  min_probability?: number;
  max_probability?: number;
  /** Length of one measurement window. */
  window_ms?: number;
  initial_probability?: number;
}

/** mltrace's extensions; Jaeger ignores this key (its loader skips unknown JSON fields). */
export interface MltraceSamplingExtension {
  ml_rules?: MlRule[];
  adaptive?: AdaptiveRule[];
}

/** The whole strategies file: Jaeger's format plus the `mltrace` key. */
export interface SamplingStrategies {
  default_strategy?: JaegerDefaultStrategy;
  service_strategies?: JaegerServiceStrategy[];
  mltrace?: MltraceSamplingExtension;
}

/** What a Jaeger `/sampling?service=NAME` endpoint answers (proto JSON; the legacy endpoint uses 0/1 enums and nulls). */
export interface RemoteSamplingResponse {
  strategyType?: 'PROBABILISTIC' | 'RATE_LIMITING' | 0 | 1;
  probabilisticSampling?: { samplingRate?: number } | null;
  rateLimitingSampling?: { maxTracesPerSecond?: number } | null;
  operationSampling?: {
    defaultSamplingProbability?: number;
    defaultLowerBoundTracesPerSecond?: number;
    defaultUpperBoundTracesPerSecond?: number;
    perOperationStrategies?: Array<{ operation: string; probabilisticSampling?: { samplingRate?: number } | null }>;
  } | null;
}

/** One resolved rule of a service's policy, before it gets runtime state. */
export type RuleSpec =
  | { kind: 'probabilistic'; probability: number }
  | { kind: 'ratelimiting'; tracesPerSecond: number }
  /** Jaeger's per-operation sampler: probabilistic, but at least `lowerBound` traces per second. */
  | { kind: 'guaranteed'; probability: number; lowerBound: number };

/** Everything that decides root spans for one service. */
export interface ServicePolicy {
  /** Where the policy came from, for logs: file path, remote URL or 'fallback'. */
  source: string;
  /** Label used in the rule attribute for the service default: 'service-default' or 'fallback'. */
  defaultLabel: string;
  serviceDefault: RuleSpec;
  operations: Map<string, RuleSpec>;
  mlRules: MlRule[];
  adaptive: AdaptiveRule[];
}

export interface CreateSamplerOptions {
  serviceName: string;
  /** Path of a strategies file (Jaeger format + `mltrace` key). */
  strategiesFile?: string;
  /** Jaeger sampling endpoint, e.g. `http://jaeger:5778/sampling`; `?service=` is added. */
  remoteUrl?: string;
  /** Poll interval for `remoteUrl` (default 60 000 ms, as Jaeger clients). */
  remotePollMs?: number;
  /** Timeout of one poll (default 2 000 ms). */
  remoteTimeoutMs?: number;
  /** Milliseconds clock; injectable for tests (default `Date.now`). */
  clock?: () => number;
  /** Receives configuration warnings (default: `console.warn` with a `[mltrace sampling]` prefix). */
  warn?: (message: string) => void;
}
