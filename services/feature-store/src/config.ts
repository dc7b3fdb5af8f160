/**
 * The only place the feature store reads the environment. An empty string
 * counts as unset; a bad value produces one warning and falls back to the default.
 */
import { envReader, type Env, type EnvReader } from '@mltrace/service-kit/env';
import { scenarioFor, scenariosOf } from '@mltrace/scenarios';
import type { FeatureStoreConfig, SeedConfig } from './types';

export const FEATURE_STORE_SCENARIOS = scenariosOf('feature-store');

function featureVersion(r: EnvReader): string {
  const v = r.string('FEATURE_VERSION');
  if (v === undefined) return 'v1';
  // The version becomes part of a Redis key: keep it to a safe alphabet.
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(v)) {
    r.warn(`FEATURE_VERSION=${JSON.stringify(v)} must match [A-Za-z0-9._-]{1,32}; using v1`);
    return 'v1';
  }
  return v;
}

export function loadConfig(env: Env = process.env): FeatureStoreConfig {
  const r = envReader(env);
  return {
    host: r.string('HOST') ?? '0.0.0.0',
    port: r.int('PORT', 8081, 0, 65535),
    redisUrl: r.string('REDIS_URL') ?? null,
    featureVersion: featureVersion(r),
    redisCommandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 500, 1, 60_000),
    redisConnectTimeoutMs: r.int('REDIS_CONNECT_TIMEOUT_MS', 1000, 1, 60_000),
    maxBatchSize: r.int('FEATURE_MAX_BATCH_SIZE', 256, 1, 10_000),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 5000, 1, 600_000),
    connectionTimeoutMs: r.int('CONNECTION_TIMEOUT_MS', 10_000, 1, 600_000),
    logLevel: r.string('LOG_LEVEL') ?? 'info',
    // MLTRACE_SCENARIO is shared by every service; names meant for other services are simply not ours.
    scenario: scenarioFor('feature-store', r.string('MLTRACE_SCENARIO')),
    memoryCustomerCount: r.int('FEATURE_MEMORY_CUSTOMERS', 0, 0, 1_000_000) || null,
    warnings: r.warnings,
  };
}

export function loadSeedConfig(env: Env = process.env): SeedConfig {
  const r = envReader(env);
  const redisUrl = r.string('REDIS_URL');
  return {
    redisUrl: redisUrl ?? null,
    featureVersion: featureVersion(r),
    customerCount: r.int('SEED_CUSTOMER_COUNT', 0, 0, 1_000_000) || null,
    chunkSize: r.int('SEED_CHUNK_SIZE', 500, 1, 100_000),
    warnings: r.warnings,
  };
}
