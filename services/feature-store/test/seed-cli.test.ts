import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startRedisServer } from '@mltrace/testkit';
import { metaKey } from '../src/keys';

// dist/test → dist/src/bin/seed.js
const SEED_BIN = join(__dirname, '..', 'src', 'bin', 'seed.js');

function runSeed(env: Record<string, string>) {
  const { REDIS_URL: _ignored, ...inherited } = process.env;
  return spawnSync(process.execPath, [SEED_BIN], { env: { ...inherited, ...env }, encoding: 'utf8', timeout: 30_000 });
}

test('seed CLI without REDIS_URL exits 2 with a clear message', () => {
  const r = runSeed({});
  assert.equal(r.status, 2);
  assert.match(r.stderr, /REDIS_URL is not set/);
});

test('seed CLI loads the data set into Redis, twice without change', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const client = new Redis(redis.url);
  t.after(() => client.disconnect());
  const env = { REDIS_URL: redis.url, SEED_CUSTOMER_COUNT: '120', FEATURE_VERSION: 'v3' };
  const first = runSeed(env);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /seeded 120 customers \(feature version v3\)/);
  const second = runSeed(env);
  assert.equal(second.status, 0, second.stderr);
  assert.equal(await client.dbsize(), 121);
  assert.equal(await client.hget(metaKey('v3'), 'count'), '120');
});

test('seed CLI against a Redis that is not there fails with the address', () => {
  const r = runSeed({ REDIS_URL: 'redis://127.0.0.1:1' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /127\.0\.0\.1:1/);
});
