import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config';
import type { FeatureStoreConfig } from '../src/types';

/** A test configuration read through the real config loader. */
export function testConfig(env: Record<string, string> = {}): FeatureStoreConfig {
  return loadConfig({ LOG_LEVEL: 'silent', FEATURE_MEMORY_CUSTOMERS: '500', ...env });
}

export function postFeatures(app: FastifyInstance, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v1/features', payload: body as object, headers });
}
