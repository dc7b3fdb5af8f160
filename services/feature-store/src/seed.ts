import type Redis from 'ioredis';
import { DEFAULT_SEED, FEATURE_NAMES, generateCustomers, type Customer } from '@mltrace/dataset';
import { featureKey, metaKey } from './keys';

export interface SeedOptions {
  featureVersion: string;
  /** Default: the data set's default customers. */
  customers?: readonly Customer[];
  /** Customers per pipelined round trip. */
  chunkSize?: number;
}

export interface SeedResult {
  count: number;
  chunks: number;
}

/**
 * Writes one hash per customer (field = feature name) and the version's meta
 * hash. HSET overwrites, so running it again leaves the same data.
 */
export async function seedRedis(redis: Redis, opts: SeedOptions): Promise<SeedResult> {
  const customers = opts.customers ?? generateCustomers();
  const chunkSize = opts.chunkSize ?? 500;
  let chunks = 0;
  for (let start = 0; start < customers.length; start += chunkSize) {
    const pipeline = redis.pipeline();
    for (const c of customers.slice(start, start + chunkSize)) {
      const fields: Record<string, string> = {};
      FEATURE_NAMES.forEach((name, i) => (fields[name] = String(c.features[i])));
      pipeline.hset(featureKey(opts.featureVersion, c.id), fields);
    }
    await execOrThrow(pipeline);
    chunks += 1;
  }
  await execOrThrow(
    redis.pipeline().hset(metaKey(opts.featureVersion), {
      count: String(customers.length),
      features: JSON.stringify(FEATURE_NAMES),
      seed: String(DEFAULT_SEED),
    }),
  );
  return { count: customers.length, chunks };
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = await pipeline.exec();
  const failed = results?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}
