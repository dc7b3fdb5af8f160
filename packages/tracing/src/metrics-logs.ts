import type { Resource } from '@opentelemetry/resources';
import type { TracingConfig } from './types';

/**
 * Metrics and logs, only when OTEL_METRICS_EXPORTER or OTEL_LOGS_EXPORTER asks for them:
 * OpenTelemetry's NodeSDK sets them up from the OTEL_* variables, with no tracer provider,
 * instrumentations or propagator of its own (sdk.ts sets those up). Required here, only then:
 * the NodeSDK module loads the metrics and logs SDKs and every OTLP exporter, ≈ 0.2 s of CPU at
 * each start that a service exporting traces only does not pay.
 */
export function startMetricsAndLogs(config: TracingConfig, resource: Resource): { shutdown(): Promise<void> } {
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [],
    instrumentations: [],
    textMapPropagator: null,
    // The SDK would default both to OTLP; only the ones asked for start.
    ...(config.metricsConfigured ? {} : { metricReaders: [] }),
    ...(config.logsConfigured ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  return sdk;
}
