/**
 * The only place the inference service reads the environment. An empty
 * string counts as unset; a bad value produces one warning and falls back to
 * the default.
 */
import { join } from 'node:path';
import type { InferenceConfig, InferenceScenario } from './types';

export const INFERENCE_SCENARIOS: readonly InferenceScenario[] = ['cold-model', 'model-regression'];

/** dist/src → package root → models/ */
export const DEFAULT_MODEL_DIR = join(__dirname, '..', '..', 'models');

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): InferenceConfig {
  const warnings: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      warnings.push(`${name}=${JSON.stringify(raw)} is not an integer in [${min}, ${max}]; using ${fallback}`);
      return fallback;
    }
    return n;
  };
  const scenario = str('MLTRACE_SCENARIO');
  return {
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8082, 0, 65535),
    modelDir: str('MODEL_DIR') ?? DEFAULT_MODEL_DIR,
    defaultModelVersion: str('DEFAULT_MODEL_VERSION') ?? 'v1',
    ortThreads: int('ORT_THREADS', 1, 1, 64),
    maxBatchSize: int('INFERENCE_MAX_BATCH_SIZE', 256, 1, 10_000),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 5000, 1, 600_000),
    connectionTimeoutMs: int('CONNECTION_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: str('LOG_LEVEL') ?? 'info',
    // MLTRACE_SCENARIO is shared by every service; names meant for other services are simply not ours.
    scenario: INFERENCE_SCENARIOS.find((s) => s === scenario) ?? null,
    warnings,
  };
}
