import { envReader, type Env, type EnvReader } from '@mltrace/service-kit/env';
import { isScenarioName, SCENARIO_NAMES, scenarioFor } from '@mltrace/scenarios';
import type { ExperimentArm, ExperimentConfig, GatewayConfig, GatewayScenario } from './types';

export const DEFAULT_EXPERIMENT_SPLIT = 'v1:0.5,v2:0.5';

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  featureStoreUrl: 'http://127.0.0.1:8081',
  inferenceUrl: 'http://127.0.0.1:8082',
  postprocessUrl: 'http://127.0.0.1:8083',
  requestTimeoutMs: 2000,
  dependencyConnections: 32,
  dependencyQueueTimeoutMs: 200,
  maxBatchSize: 64,
  experimentId: 'churn-model-ab',
  logLevel: 'info',
} as const;

type Warn = (message: string) => void;

function url(r: EnvReader, name: string, fallback: string): string {
  const raw = r.string(name);
  if (raw === undefined) return fallback;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through to the warning
  }
  r.warn(`${name}=${JSON.stringify(raw)} is not an http(s) URL; using ${fallback}`);
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

function scenario(r: EnvReader): GatewayScenario | null {
  const raw = r.string('MLTRACE_SCENARIO');
  if (raw === undefined) return null;
  if (!isScenarioName(raw)) r.warn(`MLTRACE_SCENARIO=${JSON.stringify(raw)} is not a known scenario (${SCENARIO_NAMES.join(', ')}); ignoring it`);
  // The gateway plants its own scenarios; the others in MLTRACE_SCENARIO belong to other services.
  return scenarioFor('gateway', raw);
}

/**
 * The only place the gateway reads its environment. Bad values fall back to the default with one
 * warning each, returned in `warnings` (the app logs them at start).
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const r = envReader(env);
  const arms = parseExperimentSplit(r.string('EXPERIMENT_SPLIT') ?? DEFAULT_EXPERIMENT_SPLIT, r.warn);
  const experiment: ExperimentConfig | null = arms ? { id: r.string('EXPERIMENT_ID') ?? DEFAULTS.experimentId, arms } : null;
  return {
    port: r.int('PORT', DEFAULTS.port, 0, 65535),
    host: r.string('HOST') ?? DEFAULTS.host,
    featureStoreUrl: url(r, 'FEATURE_STORE_URL', DEFAULTS.featureStoreUrl),
    inferenceUrl: url(r, 'INFERENCE_URL', DEFAULTS.inferenceUrl),
    postprocessUrl: url(r, 'POSTPROCESS_URL', DEFAULTS.postprocessUrl),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 1, 600_000),
    dependencyConnections: r.int('DEPENDENCY_CONNECTIONS', DEFAULTS.dependencyConnections, 1, 1024),
    dependencyQueueTimeoutMs: r.int('DEPENDENCY_QUEUE_TIMEOUT_MS', DEFAULTS.dependencyQueueTimeoutMs, 0, 600_000),
    maxBatchSize: r.int('MAX_BATCH_SIZE', DEFAULTS.maxBatchSize, 1, 256),
    experiment,
    scenario: scenario(r),
    logLevel: r.string('LOG_LEVEL') ?? DEFAULTS.logLevel,
    warnings: r.warnings,
  };
}
