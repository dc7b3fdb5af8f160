import { context, SpanStatusCode, trace, type Attributes, type Exception, type Span, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_ML_DATA_INPUT_SIZE,
  ATTR_ML_DATA_OPERATION,
  ATTR_ML_DATA_OUTPUT_SIZE,
  ATTR_ML_DURATION_MS,
  ATTR_ML_ENTITY_COUNT,
  ATTR_ML_ENTITY_MISSING_COUNT,
  ATTR_ML_FEATURE_COUNT,
  ATTR_ML_FEATURE_NAMES,
  ATTR_ML_FEATURE_STORE_VERSION,
  ATTR_ML_INPUT_DTYPE,
  ATTR_ML_INPUT_SHAPE,
  ATTR_ML_INPUT_SIZE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_OPERATION_TYPE,
  ATTR_ML_OUTPUT_SHAPE,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_PREDICTION_CONFIDENCE,
  ATTR_ML_PREDICTION_CONFIDENCE_MEAN,
  ATTR_ML_PREDICTION_CONFIDENCE_STD,
  ATTR_ML_PREDICTION_COUNT,
  ATTR_ML_SUCCESS,
} from './attributes';
import type {
  DataProcessingOptions,
  DataProcessingSummary,
  FeatureExtractionOptions,
  FeatureExtractionSummary,
  ModelPredictionOptions,
  PredictionSummary,
} from './types';
import { hasUnsampledParent } from './instrumentations/unsampled';
import { skipsUnsampledChildren } from './runtime';

const TRACER_NAME = '@mltrace/tracing';
/** Feature names beyond this many are counted, not listed: span attributes stay small. */
export const MAX_FEATURE_NAMES = 10;

let cached: { provider: TracerProvider; tracer: Tracer } | undefined;

/**
 * The mltrace tracer; a no-op tracer until (unless) the preload registers the
 * SDK. Kept per global provider: the helpers run several times per request,
 * and the provider's lookup builds a key string each time.
 */
export function getTracer(): Tracer {
  const provider = trace.getTracerProvider();
  if (cached?.provider !== provider) cached = { provider, tracer: provider.getTracer(TRACER_NAME) };
  return cached.tracer;
}

/** Low-cardinality error type (ATTR_ERROR_TYPE): an error code when the error has one (fastify, Node), else the class name. */
export function errorType(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  }
  return '_OTHER';
}

/**
 * Records a failure on `span` the way every helper does: error.type, exception event (with the
 * stack), ERROR status. `type` (default: errorType(err)) is both `error.type` and the event's
 * `exception.type`, e.g. the code a service answered with rather than the error's own.
 */
export function recordSpanError(span: Span, err: unknown, type: string = errorType(err)): void {
  const message = err instanceof Error ? err.message : String(err);
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.recordException(err instanceof Error ? ({ name: err.name, code: type, message, ...(err.stack ? { stack: err.stack } : {}) } as Exception) : ({ message, name: type } as Exception));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/**
 * Records a refused request (a 4xx: the caller's fault) on `span`: error.type and an exception
 * event with the code and message, no stack (nothing in the service went wrong), status untouched.
 */
export function recordSpanRejection(span: Span, type: string, message: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.recordException({ code: type, message } as Exception);
}

/**
 * The active span when a new span under it could only be a non-recording one (an unsampled
 * parent, with a sampler that follows the parent); undefined when a span should be started.
 */
function unsampledActiveSpan(): Span | undefined {
  if (!skipsUnsampledChildren()) return undefined;
  const active = context.active();
  return hasUnsampledParent(active) ? (trace.getSpan(active) as Span) : undefined;
}

/**
 * `getTracer().startSpan(name, options())`, except under an unsampled parent (with a sampler
 * that follows the parent), where it starts nothing and returns the active non-recording span,
 * as the instrumentations do, with the parent's span context: for spans the helpers below do not
 * cover (a Redis pipeline). The options are built only when a span is started. Not made active;
 * the caller ends it.
 */
export function startChildSpan(name: string, options: () => SpanOptions): Span {
  const parent = unsampledActiveSpan();
  // A fresh non-recording span with the parent's context: ending it must not end the parent.
  return parent ? trace.wrapSpanContext(parent.spanContext()) : getTracer().startSpan(name, options());
}

/**
 * Runs `fn` in a new active span: the span is the parent of whatever `fn`
 * starts (including awaited work), ends when `fn`'s promise settles, and on
 * failure records the error and rethrows it unchanged. When the span is not
 * recording (no SDK, or not sampled) the summary is never computed.
 */
function runInSpan<T, S>(
  name: string,
  attributes: () => Attributes,
  fn: (span: Span) => Promise<T> | T,
  summarize: ((result: T) => S) | undefined,
  toAttributes: (summary: S) => Attributes,
): Promise<T> {
  // Under an unsampled span, with a sampler that follows the parent, the new span could only be a
  // non-recording one: no span, no context switch, no attributes; `fn` gets the active span.
  const parent = unsampledActiveSpan();
  if (parent) return (async () => fn(parent))();
  return getTracer().startActiveSpan(name, { attributes: attributes() }, async (span) => {
    const start = performance.now();
    try {
      const result = await fn(span);
      if (span.isRecording()) {
        span.setAttribute(ATTR_ML_SUCCESS, true);
        if (summarize) {
          try {
            span.setAttributes(toAttributes(summarize(result)));
          } catch {
            // A faulty summarizer must not fail work that succeeded; the span just lacks the summary.
          }
        }
      }
      return result;
    } catch (err) {
      if (span.isRecording()) {
        span.setAttribute(ATTR_ML_SUCCESS, false);
        recordSpanError(span, err);
      }
      throw err;
    } finally {
      if (span.isRecording()) span.setAttribute(ATTR_ML_DURATION_MS, performance.now() - start);
      span.end();
    }
  });
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** One confidence → scalar; several → mean and (population) standard deviation. */
export function confidenceAttributes(confidences: readonly number[]): Attributes {
  const n = confidences.length;
  if (n === 0) return { [ATTR_ML_PREDICTION_COUNT]: 0 };
  if (n === 1) return { [ATTR_ML_PREDICTION_COUNT]: 1, [ATTR_ML_PREDICTION_CONFIDENCE]: confidences[0] };
  let sum = 0;
  for (const c of confidences) sum += c;
  const mean = sum / n;
  let sq = 0;
  for (const c of confidences) sq += (c - mean) * (c - mean);
  return {
    [ATTR_ML_PREDICTION_COUNT]: n,
    [ATTR_ML_PREDICTION_CONFIDENCE_MEAN]: mean,
    [ATTR_ML_PREDICTION_CONFIDENCE_STD]: Math.sqrt(sq / n),
  };
}

/** A model call: model name/version, input shape/dtype/size; the summary adds output shape and confidence. */
export function traceModelPrediction<T>(
  opts: ModelPredictionOptions,
  fn: (span: Span) => Promise<T> | T,
  summarize?: (result: T) => PredictionSummary,
): Promise<T> {
  return runInSpan(
    opts.name ?? 'model_prediction',
    () => ({
      ...opts.attributes,
      [ATTR_ML_OPERATION_TYPE]: 'model_prediction',
      [ATTR_ML_PIPELINE_STAGE]: opts.stage ?? 'inference',
      [ATTR_ML_MODEL_NAME]: opts.modelName,
      [ATTR_ML_MODEL_VERSION]: opts.modelVersion,
      [ATTR_ML_INPUT_SHAPE]: opts.inputShape,
      [ATTR_ML_INPUT_DTYPE]: opts.inputDtype ?? 'float32',
      [ATTR_ML_INPUT_SIZE]: product(opts.inputShape),
    }),
    fn,
    summarize,
    (s) => ({
      ...(s.outputShape ? { [ATTR_ML_OUTPUT_SHAPE]: s.outputShape } : {}),
      ...(s.confidences ? confidenceAttributes(s.confidences) : {}),
    }),
  );
}

/** A feature lookup: feature count, the first ten names, feature version, entity count; the summary adds found/missing. */
export function traceFeatureExtraction<T>(
  opts: FeatureExtractionOptions,
  fn: (span: Span) => Promise<T> | T,
  summarize?: (result: T) => FeatureExtractionSummary,
): Promise<T> {
  return runInSpan(
    opts.name ?? 'feature_extraction',
    () => ({
      ...opts.attributes,
      [ATTR_ML_OPERATION_TYPE]: 'feature_extraction',
      [ATTR_ML_PIPELINE_STAGE]: opts.stage ?? 'feature_extraction',
      [ATTR_ML_FEATURE_COUNT]: opts.featureNames.length,
      [ATTR_ML_FEATURE_NAMES]: opts.featureNames.slice(0, MAX_FEATURE_NAMES),
      ...(opts.featureVersion !== undefined ? { [ATTR_ML_FEATURE_STORE_VERSION]: opts.featureVersion } : {}),
      ...(opts.entityCount !== undefined ? { [ATTR_ML_ENTITY_COUNT]: opts.entityCount } : {}),
    }),
    fn,
    summarize,
    (s) => ({
      ...(s.entityCount !== undefined ? { [ATTR_ML_ENTITY_COUNT]: s.entityCount } : {}),
      ...(s.missingCount !== undefined ? { [ATTR_ML_ENTITY_MISSING_COUNT]: s.missingCount } : {}),
    }),
  );
}

/** A transformation step: operation, stage, input size; the summary adds output size. */
export function traceDataProcessing<T>(
  opts: DataProcessingOptions,
  fn: (span: Span) => Promise<T> | T,
  summarize?: (result: T) => DataProcessingSummary,
): Promise<T> {
  return runInSpan(
    opts.name ?? opts.operation,
    () => ({
      ...opts.attributes,
      [ATTR_ML_OPERATION_TYPE]: 'data_processing',
      [ATTR_ML_DATA_OPERATION]: opts.operation,
      [ATTR_ML_PIPELINE_STAGE]: opts.stage ?? opts.operation,
      ...(opts.inputSize !== undefined ? { [ATTR_ML_DATA_INPUT_SIZE]: opts.inputSize } : {}),
    }),
    fn,
    summarize,
    (s) => (s.outputSize !== undefined ? { [ATTR_ML_DATA_OUTPUT_SIZE]: s.outputSize } : {}),
  );
}
