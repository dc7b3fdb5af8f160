import type { Attributes } from '@opentelemetry/api';
import type { MLContextKey } from './attributes';

/** ML and business context carried in W3C baggage (keys are the baggage member names). */
export type MLContext = Partial<Record<MLContextKey, string>>;

interface HelperOptionsBase {
  /** Span name; defaults to the helper's operation type. */
  name?: string;
  /** Pipeline stage, e.g. 'feature_lookup', 'inference', 'postprocess'. */
  stage?: string;
  /** Extra attributes set when the span starts. */
  attributes?: Attributes;
}

export interface ModelPredictionOptions extends HelperOptionsBase {
  modelName: string;
  modelVersion: string;
  /** Shape of the model input, e.g. [batch, features]. */
  inputShape: number[];
  inputDtype?: string;
}

/** What a prediction function reports back so the helper can record it. */
export interface PredictionSummary {
  outputShape?: number[];
  /** One confidence per prediction; the helper records a scalar or mean/std. Never raw feature values. */
  confidences?: number[];
}

export interface FeatureExtractionOptions extends HelperOptionsBase {
  featureNames: readonly string[];
  featureVersion?: string;
  entityCount?: number;
}

export interface FeatureExtractionSummary {
  entityCount?: number;
  missingCount?: number;
}

export interface DataProcessingOptions extends HelperOptionsBase {
  operation: string;
  inputSize?: number;
}

export interface DataProcessingSummary {
  outputSize?: number;
}
