export { buildApp } from './app';
export { loadConfig, loadSeedConfig, FEATURE_STORE_SCENARIOS } from './config';
export { seedRedis } from './seed';
export type { SeedOptions, SeedResult } from './seed';
export { featureKey, metaKey } from './keys';
export { createRedisClient, waitUntilReady } from './redis-client';
export type { FeatureBackend, LookupContext, BackendStatus } from './backend';
export * from './errors';
export type * from './types';
