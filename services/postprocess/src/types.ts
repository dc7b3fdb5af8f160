/** Public types of the post-processor: configuration and the HTTP contract. */
import type { ScenarioOf } from '@mltrace/scenarios';

/** The scenarios @mltrace/scenarios assigns to postprocess. */
export type PostprocessScenario = ScenarioOf<'postprocess'>;

/** Decision threshold per customer segment; `default` applies to any other segment. */
export type Thresholds = { default: number } & Record<string, number>;

export interface PostprocessConfig {
  host: string;
  port: number;
  thresholds: Thresholds;
  maxBatchSize: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  logLevel: string;
  scenario: PostprocessScenario | null;
  /** Problems found while reading the environment, logged once at start. */
  warnings: string[];
}

/** One model output, as the inference service returns it (plus the entity it is for). */
export interface ModelOutput {
  entity?: string;
  /** The model's argmax class; the label comes from the segment's threshold instead. */
  class: number;
  /** [p(retain), p(churn)] */
  probabilities: number[];
  confidence: number;
}

/** `POST /v1/postprocess` body. */
export interface PostprocessRequest {
  predictions: ModelOutput[];
  /** Customer segment; default: the `customer_segment` baggage member. */
  segment?: string;
}

export type Label = 'churn' | 'retain';
export type RiskTier = 'low' | 'medium' | 'high';

export interface Decision {
  entity: string | null;
  label: Label;
  /** Churn probability. */
  probability: number;
  confidence: number;
  tier: RiskTier;
}

/** `POST /v1/postprocess` response. */
export interface PostprocessResponse {
  predictions: Decision[];
  /** The segment whose threshold was applied (null: none given). */
  segment: string | null;
  threshold: number;
}

/** The JSON error body every route returns (fastify's shape, shared by every mltrace service). */
export type { ErrorBody } from '@mltrace/service-kit/client';
