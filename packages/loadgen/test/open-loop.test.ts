import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { runLoad } from '../src';
import { sleep, startTarget } from './target';

test('open loop keeps its schedule through a 500 ms server stall and charges the stall to the requests scheduled during it', async (t) => {
  // The server stalls once: every request that arrives in the 500 ms after the first one past 400 ms waits until the stall ends.
  let stallStart = 0;
  let stallEnd = 0;
  let t0 = 0;
  const target = await startTarget(async (_req, _reply, hit) => {
    if (!stallStart && hit.at - t0 > 400) {
      stallStart = hit.at;
      stallEnd = hit.at + 500;
    }
    if (hit.at >= stallStart && hit.at < stallEnd) await sleep(stallEnd - performance.now());
    return { ok: true };
  });
  t.after(() => target.close());
  t0 = performance.now();
  const result = await runLoad({ url: target.url, rate: 100, durationS: 2, connections: 100, seed: 3, mix: { batchSizes: { '1': 1 } } });

  assert.equal(result.sent, 200);
  assert.equal(result.completed, 200);
  assert.equal(result.dropped, 0);
  assert.ok(stallStart > 0, 'the stall happened');
  // Schedule kept: requests kept arriving at ~100/s while the server was stalled (a closed loop would send none).
  const duringStall = target.hits.filter((h) => h.at >= stallStart && h.at < stallEnd).length;
  assert.ok(duringStall >= 40, `only ${duringStall} requests arrived during the stall`);
  assert.ok(result.achievedRate > 90 && result.achievedRate < 110, `achieved rate ${result.achievedRate}`);
  // ~25 % of requests were scheduled during the stall and waited 0–500 ms: the top decile must show it.
  assert.ok(result.latencyMs.max >= 450, `max ${result.latencyMs.max} ms does not reflect the 500 ms stall`);
  assert.ok(result.latencyMs.p90 >= 150, `p90 ${result.latencyMs.p90} ms hides the stall`);
  // The median request was not scheduled during the stall: it is far below the stalled ones (not
  // an absolute bound: on a busy machine every request is slower, the stalled ones by as much).
  assert.ok(result.latencyMs.p50 < result.latencyMs.max / 2, `p50 ${result.latencyMs.p50} ms against max ${result.latencyMs.max} ms: the requests outside the stall were not charged for it`);
});

test('open loop counts requests it could not send at the in-flight cap, and timeouts, separately from responses', async (t) => {
  const target = await startTarget(async () => {
    await sleep(400);
    return { ok: true };
  });
  t.after(() => target.close());
  const result = await runLoad({ url: target.url, rate: 40, durationS: 0.5, maxOutstanding: 3, timeoutMs: 200, mix: { batchSizes: { '1': 1 } } });
  assert.equal(result.requested.count, 20);
  assert.equal(result.sent + result.dropped, 20);
  assert.ok(result.dropped > 0, 'requests due while 3 were in flight are dropped');
  assert.equal(result.timeouts, result.sent, 'every sent request outlived its 200 ms deadline');
  assert.equal(result.completed, 0);
  assert.equal(result.errorCodes['TIMEOUT'], result.sent);
});

test('responses are counted by status and error code', async (t) => {
  let n = 0;
  const target = await startTarget(async (_req, reply) => {
    n++;
    if (n % 4 === 0) return reply.code(502).send({ statusCode: 502, code: 'GW_DEPENDENCY_FAILED', error: 'Bad Gateway', message: 'postprocess failed' });
    if (n % 4 === 1) return reply.code(400).send({ statusCode: 400, code: 'GW_INVALID_BODY', error: 'Bad Request', message: 'bad' });
    return { ok: true };
  });
  t.after(() => target.close());
  const result = await runLoad({ url: target.url, rate: 200, durationS: 0.2, mix: { batchSizes: { '2': 1 } } });
  assert.equal(result.completed, 40);
  assert.equal(result.statuses['502'], 10);
  assert.equal(result.statuses['400'], 10);
  assert.equal(result.statuses['200'], 20);
  assert.equal(result.ok, 20);
  assert.equal(result.errorCodes['GW_DEPENDENCY_FAILED'], 10);
  assert.equal(result.errorCodes['GW_INVALID_BODY'], 10);
});
