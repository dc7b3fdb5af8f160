import type { ExperimentArm, ExperimentConfig, GatewayConfig, GatewayScenario } from './types';

/** Scenarios the gateway plants; the others in MLTRACE_SCENARIO belong to other services. */
const GATEWAY_SCENARIOS: readonly GatewayScenario[] = ['sequential-calls', 'dropped-context'];
const KNOWN_SCENARIOS = [
  ...GATEWAY_SCENARIOS,
  'slow-features',
  'n-plus-one',
  'hot-partition',
  'cold-model',
  'model-regression',
  'flaky-postprocess',
];

export const DEFAULT_EXPERIMENT_SPLIT = 'v1:0.5,v2:0.5';

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  featureStoreUrl: 'http://127.0.0.1:8081',
  inferenceUrl: 'http://127.0.0.1:8082',
  postprocessUrl: 'http://127.0.0.1:8083',
  requestTimeoutMs: 2000,
  maxBatchSize: 64,
  experimentId: 'churn-model-ab',
  logLevel: 'info',
} as const;

type Env = Record<string, string | undefined>;
type Warn = (message: string) => void;

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function positiveInt(env: Env, name: string, fallback: number, warn: Warn, max = Number.MAX_SAFE_INTEGER): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0 && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer in 1..${max}`;
  warn(`${name}=${JSON.stringify(raw)} is not ${range}; using ${fallback}`);
  return fallback;
}

function url(env: Env, name: string, fallback: string, warn: Warn): string {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through to the warning
  }
  warn(`${name}=${JSON.stringify(raw)} is not an http(s) URL; using ${fallback}`);
  return fallback;
}

/**
 * Parses `v1:0.5,v2:0.5` or `control=v1:0.9,treatment=v2:0.1` (arm defaults to the version).
 * Returns null for `off`/`none`, or when the value is malformed (after a warning).
 */
export function parseExperimentSplit(raw: string, warn: Warn): ExperimentArm[] | null {
  if (/^(off|none|false|0)$/i.test(raw)) return null;
  const arms: ExperimentArm[] = [];
  for (const part of raw.split(',')) {
    const m = /^\s*(?:([\w.-]+)=)?([\w.-]+):(\d+(?:\.\d+)?)\s*$/.exec(part);
    const weight = m ? Number(m[3]) : NaN;
    if (!m || !(weight > 0)) {
      warn(`EXPERIMENT_SPLIT=${JSON.stringify(raw)}: cannot parse ${JSON.stringify(part)} (expected [arm=]version:weight); using ${DEFAULT_EXPERIMENT_SPLIT}`);
      return parseExperimentSplit(DEFAULT_EXPERIMENT_SPLIT, warn);
    }
    const version = m[2] as string;
    arms.push({ arm: m[1] ?? version, version, weight });
  }
  return arms;
}

function scenario(env: Env, warn: Warn): GatewayScenario | null {
  const raw = value(env, 'MLTRACE_SCENARIO');
  if (raw === undefined) return null;
  if (!KNOWN_SCENARIOS.includes(raw)) warn(`MLTRACE_SCENARIO=${JSON.stringify(raw)} is not a known scenario (${KNOWN_SCENARIOS.join(', ')}); ignoring it`);
  return (GATEWAY_SCENARIOS as readonly string[]).includes(raw) ? (raw as GatewayScenario) : null;
}

/** The only place the gateway reads its environment. */
export function loadConfig(env: Env = process.env, warn: Warn = (m) => console.warn(`[gateway config] ${m}`)): GatewayConfig {
  const arms = parseExperimentSplit(value(env, 'EXPERIMENT_SPLIT') ?? DEFAULT_EXPERIMENT_SPLIT, warn);
  const experiment: ExperimentConfig | null = arms ? { id: value(env, 'EXPERIMENT_ID') ?? DEFAULTS.experimentId, arms } : null;
  return {
    port: positiveInt(env, 'PORT', DEFAULTS.port, warn, 65535),
    host: value(env, 'HOST') ?? DEFAULTS.host,
    featureStoreUrl: url(env, 'FEATURE_STORE_URL', DEFAULTS.featureStoreUrl, warn),
    inferenceUrl: url(env, 'INFERENCE_URL', DEFAULTS.inferenceUrl, warn),
    postprocessUrl: url(env, 'POSTPROCESS_URL', DEFAULTS.postprocessUrl, warn),
    requestTimeoutMs: positiveInt(env, 'REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, warn),
    maxBatchSize: positiveInt(env, 'MAX_BATCH_SIZE', DEFAULTS.maxBatchSize, warn, 256),
    experiment,
    scenario: scenario(env, warn),
    logLevel: value(env, 'LOG_LEVEL') ?? DEFAULTS.logLevel,
  };
}
