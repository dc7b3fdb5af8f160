/**
 * The environment of a test system that exports spans to files with the stack's default sampler,
 * whatever the developer's shell says (an OTLP endpoint, a sampler, a planted scenario).
 */
export const FILE_TRACING_ENV: Record<string, string | undefined> = {
  OTEL_TRACES_EXPORTER: 'file',
  OTEL_TRACES_SAMPLER: undefined,
  OTEL_TRACES_SAMPLER_ARG: undefined,
  MLTRACE_SAMPLING_STRATEGIES_FILE: undefined,
  MLTRACE_SAMPLING_REMOTE_URL: undefined,
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: undefined,
  OTEL_SDK_DISABLED: undefined,
  MLTRACE_SCENARIO: undefined,
};
