import type { SpanStats } from './op-stats';
import type { PeerIndex } from './peers';
import type { Topology } from './topology';

/** Options shared by the analyses; every field has a documented default. */
export interface AnalysisOptions {
  /** Told each step of analyze() as it starts (`done` of `total` steps finished): progress for long analyses. */
  onPhase?: (phase: string, done: number, total: number) => void;
  /** Width of a throughput / timeline bucket in ms (default 1000). Widened automatically to keep ≤ 2000 buckets. */
  bucketMs?: number;
  /**
   * Service-to-service edges the pipeline must have. `[A, B]` (or `[A, B, 'always']`): every accepted
   * request A takes part in must reach B. `[A, B, 'called']`: only requests in which A made a client
   * call to B (raw feature vectors skip the feature store). Default: none, except on mltrace's own
   * traces (topology.ts): gateway→feature-store (called), gateway→inference, gateway→postprocess.
   */
  expectedEdges?: ExpectedEdge[];
  /** The service requests enter through (default: 'gateway' on mltrace's own traces, else the most common root service of the requests). */
  entryService?: string;
  /** Service whose critical-path share the `feature-store-dominates` rule watches (default: 'feature-store' on mltrace's own traces, else none). */
  featureStoreService?: string;
  /** "If it were X % faster": the speed-up used for saving potential, in percent (default 50). */
  speedupPercent?: number;
  /** Target request rate (req/s) for the Little's-law estimate (default 2 × the observed peak bucket rate). */
  targetRate?: number;
  /** Call targets in data-dependency order: a later one consumes an earlier one's output (default: none; feature-store, inference, postprocess on mltrace's own traces). */
  pipelineOrder?: string[];
  /** The resolved topology (set by analyze() once per run; resolveTopology() computes it otherwise). */
  topology?: Topology;
  /**
   * The per-operation span statistics of the traces an analysis is given (set by analyze() once for
   * its requests, shared by performance, bottlenecks, errors and self time; computed otherwise).
   */
  spanStats?: SpanStats;
  /**
   * The services' server addresses, which attribute calls nobody answered (set by analyze() from all
   * traces, so the requests use the whole data set's servers; computed from the traces given otherwise).
   */
  peers?: PeerIndex;
  /** A child this far (µs) outside its parent counts as clock skew (default 1000). */
  clockSkewToleranceUs?: number;
  /** Rows kept in ranked lists (default 20). */
  topN?: number;
  /** A comparison of two slices of one attribute, e.g. {key:'ml.model.version', a:'v1', b:'v2'}. */
  compare?: { key: string; a: string; b: string };
}

export type ExpectedEdge = [string, string] | [string, string, 'always' | 'called'];


export function resolvedTopN(opts: AnalysisOptions): number {
  return opts.topN ?? 20;
}

/** Bucket width (µs) for a time range, widened so there are at most `maxBuckets`. */
export function bucketWidthUs(opts: AnalysisOptions, rangeUs: number, maxBuckets = 2000): number {
  let w = Math.max(1, Math.round((opts.bucketMs ?? 1000) * 1000));
  if (rangeUs / w > maxBuckets) w = Math.ceil(rangeUs / maxBuckets);
  return w;
}
