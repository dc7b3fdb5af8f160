// The run-time surface services use. Attribute names alone: '@mltrace/tracing/attributes'
// (and '/semconv'); the samplers: '@mltrace/tracing/sampling'. Neither loads the SDK.
export * from './attributes';
export type {
  MLContext,
  ModelPredictionOptions,
  PredictionSummary,
  FeatureExtractionOptions,
  FeatureExtractionSummary,
  DataProcessingOptions,
  DataProcessingSummary,
  TracingStats,
  TracingConfig,
} from './types';
export { getMLContext, withMLContext } from './context';
export { getServerSpan } from './server-span';
export { getTracer, startChildSpan, traceModelPrediction, traceFeatureExtraction, traceDataProcessing, recordSpanError, recordSpanRejection } from './helpers';
export { shutdownTracing, getTracingStats, isTracingActive } from './runtime';
export { createPropagator } from './propagation/composite';
