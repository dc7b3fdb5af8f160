import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { generateCustomers } from '@mltrace/dataset';
import { ATTR_DB_SYSTEM_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_ML_OPERATION_TYPE, ATTR_BUSINESS_REGION, ATTR_ML_ENTITY_COUNT, ATTR_ML_ENTITY_MISSING_COUNT, ATTR_ML_FEATURE_STORE_VERSION } from '@mltrace/tracing';
import { freePort, readExportedSpans, startRedisServer, stopProcess, waitForHttp } from '@mltrace/testkit';
import { seedRedis } from '../src/seed';
import { HOT_PARTITION_DELAY_MS, HOT_PARTITION_REGION } from '../src/scenario';

const PACKAGE_ROOT = join(__dirname, '..', '..');

test('the service process under the tracing preload: spans, baggage and the hot-partition scenario', async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const admin = new Redis(redis.url);
  await seedRedis(admin, { featureVersion: 'v1', customers: generateCustomers({ count: 50 }) });
  admin.disconnect();

  const tracesDir = mkdtempSync(join(tmpdir(), 'fs-traces-'));
  t.after(() => rmSync(tracesDir, { recursive: true, force: true }));
  const port = await freePort();
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', 'dist/src/server.js'], {
    cwd: PACKAGE_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: redis.url,
      MLTRACE_SCENARIO: 'hot-partition',
      OTEL_SERVICE_NAME: 'feature-store',
      OTEL_TRACES_EXPORTER: 'file',
      MLTRACE_TRACES_DIR: tracesDir,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
  t.after(() => stopProcess(child));
  await waitForHttp(`http://127.0.0.1:${port}/ready`);

  const lookup = (region: string) =>
    fetch(`http://127.0.0.1:${port}/v1/features`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', baggage: `region=${region},customer_segment=smb` },
      body: JSON.stringify({ entities: ['cust-00001', 'cust-00002', 'cust-09999'] }),
    });
  assert.equal((await lookup(HOT_PARTITION_REGION)).status, 200);
  assert.equal((await lookup('eu-west')).status, 200);

  // SIGTERM: the server drains, the preload flushes, the process exits cleanly.
  await stopProcess(child);
  assert.equal(child.exitCode, 0);

  const spans = readExportedSpans(tracesDir);
  const extractions = spans.filter((s) => s.attributes[ATTR_ML_OPERATION_TYPE] === 'feature_extraction');
  assert.equal(extractions.length, 2);
  const ms = (s: (typeof spans)[number]) => Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6;
  const hot = extractions.find((s) => s.attributes[ATTR_BUSINESS_REGION] === HOT_PARTITION_REGION);
  const cold = extractions.find((s) => s.attributes[ATTR_BUSINESS_REGION] === 'eu-west');
  assert.ok(hot && cold, 'both regions arrive through baggage');
  assert.ok(ms(hot) >= HOT_PARTITION_DELAY_MS, `hot lookup span ${ms(hot)} ms`);
  assert.ok(ms(cold) < HOT_PARTITION_DELAY_MS, `cold lookup span ${ms(cold)} ms`);
  assert.equal(hot.attributes[ATTR_ML_ENTITY_COUNT], 3);
  assert.equal(hot.attributes[ATTR_ML_ENTITY_MISSING_COUNT], 1);
  assert.equal(hot.attributes[ATTR_ML_FEATURE_STORE_VERSION], 'v1');
  // One pipelined HMGET span per entity, all children of the lookup span.
  const redisSpans = spans.filter((s) => s.traceId === hot.traceId && s.attributes[ATTR_DB_SYSTEM_NAME] === 'redis');
  assert.equal(redisSpans.length, 3);
  assert.ok(redisSpans.every((s) => s.parentSpanId === hot.spanId));
});
