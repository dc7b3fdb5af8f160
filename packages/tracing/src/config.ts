import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
// ATTR_DEPLOYMENT_ENVIRONMENT is the deprecated key, still read for older OTEL_RESOURCE_ATTRIBUTES.
import { ATTR_DEPLOYMENT_ENVIRONMENT, ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from './semconv';
import type { TracingConfig, TraceExporterKind, OtlpProtocol, InstrumentationSet, ResourceDetectorName, SdkSamplerName, SpanLimitsConfig } from './types';

type Env = Record<string, string | undefined>;

/** Receives one line per bad value; the preload prints them as warnings. */
export type ConfigWarn = (message: string) => void;

/**
 * Batches leave every 500 ms instead of the SDK's 5 s: a process that is killed (SIGKILL, OOM)
 * loses at most about that much of its spans. The cost per batch is one file write or one OTLP
 * request; serialization is per span either way.
 */
export const DEFAULT_BSP_SCHEDULE_DELAY_MS = 500;
/** Flush + shutdown bound: an unreachable collector delays a stop by at most this. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000;
/** Dropped spans are announced while the process runs, at most one line per this interval. */
export const DEFAULT_DROP_REPORT_INTERVAL_MS = 5000;

const EXPORTERS: readonly TraceExporterKind[] = ['otlp', 'file', 'console', 'none'];
const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];

function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function bool(env: Env, name: string, warn: ConfigWarn, fallback = false): boolean {
  const v = str(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  warn(`${name}=${JSON.stringify(env[name])} is not true/false; using ${fallback}`);
  return fallback;
}

function int(env: Env, name: string, warn: ConfigWarn, fallback: number, min = 0): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    warn(`${name}=${JSON.stringify(raw)} is not an integer >= ${min}; using ${fallback}`);
    return fallback;
  }
  return n;
}

/** `key1=v1,key2=v2` as used by OTEL_RESOURCE_ATTRIBUTES (values percent-encoded). */
function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed percent-escape: the SDK's env detector ignores it too
    }
  }
  return out;
}

/** The service's own package.json (cwd), which names the service when OTEL_SERVICE_NAME is unset. */
function readCwdPackage(cwd: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

/**
 * Reads every environment variable the tracing package uses. Empty strings count
 * as unset; a bad value produces one warning through `warn` and the default.
 */
export function readTracingConfig(env: Env = process.env, warn: ConfigWarn = () => {}, cwd = process.cwd()): TracingConfig {
  const pkg = readCwdPackage(cwd);
  const resourceAttrs = parseKeyValueList(str(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  const serviceName =
    str(env, 'OTEL_SERVICE_NAME') ??
    resourceAttrs[ATTR_SERVICE_NAME] ??
    (pkg.name ? pkg.name.replace(/^@[^/]+\//, '') : undefined) ??
    'unknown_service';
  const serviceVersion =
    resourceAttrs[ATTR_SERVICE_VERSION] ?? str(env, 'OTEL_SERVICE_VERSION') ?? pkg.version ?? '0.0.0';
  const environment =
    resourceAttrs[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] ?? resourceAttrs[ATTR_DEPLOYMENT_ENVIRONMENT] ?? str(env, 'NODE_ENV') ?? 'development';

  const endpointName = str(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  let otlpEndpoint = str(env, endpointName);
  if (otlpEndpoint !== undefined && !URL.canParse(otlpEndpoint)) {
    warn(`${endpointName}=${JSON.stringify(otlpEndpoint)} is not a URL; ignoring it (default exporter: file)`);
    otlpEndpoint = undefined;
  }

  let exporters: TraceExporterKind[] = [otlpEndpoint ? 'otlp' : 'file'];
  const exporterRaw = str(env, 'OTEL_TRACES_EXPORTER');
  if (exporterRaw !== undefined) {
    const names = [...new Set(exporterRaw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
    const bad = names.filter((n) => !EXPORTERS.includes(n as TraceExporterKind));
    if (bad.length > 0 || names.length === 0) {
      warn(`OTEL_TRACES_EXPORTER=${JSON.stringify(exporterRaw)} has unsupported value(s) ${bad.join(', ')} (supported: ${EXPORTERS.join(', ')}); using ${exporters.join(',')}`);
    } else {
      exporters = names.includes('none') ? [] : (names as TraceExporterKind[]);
    }
  }

  let otlpProtocol: OtlpProtocol = 'http/protobuf';
  const protoName = str(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protoRaw = str(env, protoName);
  if (protoRaw !== undefined) {
    if (PROTOCOLS.includes(protoRaw as OtlpProtocol)) otlpProtocol = protoRaw as OtlpProtocol;
    else warn(`${protoName}=${JSON.stringify(protoRaw)} is not supported (supported: ${PROTOCOLS.join(', ')}); using ${otlpProtocol}`);
  }

  let instrumentations: InstrumentationSet = 'curated';
  const instRaw = str(env, 'MLTRACE_INSTRUMENTATIONS')?.toLowerCase();
  if (instRaw === 'curated' || instRaw === 'all') instrumentations = instRaw;
  else if (instRaw !== undefined) warn(`MLTRACE_INSTRUMENTATIONS=${JSON.stringify(env['MLTRACE_INSTRUMENTATIONS'])} is not curated|all; using curated`);

  const remotePollMs = str(env, 'MLTRACE_SAMPLING_REMOTE_POLL_MS') !== undefined ? int(env, 'MLTRACE_SAMPLING_REMOTE_POLL_MS', warn, 60_000, 100) : undefined;
  const strategiesFile = str(env, 'MLTRACE_SAMPLING_STRATEGIES_FILE');
  const sdkSampler = readSdkSampler(env, warn);
  const propagators = readPropagators(env, warn);

  return {
    disabled: bool(env, 'OTEL_SDK_DISABLED', warn),
    serviceName,
    serviceVersion,
    environment,
    exporters,
    otlpEndpoint,
    otlpProtocol,
    tracesDir: resolve(cwd, str(env, 'MLTRACE_TRACES_DIR') ?? join('.mltrace', 'traces')),
    instrumentations,
    shutdownTimeoutMs: int(env, 'MLTRACE_SHUTDOWN_TIMEOUT_MS', warn, DEFAULT_SHUTDOWN_TIMEOUT_MS, 1),
    dropReportIntervalMs: int(env, 'MLTRACE_DROP_REPORT_INTERVAL_MS', warn, DEFAULT_DROP_REPORT_INTERVAL_MS, 100),
    metricsConfigured: str(env, 'OTEL_METRICS_EXPORTER') !== undefined,
    logsConfigured: str(env, 'OTEL_LOGS_EXPORTER') !== undefined,
    sampling: {
      strategiesFile: strategiesFile ? resolve(cwd, strategiesFile) : undefined,
      remoteUrl: str(env, 'MLTRACE_SAMPLING_REMOTE_URL'),
      remotePollMs,
    },
    bsp: {
      maxQueueSize: int(env, 'OTEL_BSP_MAX_QUEUE_SIZE', warn, 2048, 1),
      maxExportBatchSize: int(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', warn, 512, 1),
      scheduledDelayMillis: int(env, 'OTEL_BSP_SCHEDULE_DELAY', warn, DEFAULT_BSP_SCHEDULE_DELAY_MS, 0),
      exportTimeoutMillis: int(env, 'OTEL_BSP_EXPORT_TIMEOUT', warn, 30_000, 1),
    },
    propagators,
    sdkSampler,
    samplerFollowsParent: samplerFollowsParent(sdkSampler.name, strategiesFile !== undefined || str(env, 'MLTRACE_SAMPLING_REMOTE_URL') !== undefined),
    spanLimits: readSpanLimits(env, warn),
    resourceDetectors: readResourceDetectors(env, warn),
    logLevel: str(env, 'OTEL_LOG_LEVEL'),
    writeXHeaders: str(env, 'OTEL_PROPAGATORS') !== undefined && propagators.includes('xheaders'),
  };
}

const SDK_SAMPLERS: readonly SdkSamplerName[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
const DEFAULT_SDK_SAMPLER: SdkSamplerName = 'parentbased_always_on';

/** OTEL_TRACES_SAMPLER(_ARG), as the specification defines them; a bad value is one warning and the default. */
function readSdkSampler(env: Env, warn: ConfigWarn): TracingConfig['sdkSampler'] {
  const fallback = { name: DEFAULT_SDK_SAMPLER, ratio: 1 };
  const name = str(env, 'OTEL_TRACES_SAMPLER');
  if (name === undefined) return fallback;
  const sampler = SDK_SAMPLERS.find((s) => s === name);
  if (sampler === undefined) {
    warn(`OTEL_TRACES_SAMPLER=${JSON.stringify(name)} is not supported (supported: ${SDK_SAMPLERS.join(', ')}); using ${DEFAULT_SDK_SAMPLER}`);
    return fallback;
  }
  if (!sampler.endsWith('traceidratio')) return { name: sampler, ratio: 1 };
  const arg = str(env, 'OTEL_TRACES_SAMPLER_ARG');
  const ratio = Number(arg);
  if (arg === undefined || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    warn(`OTEL_TRACES_SAMPLER_ARG=${JSON.stringify(arg ?? '')} is not a ratio in [0, 1]; using 1`);
    return { name: sampler, ratio: 1 };
  }
  return { name: sampler, ratio };
}

/**
 * Whether a span under an unsampled parent is never recorded: true for mltrace's sampler and the
 * parentbased_* samplers (the default), and for always_off; false for always_on and traceidratio,
 * which decide every span afresh. Instrumentations skip such spans entirely when it is true.
 */
function samplerFollowsParent(sampler: SdkSamplerName, mltraceSampler: boolean): boolean {
  return mltraceSampler || sampler.startsWith('parentbased_') || sampler === 'always_off';
}

/** The first of `names` that is set, as an integer >= 0 (a bad value: one warning, the SDK default). */
function limit(env: Env, warn: ConfigWarn, ...names: string[]): number | undefined {
  const name = names.find((n) => str(env, n) !== undefined);
  if (name === undefined) return undefined;
  const n = Number(str(env, name));
  if (Number.isInteger(n) && n >= 0) return n;
  warn(`${name}=${JSON.stringify(env[name])} is not an integer >= 0; using the SDK default`);
  return undefined;
}

/** The span limits of the specification's environment variables; unset ones are left to the SDK. */
function readSpanLimits(env: Env, warn: ConfigWarn): SpanLimitsConfig {
  const limits: SpanLimitsConfig = {
    attributeCountLimit: limit(env, warn, 'OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT', 'OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: limit(env, warn, 'OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT', 'OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: limit(env, warn, 'OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: limit(env, warn, 'OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: limit(env, warn, 'OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: limit(env, warn, 'OTEL_LINK_ATTRIBUTE_COUNT_LIMIT', 'OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  };
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}

const RESOURCE_DETECTORS: readonly ResourceDetectorName[] = ['env', 'host', 'os', 'process', 'serviceinstance'];

/** OTEL_NODE_RESOURCE_DETECTORS: `all` (default), `none`, or names; an unknown name is one warning and skipped. */
function readResourceDetectors(env: Env, warn: ConfigWarn): ResourceDetectorName[] {
  const names = (str(env, 'OTEL_NODE_RESOURCE_DETECTORS') ?? 'all').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return [...RESOURCE_DETECTORS];
  if (names.includes('none')) return [];
  const unknown = names.filter((n) => !RESOURCE_DETECTORS.includes(n as ResourceDetectorName));
  if (unknown.length > 0) warn(`OTEL_NODE_RESOURCE_DETECTORS: ${unknown.join(', ')} not supported (supported: all, none, ${RESOURCE_DETECTORS.join(', ')}); skipped`);
  return names.filter((n): n is ResourceDetectorName => RESOURCE_DETECTORS.includes(n as ResourceDetectorName));
}

const PROPAGATORS = ['tracecontext', 'baggage', 'jaeger', 'xheaders'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

function readPropagators(env: Env, warn: ConfigWarn): PropagatorName[] {
  const raw = str(env, 'OTEL_PROPAGATORS');
  if (raw === undefined) return [...PROPAGATORS];
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (names.includes('none')) return [];
  const good = names.filter((n): n is PropagatorName => (PROPAGATORS as readonly string[]).includes(n));
  if (good.length !== names.length) {
    warn(`OTEL_PROPAGATORS=${JSON.stringify(raw)} has unsupported value(s) (supported: ${PROPAGATORS.join(', ')}, none); ignoring them`);
  }
  return good.length > 0 ? good : [...PROPAGATORS];
}
