import { ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpProtocol, TracingConfig } from '../types';
import { FileSpanExporter } from './file-exporter';

/**
 * One exporter per OTEL_TRACES_EXPORTER entry. The OTLP exporters are required
 * lazily so a service writing files never loads protobuf code; they read their
 * own standard variables (OTEL_EXPORTER_OTLP_*_ENDPOINT, _HEADERS, _TIMEOUT …).
 */
function createOtlpExporter(protocol: OtlpProtocol): SpanExporter {
  switch (protocol) {
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter();
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter();
    }
    case 'grpc': {
      // Default endpoint http://localhost:4317 (OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT overrides it).
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter();
    }
  }
}

export function createTraceExporters(config: TracingConfig): SpanExporter[] {
  return config.exporters.map((kind): SpanExporter => {
    switch (kind) {
      case 'file':
        return new FileSpanExporter({ dir: config.tracesDir, serviceName: config.serviceName });
      case 'console':
        return new ConsoleSpanExporter();
      case 'otlp':
        return createOtlpExporter(config.otlpProtocol);
      case 'none':
        throw new Error('unreachable: "none" yields no exporter');
    }
  });
}
