import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, LOADGEN_USER_AGENT } from '../src';
import { startTarget } from './target';

function baggageOf(header: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const member of String(header).split(',')) {
    const [k, v] = member.split('=');
    out[k!.trim()] = decodeURIComponent(v!.trim());
  }
  return out;
}

test('every request carries a fresh sampled traceparent, ML-context baggage, the synthetic marker and the load generator user agent', async (t) => {
  const target = await startTarget(async () => ({ ok: true }));
  t.after(() => target.close());
  await runLoad({
    url: target.url,
    rate: 200,
    durationS: 0.25,
    seed: 9,
    mix: {
      batchSizes: { '3': 1 },
      experiment: { id: 'churn-exp-7', arms: [{ name: 'treatment', weight: 1, modelVersion: 'v2' }] },
      segments: { enterprise: 1 },
      regions: { 'ap-south': 1 },
      priorities: { high: 1 },
      baggage: { data_batch_id: 'batch 7/a' },
    },
  });
  assert.equal(target.hits.length, 50);
  const traceIds = new Set<string>();
  for (const hit of target.hits) {
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(hit.headers['traceparent']));
    assert.ok(m, `traceparent ${String(hit.headers['traceparent'])}`);
    assert.notEqual(m[1], '0'.repeat(32));
    traceIds.add(m[1]!);
    assert.deepEqual(baggageOf(hit.headers['baggage']), {
      data_batch_id: 'batch 7/a',
      experiment_id: 'churn-exp-7',
      experiment_arm: 'treatment',
      model_version: 'v2',
      customer_segment: 'enterprise',
      region: 'ap-south',
      priority: 'high',
      synthetic_type: 'test',
    });
    assert.equal(hit.headers['user-agent'], LOADGEN_USER_AGENT);
    const body = hit.body as { entities: string[] };
    assert.equal(body.entities.length, 3);
    for (const e of body.entities) assert.match(e, /^cust-\d{5}$/);
  }
  assert.equal(traceIds.size, 50, 'one fresh trace per request');
  assert.equal(new URL(target.url).pathname, '/', 'a URL without a path targets /v1/predict (the server only routes that)');
});

test('with traceparent: false only baggage is sent, so the target starts the trace and samples it itself', async (t) => {
  const target = await startTarget(async () => ({ ok: true }));
  t.after(() => target.close());
  const result = await runLoad({ url: target.url, rate: 100, durationS: 0.1, traceparent: false, mix: { regions: { 'eu-west': 1 } } });
  assert.equal(result.sent, 10);
  for (const hit of target.hits) {
    assert.equal(hit.headers['traceparent'], undefined);
    assert.equal(baggageOf(hit.headers['baggage'])['region'], 'eu-west');
    assert.equal(baggageOf(hit.headers['baggage'])['synthetic_type'], 'test');
  }
});
