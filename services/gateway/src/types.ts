import type { Decision } from '@mltrace/postprocess/client';
import type { ScenarioOf } from '@mltrace/scenarios';

/** Body of `POST /v1/predict`: exactly one of `entities` or `instances`. */
export interface PredictRequest {
  /** Customer ids whose features come from the feature store. */
  entities?: string[];
  /** Raw feature vectors (FEATURE_NAMES order), bypassing the feature store. */
  instances?: number[][];
}

/** One answer per found entity (or row): the post-processor's decision, as it returned it. */
export type GatewayPrediction = Decision;

export interface PredictResponse {
  predictions: GatewayPrediction[];
  /** Requested entities the feature store does not know (never part of `predictions`). */
  missing: string[];
  model: { name: string; version: string };
  /** The trace id of this request (also in the `x-trace-id` header). */
  request_id: string;
}

/** fastify's error shape, used by every mltrace service. */
export type { ErrorBody } from '@mltrace/service-kit/client';

/** The scenarios @mltrace/scenarios assigns to the gateway. */
export type GatewayScenario = ScenarioOf<'gateway'>;

export interface ExperimentArm {
  /** Experiment arm name put into baggage `experiment_arm`. */
  arm: string;
  /** Model version put into baggage `model_version`. */
  version: string;
  /** Relative traffic share (normalised over all arms). */
  weight: number;
}

export interface ExperimentConfig {
  id: string;
  arms: ExperimentArm[];
}

export interface GatewayConfig {
  port: number;
  host: string;
  featureStoreUrl: string;
  inferenceUrl: string;
  postprocessUrl: string;
  /** Overall budget of one `/v1/predict`; each downstream call gets what remains of it. */
  requestTimeoutMs: number;
  /** Connections to each dependency, and its calls in flight at most. */
  dependencyConnections: number;
  /** How long a call waits for a free connection before it fails with CLIENT_POOL_SATURATED. */
  dependencyQueueTimeoutMs: number;
  maxBatchSize: number;
  /** Assignment of requests without `model_version` baggage to model versions; null = off. */
  experiment: ExperimentConfig | null;
  scenario: GatewayScenario | null;
  logLevel: string;
  /** Settings that could not be used (their defaults apply); logged once at start. */
  warnings: string[];
}

/** The names the gateway uses for its dependencies in errors, logs and span attributes. */
export type DependencyName = 'feature-store' | 'inference' | 'postprocess';
