import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Redis from 'ioredis';
import { generateCustomers } from '@mltrace/dataset';
import { ATTR_DB_OPERATION_BATCH_SIZE, ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@opentelemetry/semantic-conventions';
import { ATTR_ML_OPERATION_TYPE, ATTR_BUSINESS_REGION, ATTR_ML_ENTITY_COUNT, ATTR_ML_ENTITY_MISSING_COUNT, ATTR_ML_FEATURE_STORE_VERSION } from '@mltrace/tracing';
import { startRedisServer, startTracedProcess, type TracedProcess } from '@mltrace/testkit';
import { BATCH_HMGET } from '../src/backends/redis';
import { seedRedis } from '../src/seed';
import { fractionPicker, HOT_PARTITION_DELAY_MS, HOT_PARTITION_REGION, SLOW_FEATURES_DELAY_MS, SLOW_FEATURES_FRACTION } from '../src/scenario';

const PACKAGE_ROOT = join(__dirname, '..', '..');
/** SPAN_KIND_CLIENT in OTLP's enum (the exported files carry OTLP values, not the API's SpanKind). */
const OTLP_SPAN_KIND_CLIENT = 3;
/**
 * How much shorter than asked a planted `setTimeout` delay can measure on a precise clock: libuv
 * keeps timer time in whole milliseconds (truncated), so an 80 ms timer can fire after 79.0x ms of
 * real time (a run measured 79.947 ms). Span durations are precise, so spans get this tolerance;
 * what the test itself times around a whole request is held to the full delay.
 */
const TIMER_GRANULARITY_MS = 1;

/** The service as a real process under the tracing preload, over a private seeded Redis; spans go to a temp dir. */
async function startTraced(t: TestContext, scenario: string): Promise<TracedProcess> {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const admin = new Redis(redis.url);
  await seedRedis(admin, { featureVersion: 'v1', customers: generateCustomers({ count: 50 }) });
  admin.disconnect();
  return startTracedProcess(t, {
    cwd: PACKAGE_ROOT,
    script: 'dist/src/server.js',
    serviceName: 'feature-store',
    env: { REDIS_URL: redis.url, MLTRACE_SCENARIO: scenario },
    readyPath: '/ready',
  });
}

test('the service process under the tracing preload: spans, baggage and the hot-partition scenario', async (t) => {
  const { url, spans: exported, stop } = await startTraced(t, 'hot-partition');

  const lookup = (region: string) =>
    fetch(`${url}/v1/features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', baggage: `region=${region},customer_segment=smb` },
      body: JSON.stringify({ entities: ['cust-00001', 'cust-00002', 'cust-09999'] }),
    });
  assert.equal((await lookup(HOT_PARTITION_REGION)).status, 200);
  assert.equal((await lookup('eu-west')).status, 200);

  // SIGTERM: the server drains, the preload flushes, the process exits cleanly.
  assert.equal(await stop(), 0);

  const spans = exported();
  const extractions = spans.filter((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'feature_extraction');
  assert.equal(extractions.length, 2);
  const ms = (s: (typeof spans)[number]) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
  const hot = extractions.find((s) => s.attributes[ATTR_BUSINESS_REGION] === HOT_PARTITION_REGION);
  const cold = extractions.find((s) => s.attributes[ATTR_BUSINESS_REGION] === 'eu-west');
  assert.ok(hot && cold, 'both regions arrive through baggage');
  assert.ok(ms(hot) >= HOT_PARTITION_DELAY_MS - TIMER_GRANULARITY_MS, `hot lookup span ${ms(hot)} ms`);
  assert.ok(ms(cold) < HOT_PARTITION_DELAY_MS, `cold lookup span ${ms(cold)} ms`);
  assert.equal(hot.attributes[ATTR_ML_ENTITY_COUNT], 3);
  assert.equal(hot.attributes[ATTR_ML_ENTITY_MISSING_COUNT], 1);
  assert.equal(hot.attributes[ATTR_ML_FEATURE_STORE_VERSION], 'v1');
  // The pipelined batch is ONE client span, a child of the lookup span; no per-command spans.
  const redisSpans = spans.filter((s) => s.traceId === hot.traceId && s.attributes[ATTR_DB_SYSTEM_NAME] === 'redis');
  assert.equal(redisSpans.length, 1, `redis spans: ${redisSpans.map((s) => s.name).join(', ')}`);
  const batch = redisSpans[0]!;
  assert.equal(batch.name, BATCH_HMGET);
  assert.equal(batch.kind, OTLP_SPAN_KIND_CLIENT);
  assert.equal(batch.parentSpanId, hot.spanId);
  assert.equal(batch.attributes[ATTR_DB_OPERATION_NAME], 'BATCH HMGET');
  assert.equal(batch.attributes[ATTR_DB_OPERATION_BATCH_SIZE], 3);
  assert.equal(batch.attributes[ATTR_SERVER_ADDRESS], '127.0.0.1');
  assert.equal(typeof batch.attributes[ATTR_SERVER_PORT], 'number');
});

test('n-plus-one under the tracing preload: one un-suppressed hmget span per entity, no batch span', async (t) => {
  const { url, spans: exported, stop } = await startTraced(t, 'n-plus-one');
  const entities = ['cust-00001', 'cust-00002', 'cust-00003', 'cust-09999'];
  const res = await fetch(`${url}/v1/features`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entities }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(((await res.json()) as { missing: string[] }).missing, ['cust-09999']);
  assert.equal(await stop(), 0);

  const spans = exported();
  const lookup = spans.find((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'feature_extraction');
  assert.ok(lookup, 'the lookup span');
  const redisSpans = spans.filter((s) => s.traceId === lookup.traceId && s.attributes[ATTR_DB_SYSTEM_NAME] === 'redis');
  assert.deepEqual(
    redisSpans.map((s) => s.name),
    entities.map(() => 'hmget'),
  );
  assert.ok(redisSpans.every((s) => s.parentSpanId === lookup.spanId && s.attributes[ATTR_DB_OPERATION_BATCH_SIZE] === undefined));
});

test('slow-features under the tracing preload: the planted latency is inside the Redis client span', async (t) => {
  const { url, spans: exported, stop } = await startTraced(t, 'slow-features');
  const planted = Array.from({ length: 7 }, fractionPicker(SLOW_FEATURES_FRACTION));
  assert.ok(planted.some(Boolean) && !planted.every(Boolean), `the picker plants some of the 7 lookups: ${planted.join(',')}`);
  for (let i = 0; i < planted.length; i++) {
    // The last lookup is a single entity: the plain-hmget path must carry the latency too.
    const entities = i === planted.length - 1 ? ['cust-00003'] : ['cust-00001', 'cust-00002'];
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/features`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entities }) });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    // On the test's own monotonic clock the whole request holds the planted delay in full.
    const roundTrip = performance.now() - t0;
    if (planted[i]) assert.ok(roundTrip >= SLOW_FEATURES_DELAY_MS, `planted lookup ${i}: round trip ${roundTrip} ms`);
  }
  assert.equal(await stop(), 0);

  const spans = exported();
  const ms = (s: (typeof spans)[number]) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
  const lookups = spans
    .filter((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'feature_extraction')
    .sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  assert.equal(lookups.length, planted.length);
  const unplanted: number[] = [];
  lookups.forEach((lookup, i) => {
    const redis = spans.filter((s) => s.parentSpanId === lookup.spanId && s.attributes[ATTR_DB_SYSTEM_NAME] === 'redis');
    assert.equal(redis.length, 1, `lookup ${i}: one redis span, got ${redis.map((s) => s.name).join(', ')}`);
    const span = redis[0]!;
    assert.equal(span.kind, OTLP_SPAN_KIND_CLIENT);
    if (planted[i]) {
      assert.equal(span.name, BATCH_HMGET, `lookup ${i}: planted latency needs the service's own client span`);
      assert.ok(ms(span) >= SLOW_FEATURES_DELAY_MS - TIMER_GRANULARITY_MS, `planted lookup ${i}: redis span ${ms(span)} ms`);
      // Nearly all of the lookup's time is the Redis access, as with a genuinely slow Redis.
      assert.ok(ms(lookup) - ms(span) < SLOW_FEATURES_DELAY_MS / 2, `lookup ${i}: ${ms(lookup)} ms, redis ${ms(span)} ms`);
    } else {
      unplanted.push(ms(span));
    }
  });
  // Without the delay a lookup is a Redis round trip; a busy machine may stall one of them past
  // the delay (91 ms was seen), not the typical one.
  const median = [...unplanted].sort((a, b) => a - b)[Math.floor(unplanted.length / 2)] ?? NaN;
  assert.ok(median < SLOW_FEATURES_DELAY_MS, `unplanted lookups' redis spans: ${unplanted.join(', ')} ms`);
});

test('without REDIS_URL the in-memory backend announces itself loudly at start', async (t) => {
  const svc = await startTracedProcess(t, {
    cwd: PACKAGE_ROOT,
    script: 'dist/src/server.js',
    serviceName: 'feature-store',
    env: { REDIS_URL: '', FEATURE_MEMORY_CUSTOMERS: '25' },
    readyPath: '/ready',
  });
  await svc.waitForOutput('PROCESS MEMORY');
  const line = svc
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .find((l) => l.msg.includes('PROCESS MEMORY'));
  assert.ok(line, svc.output());
  assert.equal(line.level, 40, 'at warn level, so LOG_LEVEL=warn still shows it');
  assert.match(line.msg, /^\*\*\* REDIS_URL is not set: serving \d+ synthetic customers from PROCESS MEMORY .*Set REDIS_URL/);
  const ready = (await (await fetch(`${svc.url}/ready`)).json()) as { backend?: string };
  assert.equal(ready.backend, 'memory');
});
