import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad } from '../src';
import { sleep, startTarget } from './target';

test('closed loop keeps exactly N requests in flight and measures the throughput they allow', async (t) => {
  const target = await startTarget(async () => {
    await sleep(20);
    return { ok: true };
  });
  t.after(() => target.close());
  const result = await runLoad({ url: target.url, mode: 'closed', connections: 4, durationS: 1, mix: { batchSizes: { '1': 1 } } });
  assert.equal(target.maxConcurrent, 4);
  assert.equal(result.completed, result.sent);
  assert.equal(result.completed, target.hits.length);
  // Every response takes at least 20 ms, so 4 connections can never exceed 4 / 20 ms = 200/s.
  assert.ok(result.latencyMs.p50 >= 20, `p50 ${result.latencyMs.p50}`);
  assert.ok(result.throughput <= 205, `throughput ${result.throughput}`);
  // Little's law against this run's own latency (a busy machine slows both alike): 4 in flight
  // give about 4 / latency, far more than one connection's 1 / latency.
  const littles = 4 / (result.latencyMs.p50 / 1000);
  assert.ok(result.throughput > 0.6 * littles && result.throughput < 1.4 * littles, `throughput ${result.throughput} vs 4 / p50 = ${littles.toFixed(1)}`);
  assert.equal(result.requested.rate, null);
});

test('closed loop stops at --max-requests', async (t) => {
  const target = await startTarget(async () => ({ ok: true }));
  t.after(() => target.close());
  const result = await runLoad({ url: target.url, mode: 'closed', connections: 3, durationS: 30, maxRequests: 25 });
  assert.equal(result.sent, 25);
  assert.equal(target.hits.length, 25);
  assert.ok(result.elapsedS < 10);
});
