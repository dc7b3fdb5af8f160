import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from '../src/analyses/performance';
import { pipelineTrace, makeTrace, type SpanSpec } from './trace-builders';
import type { Attributes } from '../src/model';

test('end-to-end latency, success rate, per-service and per-operation figures', () => {
  const specs = [
    { t0: 0, fs: 1000, inf: 2000, pp: 500 },
    { t0: 400_000, fs: 3000, inf: 2000, pp: 500 },
    { t0: 1_200_000, fs: 1000, inf: 6000, pp: 500, ppStatus: 'error' as const, ppAttrs: { 'http.response.status_code': 500 } },
    { t0: 2_500_000, fs: 1000, inf: 2000, pp: 900 },
  ];
  const built = specs.map(pipelineTrace);
  const r = performance(built.map((b) => b.trace), { bucketMs: 1000 });
  const totals = built.map((b) => b.total).sort((a, b) => a - b);
  assert.equal(r.traces, 4);
  assert.equal(r.latency.min, totals[0]);
  assert.equal(r.latency.max, totals[3]);
  assert.equal(r.latency.p50, ((totals[1] as number) + (totals[2] as number)) / 2);
  assert.equal(r.latency.mean, totals.reduce((a, b) => a + b, 0) / 4);
  assert.equal(r.failedTraces, 1);
  assert.equal(r.successRate, 0.75);
  // Buckets of 1 s from the first start: [0,1s) has 2 traces, [1s,2s) 1, [2s,3s) 1.
  assert.deepEqual(r.throughput.counts, [2, 1, 1]);
  const inf = r.byService.find((s) => s.service === 'inference');
  assert.equal(inf?.count, 4);
  assert.equal(inf?.latency.max, 6000);
  const pp = r.byOperation.find((o) => o.operation === 'POST /v1/postprocess');
  assert.equal(pp?.errors, 1);
  assert.equal(pp?.errorRate, 0.25);
  assert.equal(r.histogram.counts.reduce((a, b) => a + b, 0), 4);
});

test('4xx answers are not failures of the pipeline', () => {
  const t = pipelineTrace({ t0: 0, fs: 1, inf: 1, pp: 1, ppStatus: 'error', ppAttrs: { 'http.response.status_code': 400 } });
  // Only the server span has the 4xx status; the client span is an error without a status code.
  const r = performance([t.trace]);
  assert.equal(r.failedTraces, 1);
  const onlyServer = pipelineTrace({ t0: 0, fs: 1, inf: 1, pp: 1 });
  onlyServer.trace.spans.forEach((s) => {
    if (s.service === 'postprocess') {
      s.status = 'error';
      s.attributes = { 'http.response.status_code': 404 };
    }
  });
  assert.equal(performance([onlyServer.trace]).failedTraces, 0);
});

test('throughput is re-weighted by 1/p when roots carry mltrace.sampling.probability', () => {
  const at = (t0: number, attrs: Attributes) => {
    const specs: SpanSpec[] = [{ id: 'r', service: 'gateway', kind: 'server', start: t0, duration: 100, attrs }];
    return makeTrace(specs);
  };
  // 3 s window, bucket 1 s: 2 sampled at p = 0.25 and 4 unsampled-marked traces.
  const traces = [at(0, {}), at(1_000_000, { 'mltrace.sampling.probability': 0.25 }), at(1_500_000, { 'mltrace.sampling.probability': 0.25 }), at(2_000_000, {}), at(2_500_000, {}), at(3_000_000, {})];
  const p = performance(traces);
  assert.equal(p.throughput.estimated.requests, 4 + 4 + 4);
  assert.equal(p.throughput.estimated.weighted, 2);
  // Inner buckets (first and last excluded with ≥ 4 buckets): [1 s, 2 s) holds 2 × 4, [2 s, 3 s) 2 × 1.
  assert.deepEqual(p.throughput.counts, [1, 2, 2, 1]);
  assert.deepEqual(p.throughput.estimated.counts, [1, 8, 2, 1]);
  assert.equal(p.throughput.meanRate, 2);
  assert.equal(p.throughput.estimated.meanRate, (8 + 2) / 2);
  assert.equal(p.throughput.estimated.peakRate, 8);
});

test('no state is kept between calls: the same array with a trace replaced gives the new figures', () => {
  const traces = [0, 1, 2].map((i) => pipelineTrace({ t0: i * 100_000, fs: 1000, inf: 2000, pp: 500 }).trace);
  const before = performance(traces).byOperation.find((o) => o.operation === 'POST /v1/infer');
  traces[1] = pipelineTrace({ t0: 100_000, fs: 1000, inf: 9000, pp: 500 }).trace;
  const after = performance(traces).byOperation.find((o) => o.operation === 'POST /v1/infer');
  assert.ok(before && after);
  assert.equal(after.latency.max, 9000);
  assert.ok(after.latency.max > before.latency.max);
  assert.deepEqual(after.exampleTraceIds, [traces[1]?.traceId]);
});
