/** Weights by name: `{ "v1": 3, "v2": 1 }` picks v1 three times as often as v2. */
export type Weights = Record<string, number>;

export interface ExperimentArm {
  name: string;
  weight: number;
  /** Sent as baggage `model_version` for requests in this arm (overrides `modelVersions`). */
  modelVersion?: string;
}

/** The request mix: what each generated request asks for and which ML context it carries. */
export interface Mix {
  /** Free-form label, echoed in the result. */
  name?: string;
  /** Entity ids are drawn from cust-00001 … cust-<customers>; default: the data set's customer count. */
  customers?: number;
  /** Batch size (entities per request) → weight. */
  batchSizes?: Weights;
  /** Model version → weight (baggage `model_version`); absent: the service's default model. */
  modelVersions?: Weights;
  experiment?: { id: string; arms: ExperimentArm[] };
  /** Baggage `customer_segment` → weight. */
  segments?: Weights;
  /** Baggage `region` → weight. */
  regions?: Weights;
  /** Baggage `priority` → weight. */
  priorities?: Weights;
  /** Fraction of requests (0..1) that are deliberately invalid (expect 4xx). */
  invalidFraction?: number;
  /** Fraction of entity ids (0..1) that name customers that do not exist. */
  unknownEntityFraction?: number;
  /** Extra fixed baggage members, e.g. `{ "data_batch_id": "b-7", "product_area": "retention" }`. */
  baggage?: Record<string, string>;
}

export type LoadMode = 'open' | 'closed';

export interface LoadOptions {
  /** Target. A URL without a path (or `/`) means the gateway's `/v1/predict`. */
  url: string;
  mode?: LoadMode;
  /** Open loop: requests per second on the schedule. */
  rate?: number;
  /** Seconds of load (open: schedule length; closed: wall time). */
  durationS?: number;
  /** Closed loop: concurrent connections, one request each at a time. Open loop: connection pool size. */
  connections?: number;
  /** Open loop: requests in flight at most; a request due while at the cap is not sent and is counted as dropped. */
  maxOutstanding?: number;
  /** Hard bound on requests sent, whatever rate and duration say. */
  maxRequests?: number;
  /** Per-request deadline in ms; past it the request is aborted and counted as a timeout. */
  timeoutMs?: number;
  seed?: number;
  mix?: Mix;
  /** Show a live progress line (only drawn on a TTY). */
  progress?: boolean;
  /**
   * Send a fresh sampled `traceparent` with each request (default true). false: only baggage is
   * sent, so the target starts the trace and its own head sampler decides (overhead measurements).
   */
  traceparent?: boolean;
  /** Value of the synthetic marker sent in baggage (`synthetic_type=<value>`); default `test`. */
  syntheticType?: string;
  /** Aborts the run early (the result covers what was sent). */
  signal?: AbortSignal;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface LoadResult {
  url: string;
  mode: LoadMode;
  seed: number;
  mix: string;
  startedAt: string;
  /** Wall time from the first scheduled send until the last response (s). */
  elapsedS: number;
  requested: { rate: number | null; durationS: number; connections: number; count: number | null };
  /** Requests put on the wire. */
  sent: number;
  /** Requests that got a response (any status). */
  completed: number;
  /** Open loop: requests due while `maxOutstanding` were in flight, never sent. */
  dropped: number;
  timeouts: number;
  /** Requests that failed without a response (refused, reset) and did not time out. */
  connectionErrors: number;
  /** Send rate actually held: sent / length of the send window (req/s). */
  achievedRate: number;
  /** Responses per second over the whole run. */
  throughput: number;
  /** 2xx responses. */
  ok: number;
  statuses: Record<string, number>;
  /** Error `code` fields of non-2xx JSON bodies (e.g. GW_DEPENDENCY_FAILED) and transport error codes. */
  errorCodes: Record<string, number>;
  /** What was sent: valid requests, deliberately invalid ones, entity ids that do not exist. */
  sentKinds: { valid: number; invalid: number; unknownEntities: number };
  /** Response latency in ms, from the scheduled send time (open loop) or the actual send (closed loop). */
  latencyMs: LatencySummary;
}
