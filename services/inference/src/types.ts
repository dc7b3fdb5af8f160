/** Public request/response and configuration types of the inference service. */
import type { ScenarioOf } from '@mltrace/scenarios';

export interface InferRequest {
  /** 1..256 rows, each with one finite number per feature (12, in @mltrace/dataset FEATURE_NAMES order). */
  instances: number[][];
  /** Overrides baggage `model_version` and the service default. */
  model_version?: string;
}

export interface Prediction {
  class: 0 | 1;
  /** [P(class 0), P(class 1)] */
  probabilities: number[];
  /** The larger of the two probabilities. */
  confidence: number;
}

export interface InferResponse {
  model: { name: string; version: string };
  predictions: Prediction[];
}

/** The JSON error body every route returns (fastify's shape, shared by every mltrace service). */
export type { ErrorBody } from '@mltrace/service-kit/client';

/** The scenarios @mltrace/scenarios assigns to inference. */
export type InferenceScenario = ScenarioOf<'inference'>;

export interface InferenceConfig {
  host: string;
  port: number;
  /** Folder holding <version>.onnx and <version>.json model cards. */
  modelDir: string;
  defaultModelVersion: string;
  /** onnxruntime intra-op threads per session; 1 keeps four services fair on a small machine. */
  ortThreads: number;
  maxBatchSize: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  logLevel: string;
  scenario: InferenceScenario | null;
  /** Warnings about ignored environment values, logged once at start. */
  warnings: string[];
}

/** What the registry knows about a loaded model version. */
export interface ModelInfo {
  name: string;
  version: string;
  path: string;
  trees: number;
  featureCount: number;
  featureNames: readonly string[];
  /** e.g. 'ai.onnx.ml:3' */
  opset: string;
  loadTimeMs: number;
}
