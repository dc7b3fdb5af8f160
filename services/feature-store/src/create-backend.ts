import type { FastifyBaseLogger } from 'fastify';
import { FEATURE_NAMES, generateCustomers } from '@mltrace/dataset';
import type { FeatureBackend } from './backend';
import { MemoryBackend } from './backends/memory';
import { RedisBackend } from './backends/redis';
import { ScenarioBackend } from './scenario';
import type { FeatureStoreConfig } from './types';

/** REDIS_URL set → Redis; otherwise the in-memory data set, announced loudly. A scenario wraps either. */
export function createBackend(config: FeatureStoreConfig, log: FastifyBaseLogger): FeatureBackend {
  let backend: FeatureBackend;
  if (config.redisUrl) {
    backend = new RedisBackend({
      url: config.redisUrl,
      featureVersion: config.featureVersion,
      commandTimeoutMs: config.redisCommandTimeoutMs,
      connectTimeoutMs: config.redisConnectTimeoutMs,
      log,
    });
  } else {
    const customers = generateCustomers(config.memoryCustomerCount ? { count: config.memoryCustomerCount } : {});
    backend = new MemoryBackend(FEATURE_NAMES, new Map(customers.map((c) => [c.id, c.features])));
    log.warn(
      `*** REDIS_URL is not set: serving ${customers.length} synthetic customers from PROCESS MEMORY (no Redis, no ioredis spans). ` +
        'Set REDIS_URL (and run `npm run seed`) for the real feature store. ***',
    );
  }
  if (config.scenario) {
    log.warn({ scenario: config.scenario }, `fault scenario ${config.scenario} is planted in the feature store`);
    backend = new ScenarioBackend(backend, config.scenario);
  }
  return backend;
}
