import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors } from '../src/analyses/errors';
import { makeTrace, pipelineTrace, rejected } from './trace-builders';
import { performance } from '../src/analyses/performance';
import type { Trace } from '../src/model';

function failing(t0: number, originService: string, type: string) {
  // gateway root → gateway client → <origin> server → <origin> internal (deepest, the origin)
  return makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: t0, duration: 100, status: 'error', attrs: { 'http.response.status_code': 502 } },
    { id: 'c', parent: 'r', service: 'gateway', name: 'POST', kind: 'client', start: t0 + 10, duration: 80, status: 'error' },
    { id: 's', parent: 'c', service: originService, name: 'handler', kind: 'server', start: t0 + 12, duration: 70, status: 'error', attrs: { 'http.response.status_code': 500 } },
    { id: 'i', parent: 's', service: originService, name: 'work', start: t0 + 20, duration: 20, status: 'error', attrs: { 'error.type': type } },
    { id: 'ok', parent: 'r', service: 'feature-store', name: 'lookup', kind: 'server', start: t0 + 1, duration: 5 },
  ]);
}

test('origin is the deepest failing span; chain, types, services, co-occurrence and timeline', () => {
  const ok = makeTrace([{ id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 3_000_000, duration: 50 }]);
  const traces = [failing(0, 'postprocess', 'PP_FLAKY_FAILURE'), failing(1_500_000, 'postprocess', 'PP_FLAKY_FAILURE'), failing(2_100_000, 'inference', 'OOM'), ok];
  const r = errors(traces, { bucketMs: 1000 });
  assert.equal(r.failedTraces, 3);
  assert.equal(r.errorRate, 3 / 4);
  assert.equal(r.errorSpans, 12);
  const top = r.origins[0];
  assert.equal(top?.service, 'postprocess');
  assert.equal(top?.operation, 'work');
  assert.equal(top?.type, 'PP_FLAKY_FAILURE');
  assert.equal(top?.traces, 2);
  assert.equal(top?.share, 2 / 3);
  assert.deepEqual(top?.exampleChain, ['postprocess: work', 'postprocess: handler', 'gateway: POST', 'gateway: POST /v1/predict']);
  assert.equal(r.byType.find((t) => t.type === 'PP_FLAKY_FAILURE')?.count, 2);
  assert.equal(r.byType.find((t) => t.type === 'HTTP 500')?.count, 3);
  assert.equal(r.byService.find((s) => s.service === 'gateway')?.count, 6);
  assert.deepEqual(
    r.coOccurrence.map((c) => [c.a, c.b, c.traces]),
    [
      ['gateway', 'postprocess', 2],
      ['gateway', 'inference', 1],
    ],
  );
  // Buckets from t=0: [0,1s) 1 failed of 1, [1,2s) 1 of 1, [2,3s) 1 of 1, [3,4s) 0 of 1.
  assert.deepEqual(r.timeline.failed, [1, 1, 1, 0]);
  assert.deepEqual(r.timeline.total, [1, 1, 1, 1]);
});

test('4xx rejections are reported apart from failures, and error origins name failures only', () => {
  const ok = [0, 1, 2].map((i) => pipelineTrace({ t0: i * 10_000, fs: 100, inf: 100, pp: 100 }).trace);
  const failed = pipelineTrace({ t0: 50_000, fs: 100, inf: 100, pp: 100, ppStatus: 'error', ppAttrs: { 'http.response.status_code': 500, 'error.type': 'PP_FLAKY_FAILURE' } }).trace;
  const rej = [rejected(60_000, 'GW_INVALID_REQUEST'), rejected(70_000, 'GW_INVALID_REQUEST'), rejected(80_000, 'GW_ENTITIES_NOT_FOUND', 404)];
  const all = [...ok, failed, ...rej];
  const p = performance(all);
  assert.equal(p.failedTraces, 1);
  assert.equal(p.rejectedTraces, 3);
  assert.equal(p.successRate, 1 - 1 / all.length);
  assert.equal(p.rejectionRate, 3 / all.length);
  const e = errors(all);
  assert.equal(e.failedTraces, 1);
  assert.equal(e.rejectedTraces, 3);
  assert.deepEqual(e.rejectionsByType, [
    { type: 'GW_INVALID_REQUEST', count: 2, exampleTraceIds: [rej[0]?.traceId, rej[1]?.traceId] },
    { type: 'GW_ENTITIES_NOT_FOUND', count: 1, exampleTraceIds: [rej[2]?.traceId] },
  ]);
  assert.deepEqual(
    e.origins.map((o) => [o.service, o.type, o.traces]),
    [['postprocess', 'PP_FLAKY_FAILURE', 1]],
  );
  assert.ok(!e.byType.some((x) => x.type.startsWith('GW_')), 'rejection spans are not failing spans');
});
