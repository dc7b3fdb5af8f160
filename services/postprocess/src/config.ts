/**
 * The only place the post-processor reads the environment. An empty string
 * counts as unset; a bad value produces one warning and falls back to the default.
 */
import type { PostprocessConfig, Thresholds } from './types';

/** High-value segments are flagged earlier: a lower churn probability already counts as churn. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = { default: 0.5, smb: 0.45, enterprise: 0.4, premium: 0.35 };

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): PostprocessConfig {
  const warnings: string[] = [];
  const str = (name: string): string | undefined => env[name]?.trim() || undefined;
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    warnings.push(`${name}=${JSON.stringify(raw)} is not an integer in [${min}, ${max}]; using ${fallback}`);
    return fallback;
  };
  const scenario = str('MLTRACE_SCENARIO');
  return {
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8083, 0, 65535),
    thresholds: parseThresholds(str('THRESHOLDS'), warnings),
    maxBatchSize: int('POSTPROCESS_MAX_BATCH_SIZE', 256, 1, 10_000),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 5000, 1, 600_000),
    connectionTimeoutMs: int('CONNECTION_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: str('LOG_LEVEL') ?? 'info',
    // MLTRACE_SCENARIO is shared by every service; names meant for other services are simply not ours.
    scenario: scenario === 'flaky-postprocess' ? scenario : null,
    warnings,
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
