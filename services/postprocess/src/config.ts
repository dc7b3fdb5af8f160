/**
 * The only place the post-processor reads the environment. An empty string
 * counts as unset; a bad value produces one warning and falls back to the default.
 */
import { envReader, type Env } from '@mltrace/service-kit/env';
import { scenarioFor } from '@mltrace/scenarios';
import type { PostprocessConfig, Thresholds } from './types';

/** High-value segments are flagged earlier: a lower churn probability already counts as churn. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = { default: 0.5, smb: 0.45, enterprise: 0.4, premium: 0.35 };

export function loadConfig(env: Env = process.env): PostprocessConfig {
  const r = envReader(env);
  return {
    host: r.string('HOST') ?? '0.0.0.0',
    port: r.int('PORT', 8083, 0, 65535),
    thresholds: parseThresholds(r.string('THRESHOLDS'), r.warnings),
    maxBatchSize: r.int('POSTPROCESS_MAX_BATCH_SIZE', 256, 1, 10_000),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 5000, 1, 600_000),
    connectionTimeoutMs: r.int('CONNECTION_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: r.string('LOG_LEVEL') ?? 'info',
    // MLTRACE_SCENARIO is shared by every service; names meant for other services are simply not ours.
    scenario: scenarioFor('postprocess', r.string('MLTRACE_SCENARIO')),
    warnings: r.warnings,
  };
}

/** `{"default":0.5,"enterprise":0.4}` merged over the defaults; every value a probability in [0, 1]. */
export function parseThresholds(raw: string | undefined, warnings: string[]): Thresholds {
  if (raw === undefined) return { ...DEFAULT_THRESHOLDS };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === 'number' && v >= 0 && v <= 1);
  if (!ok) {
    warnings.push(`THRESHOLDS=${JSON.stringify(raw)} is not a JSON object of probabilities in [0, 1]; using ${JSON.stringify(DEFAULT_THRESHOLDS)}`);
    return { ...DEFAULT_THRESHOLDS };
  }
  return { ...DEFAULT_THRESHOLDS, ...(parsed as Record<string, number>) };
}
