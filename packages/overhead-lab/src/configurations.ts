import type { Configuration } from './types';

// Every traced configuration states every knob, so a shell's OTEL_* variables cannot leak into a run.
const BASE: Record<string, string> = {
  OTEL_SDK_DISABLED: '',
  OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  OTEL_TRACES_SAMPLER_ARG: '',
  OTEL_TRACES_EXPORTER: 'file',
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
  MLTRACE_INSTRUMENTATIONS: 'curated',
  MLTRACE_SAMPLING_STRATEGIES_FILE: '',
  MLTRACE_SAMPLING_REMOTE_URL: '',
  MLTRACE_SCENARIO: '',
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: '',
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: '',
};

const ratio = (p: number): Record<string, string> => ({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(p) });

/**
 * One instrumentation removed at a time. @mltrace/tracing's `all` set honours
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS (auto-instrumentations-node) except for http, undici
 * and the fastify server-span hooks, which it always adds. `only-curated` enables the curated ioredis and
 * pino through that path, so each `no-*` differs from it by exactly one instrumentation.
 */
const only = (names: string): Record<string, string> => ({ ...BASE, ...ratio(1), MLTRACE_INSTRUMENTATIONS: 'all', OTEL_NODE_ENABLED_INSTRUMENTATIONS: names });

/**
 * What a user gets from OpenTelemetry's default setup, for comparison: the services under plain
 * `--require @opentelemetry/auto-instrumentations-node/register` (through NODE_OPTIONS, without
 * mltrace's preload), every setting at its default (all instrumentations the package enables by
 * default, parentbased_always_on, batch processor defaults, OTLP http/protobuf for traces, metrics
 * and logs) pointed at the lab's sink. One exception: the cloud resource detectors (gcp, aws,
 * azure, alibaba) are left out, because they query cloud metadata addresses off this machine.
 */
const OTEL_DEFAULT: Record<string, string> = {
  ...Object.fromEntries(Object.keys(BASE).map((k) => [k, ''])),
  OTEL_TRACES_SAMPLER: '',
  OTEL_TRACES_EXPORTER: '',
  OTEL_BSP_SCHEDULE_DELAY: '',
  NODE_OPTIONS: '--require @opentelemetry/auto-instrumentations-node/register',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container',
};

/**
 * The configurations of issue 5, in the order each round runs them. The load
 * sends no traceparent, so the gateway is the root and its head sampler decides
 * (parent-based downstream), as with real clients.
 */
export const CONFIGURATIONS: readonly Configuration[] = [
  { id: 'off', label: 'tracing off (no preload)', tracing: false, exporter: 'none', env: { MLTRACE_SCENARIO: '' } },
  { id: 'otel-default', label: 'OpenTelemetry defaults: auto-instrumentations-node/register, OTLP', tracing: false, exporter: 'otlp', otlpEndpoint: 'base', env: OTEL_DEFAULT },
  { id: 'sampling-off', label: 'SDK loaded, sampler always_off', tracing: true, exporter: 'none', env: { ...BASE, OTEL_TRACES_SAMPLER: 'always_off' } },
  { id: 'head-1', label: 'head sampling 1 %', tracing: true, exporter: 'file', env: { ...BASE, ...ratio(0.01) } },
  { id: 'head-10', label: 'head sampling 10 %', tracing: true, exporter: 'file', env: { ...BASE, ...ratio(0.1) } },
  { id: 'head-100', label: 'head sampling 100 % (curated, file)', tracing: true, exporter: 'file', env: { ...BASE, ...ratio(1) } },
  { id: 'all-100', label: '100 %, MLTRACE_INSTRUMENTATIONS=all', tracing: true, exporter: 'file', env: { ...BASE, ...ratio(1), MLTRACE_INSTRUMENTATIONS: 'all' } },
  // Node 24 runs AsyncLocalStorage on AsyncContextFrame (no promise hooks); this is what it buys.
  { id: 'acf-off-100', label: '100 %, AsyncContextFrame off (--no-async-context-frame)', tracing: true, exporter: 'file', env: { ...BASE, ...ratio(1), NODE_OPTIONS: '--no-async-context-frame' } },
  { id: 'otlp-100', label: '100 %, OTLP/HTTP protobuf to a local sink', tracing: true, exporter: 'otlp', env: { ...BASE, ...ratio(1), OTEL_TRACES_EXPORTER: 'otlp' } },
  { id: 'only-curated', label: '100 %, the curated set via the `all` path', tracing: true, exporter: 'file', env: only('ioredis,pino') },
  { id: 'no-ioredis', label: '100 %, curated without instrumentation-ioredis', tracing: true, exporter: 'file', env: only('pino') },
  { id: 'no-pino', label: '100 %, curated without instrumentation-pino', tracing: true, exporter: 'file', env: only('ioredis') },
];

/** The configurations named in `ids` (comma-separated), always with `off` first as the baseline. */
export function selectConfigurations(ids: string | undefined): Configuration[] {
  if (!ids) return [...CONFIGURATIONS];
  const wanted = ids.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !CONFIGURATIONS.some((c) => c.id === id));
  if (unknown.length) throw new Error(`unknown configuration(s) ${unknown.join(', ')}; known: ${CONFIGURATIONS.map((c) => c.id).join(', ')}`);
  return CONFIGURATIONS.filter((c) => c.id === 'off' || wanted.includes(c.id));
}
