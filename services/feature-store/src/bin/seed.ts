#!/usr/bin/env node
// Loads the synthetic customer data set into Redis: `npm run seed` (REDIS_URL required).
import { generateCustomers } from '@mltrace/dataset';
import { loadSeedConfig } from '../config';
import { createRedisClient, redisAddress, waitUntilReady } from '../redis-client';
import { seedRedis } from '../seed';

async function main(): Promise<number> {
  const config = loadSeedConfig();
  for (const w of config.warnings) console.warn(`warning: ${w}`);
  if (!config.redisUrl) {
    console.error('error: REDIS_URL is not set. Seeding needs a Redis to write to, e.g. REDIS_URL=redis://127.0.0.1:6379 npm run seed');
    return 2;
  }
  const redis = createRedisClient(config.redisUrl, { commandTimeoutMs: 10_000, connectTimeoutMs: 3000, connectionName: 'mltrace-seed' });
  const address = redisAddress(config.redisUrl);
  redis.on('error', () => {}); // reported below through the failed command
  try {
    await waitUntilReady(redis, 5000);
    const started = Date.now();
    const customers = generateCustomers(config.customerCount ? { count: config.customerCount } : {});
    const { count, chunks } = await seedRedis(redis, { featureVersion: config.featureVersion, customers, chunkSize: config.chunkSize });
    console.log(`seeded ${count} customers (feature version ${config.featureVersion}) into redis ${address} in ${chunks} pipelined chunks, ${Date.now() - started} ms`);
    return 0;
  } catch (err) {
    console.error(`error: seeding redis ${address} failed: ${(err as Error).message}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

main().then((code) => process.exit(code));
