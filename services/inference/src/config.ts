/**
 * The only place the inference service reads the environment. An empty
 * string counts as unset; a bad value produces one warning and falls back to
 * the default.
 */
import { join } from 'node:path';
import { envReader, type Env } from '@mltrace/service-kit/env';
import { scenarioFor, scenariosOf } from '@mltrace/scenarios';
import type { InferenceConfig, InferenceScenario } from './types';

export const INFERENCE_SCENARIOS: readonly InferenceScenario[] = scenariosOf('inference');

/** dist/src → package root → models/ */
export const DEFAULT_MODEL_DIR = join(__dirname, '..', '..', 'models');

export function loadConfig(env: Env = process.env): InferenceConfig {
  const r = envReader(env);
  return {
    host: r.string('HOST') ?? '0.0.0.0',
    port: r.int('PORT', 8082, 0, 65535),
    modelDir: r.string('MODEL_DIR') ?? DEFAULT_MODEL_DIR,
    defaultModelVersion: r.string('DEFAULT_MODEL_VERSION') ?? 'v1',
    ortThreads: r.int('ORT_THREADS', 1, 1, 64),
    maxBatchSize: r.int('INFERENCE_MAX_BATCH_SIZE', 256, 1, 10_000),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 5000, 1, 600_000),
    connectionTimeoutMs: r.int('CONNECTION_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: r.string('LOG_LEVEL') ?? 'info',
    // MLTRACE_SCENARIO is shared by every service; names meant for other services are simply not ours.
    scenario: scenarioFor('inference', r.string('MLTRACE_SCENARIO')),
    warnings: r.warnings,
  };
}
