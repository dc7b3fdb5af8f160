import type { Attributes } from '@opentelemetry/api';
import type { MLContextKey } from './attributes';

/** ML and business context carried in W3C baggage (keys are the baggage member names). */
export type MLContext = Partial<Record<MLContextKey, string>>;

interface HelperOptionsBase {
  /** Span name; defaults to the helper's operation type (for data processing: the operation). */
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

export type TraceExporterKind = 'otlp' | 'file' | 'console' | 'none';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type InstrumentationSet = 'curated' | 'all';
/** The OTEL_TRACES_SAMPLER values the specification defines (jaeger_remote is mltrace's MLTRACE_SAMPLING_REMOTE_URL). */
export type SdkSamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
/** OTEL_NODE_RESOURCE_DETECTORS names (the SDK's own detectors; the cloud ones are not loaded). */
export type ResourceDetectorName = 'env' | 'host' | 'os' | 'process' | 'serviceinstance';

/** OTEL_SPAN_*_LIMIT and OTEL_ATTRIBUTE_*_LIMIT; an absent key is the SDK's default. */
export interface SpanLimitsConfig {
  attributeCountLimit?: number;
  attributeValueLengthLimit?: number;
  eventCountLimit?: number;
  linkCountLimit?: number;
  attributePerEventCountLimit?: number;
  attributePerLinkCountLimit?: number;
}

/** Everything the preload reads from the environment (see config.ts and the README table). */
export interface TracingConfig {
  disabled: boolean;
  serviceName: string;
  serviceVersion: string;
  environment: string;
  /** Empty when OTEL_TRACES_EXPORTER=none. */
  exporters: TraceExporterKind[];
  otlpEndpoint: string | undefined;
  otlpProtocol: OtlpProtocol;
  tracesDir: string;
  instrumentations: InstrumentationSet;
  shutdownTimeoutMs: number;
  /** At most one line about dropped spans per this many ms while the process runs. */
  dropReportIntervalMs: number;
  metricsConfigured: boolean;
  logsConfigured: boolean;
  sampling: { strategiesFile: string | undefined; remoteUrl: string | undefined; remotePollMs: number | undefined };
  bsp: { maxQueueSize: number; maxExportBatchSize: number; scheduledDelayMillis: number; exportTimeoutMillis: number };
  propagators: Array<'tracecontext' | 'baggage' | 'jaeger' | 'xheaders'>;
  /** OTEL_TRACES_SAMPLER / _ARG (default parentbased_always_on, ratio 1); MLTRACE_SAMPLING_* replaces it with mltrace's sampler. */
  sdkSampler: { name: SdkSamplerName; ratio: number };
  /** The sampler never records a span under an unsampled parent (see config.ts): such spans are skipped, not started. */
  samplerFollowsParent: boolean;
  spanLimits: SpanLimitsConfig;
  /** OTEL_NODE_RESOURCE_DETECTORS (default all five). */
  resourceDetectors: ResourceDetectorName[];
  /** OTEL_LOG_LEVEL: OpenTelemetry's own diagnostics on the console (unset: silent). */
  logLevel: string | undefined;
  /** Write the X-* compatibility headers too: only when OTEL_PROPAGATORS names `xheaders` (by default they are read, not written). */
  writeXHeaders: boolean;
}

/** Span bookkeeping of the running preload; all counts since start. */
export interface TracingStats {
  /** Spans handed to an exporter that reported success. */
  exported: number;
  /** Spans dropped because the batch queue was full. */
  droppedQueueFull: number;
  /** Spans in batches whose export failed or timed out. */
  droppedExportFailed: number;
  /** Spans still queued or in flight when shutdown gave up. */
  droppedAtShutdown: number;
  /** Sum of the three drop counts. */
  dropped: number;
}
