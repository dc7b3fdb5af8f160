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
  // 4 connections × (1 / ~21 ms) ≈ 190 responses/s; well above 1 connection's worth, never above the server's limit.
  assert.ok(result.throughput > 100 && result.throughput <= 205, `throughput ${result.throughput}`);
  assert.ok(result.latencyMs.p50 >= 20, `p50 ${result.latencyMs.p50}`);
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
