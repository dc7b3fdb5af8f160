import { test } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { FEATURE_NAMES, customerId, generateCustomers } from '@mltrace/dataset';
import { sleep, startRedisServer, type RedisServer } from '@mltrace/testkit';
import { buildApp } from '../src/app';
import { featureKey, metaKey } from '../src/keys';
import { seedRedis } from '../src/seed';
import type { FeaturesResponse } from '../src/types';
import { postFeatures, testConfig } from './support';

const COMMAND_TIMEOUT_MS = 300;
/** Room for a busy CI machine; still far below ioredis' default behaviour (many seconds). */
const SCHEDULING_SLACK_MS = 500;
const customers = generateCustomers({ count: 300 });

/** Server-side counters: HMGET commands executed and socket reads processed (≈ round trips). */
async function counters(admin: Redis): Promise<{ hmget: number; reads: number }> {
  const stats = await admin.info('commandstats');
  const hmget = Number(/cmdstat_hmget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
  const reads = Number(/total_reads_processed:(\d+)/.exec(await admin.info('stats'))?.[1] ?? 0);
  return { hmget, reads };
}

async function waitFor(what: string, pred: () => Promise<boolean>, timeoutMs = 10_000): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    if (await pred()) return Date.now() - start;
    await sleep(50);
  }
  throw new Error(`${what} not within ${timeoutMs} ms`);
}

test('feature store against a real redis-server', async (t) => {
  let redis: RedisServer = await startRedisServer();
  t.after(() => redis.stop());
  const admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.on('error', () => {}); // the server is stopped on purpose below
  await admin.connect();
  t.after(() => admin.disconnect());

  await t.test('seeding is idempotent and writes the meta hash', async () => {
    const first = await seedRedis(admin, { featureVersion: 'v1', customers, chunkSize: 64 });
    assert.equal(first.count, 300);
    assert.equal(first.chunks, Math.ceil(300 / 64));
    const keys = await admin.dbsize();
    await seedRedis(admin, { featureVersion: 'v1', customers, chunkSize: 64 });
    assert.equal(await admin.dbsize(), keys);
    assert.equal(keys, 301);
    const meta = await admin.hgetall(metaKey('v1'));
    assert.equal(meta.count, '300');
    assert.deepEqual(JSON.parse(meta.features ?? '[]'), [...FEATURE_NAMES]);
    const stored = await admin.hget(featureKey('v1', customerId(5)), FEATURE_NAMES[2] as string);
    assert.equal(Number(stored), customers[4]?.features[2]);
  });

  const app = buildApp(testConfig({ REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) }));
  t.after(() => app.close());
  await waitFor('ready', async () => (await app.inject('/ready')).statusCode === 200);

  await t.test('batch lookup reads Redis and reports missing entities', async () => {
    const ids = [customerId(3), 'cust-77777', customerId(300)];
    const res = await postFeatures(app, { entities: ids });
    assert.equal(res.statusCode, 200);
    const body = res.json<FeaturesResponse>();
    assert.deepEqual(body.vectors, [
      { entity: customerId(3), values: customers[2]?.features },
      { entity: customerId(300), values: customers[299]?.features },
    ]);
    assert.deepEqual(body.missing, ['cust-77777']);
  });

  await t.test('the data set gone while connected (FLUSHALL): a lookup that misses answers 503 FST_NOT_SEEDED, not 404-like missing', async () => {
    await admin.flushall();
    const res = await postFeatures(app, { entities: [customerId(3)] });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'FST_NOT_SEEDED');
    assert.equal((await app.inject('/ready')).statusCode, 503);
    await seedRedis(admin, { featureVersion: 'v1', customers, chunkSize: 64 });
    assert.equal((await postFeatures(app, { entities: [customerId(3)] })).statusCode, 200);
  });

  await t.test('a hash missing a field is a missing entity, not a partial vector', async () => {
    await admin.hset(featureKey('v1', 'cust-88888'), FEATURE_NAMES[0] as string, '1');
    const res = await postFeatures(app, { entities: ['cust-88888'] });
    assert.deepEqual(res.json<FeaturesResponse>().missing, ['cust-88888']);
  });

  await t.test('a batch is one round trip: one pipelined HMGET per entity', async () => {
    const entities = Array.from({ length: 50 }, (_, i) => customerId(i + 1));
    const before = await counters(admin);
    const res = await postFeatures(app, { entities });
    assert.equal(res.statusCode, 200);
    const after = await counters(admin);
    assert.equal(after.hmget - before.hmget, 50);
    // The INFO calls themselves are 2 reads; the whole pipeline arrives in one or two socket reads.
    assert.ok(after.reads - before.reads <= 4, `${after.reads - before.reads} reads for one batch`);
  });

  await t.test('n-plus-one scenario: one round trip per entity', async (tt) => {
    const slow = buildApp(testConfig({ REDIS_URL: redis.url, MLTRACE_SCENARIO: 'n-plus-one' }));
    tt.after(() => slow.close());
    await waitFor('ready', async () => (await slow.inject('/ready')).statusCode === 200);
    const entities = Array.from({ length: 50 }, (_, i) => customerId(i + 1));
    const before = await counters(admin);
    const res = await postFeatures(slow, { entities });
    const after = await counters(admin);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<FeaturesResponse>().vectors.length, 50);
    assert.equal(after.hmget - before.hmget, 50);
    assert.ok(after.reads - before.reads >= 50, `${after.reads - before.reads} reads for 50 entities`);
  });

  await t.test('slow Redis (process paused): 503 within the command timeout', async () => {
    redis.process.kill('SIGSTOP');
    try {
      const start = Date.now();
      const res = await postFeatures(app, { entities: [customerId(1)] });
      const elapsed = Date.now() - start;
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'FST_REDIS_UNAVAILABLE');
      assert.match(res.json().message, /redis/i);
      assert.ok(elapsed < COMMAND_TIMEOUT_MS + SCHEDULING_SLACK_MS, `answered after ${elapsed} ms`);
      assert.ok(elapsed >= COMMAND_TIMEOUT_MS - 20, `answered after ${elapsed} ms, before the timeout`);
    } finally {
      redis.process.kill('SIGCONT');
    }
    await waitFor('ready after resume', async () => (await app.inject('/ready')).statusCode === 200);
  });

  await t.test('Redis stopped: 503 fast, /ready fails; restarted on the same port: recovers by itself', async () => {
    const port = redis.port;
    await redis.stop();
    const start = Date.now();
    const res = await postFeatures(app, { entities: [customerId(1)] });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'FST_REDIS_UNAVAILABLE');
    assert.ok(Date.now() - start < COMMAND_TIMEOUT_MS + SCHEDULING_SLACK_MS, `answered after ${Date.now() - start} ms`);
    const ready = await app.inject('/ready');
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().code, 'FST_NOT_READY');

    redis = await startRedisServer(port);
    await waitFor('admin reconnect', async () => admin.status === 'ready');
    // Back, but empty: not "customer not found", and not ready.
    await waitFor('the store reconnects', async () => (await postFeatures(app, { entities: [customerId(1)] })).json().code !== 'FST_REDIS_UNAVAILABLE');
    const empty = await postFeatures(app, { entities: [customerId(1)] });
    assert.equal(empty.statusCode, 503, empty.body);
    assert.equal(empty.json().code, 'FST_NOT_SEEDED');
    assert.match(empty.json().message, /Feature version v1 is not seeded/);
    const unseeded = await app.inject('/ready');
    assert.equal(unseeded.statusCode, 503);
    assert.match(unseeded.json().message, /not seeded/);
    await seedRedis(admin, { featureVersion: 'v1', customers });
    assert.equal((await app.inject('/ready')).statusCode, 200, 'ready again once seeded');
    const recoveredIn = await waitFor('lookup recovery', async () => (await postFeatures(app, { entities: [customerId(1)] })).statusCode === 200);
    const again = await postFeatures(app, { entities: [customerId(1)] });
    assert.deepEqual(again.json<FeaturesResponse>().vectors[0]?.values, customers[0]?.features);
    assert.ok(recoveredIn < 5000, `recovered after ${recoveredIn} ms`);
  });
});

test('an unreachable REDIS_URL: the service starts, /ready is 503 and lookups 503 at once', async (t) => {
  const app = buildApp(testConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) }));
  t.after(() => app.close());
  assert.equal((await app.inject('/health')).statusCode, 200);
  assert.equal((await app.inject('/ready')).statusCode, 503);
  const start = Date.now();
  const res = await postFeatures(app, { entities: ['cust-00001'] });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().code, 'FST_REDIS_UNAVAILABLE');
  assert.doesNotMatch(res.json().message, /127\.0\.0\.1|:1\b/, 'the address goes to the log, not to callers');
  assert.match(res.json().message, /not connected/);
  assert.ok(Date.now() - start < COMMAND_TIMEOUT_MS, 'fails fast instead of queueing');
});
