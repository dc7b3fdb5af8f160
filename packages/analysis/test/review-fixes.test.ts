/** Regression tests for review findings: multi-root critical path, rejections vs failures, request-type-aware expectations, unanswered calls, warm-up, sampling, per-slice metrics. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeness } from '../src/analyses/completeness';
import { criticalPathAggregate } from '../src/analyses/critical-path-aggregate';
import { dependencies } from '../src/analyses/dependencies';
import { errors } from '../src/analyses/errors';
import { performance } from '../src/analyses/performance';
import { compareGroups, slices } from '../src/analyses/slices';
import { twoProportionZ } from '../src/analyses/stats';
import type { Attributes, Trace } from '../src/model';
import { makeTrace, pipelineTrace, type SpanSpec } from './trace-builders';

test('two concurrent roots: overlapping critical paths count once, shares stay ≤ 1', () => {
  // Root A (gateway) [0, 1000); root B (postprocess, orphan of a missing parent) [800, 1500).
  const t = makeTrace([
    { id: 'a', service: 'gateway', kind: 'server', start: 0, duration: 1000 },
    { id: 'b', parent: 'gone', service: 'postprocess', kind: 'server', start: 800, duration: 700 },
  ]);
  const r = criticalPathAggregate([t]);
  const e2e = 1500;
  // A's path covers [0,1000); B's adds only [1000,1500) that A did not already cover.
  const gw = r.byService.find((s) => s.service === 'gateway');
  const pp = r.byService.find((s) => s.service === 'postprocess');
  assert.equal(gw?.shareOfTotal, 1000 / e2e);
  assert.equal(pp?.shareOfTotal, (1500 - 1000) / e2e);
  const sum = r.byService.reduce((a, s) => a + s.shareOfTotal, 0);
  assert.ok(sum <= 1 + 1e-12, `shares sum to ${sum}`);
  for (const s of r.byService) assert.ok(s.shareOfTotal <= 1 && s.shareP95 <= 1);
});

/** A gateway request the gateway refused: root 4xx, a failed `request rejected` child. */
function rejected(t0: number, code: string, status = 400): Trace {
  return makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: t0, duration: 500, attrs: { 'http.response.status_code': status, 'error.type': code } },
    { id: 'x', parent: 'r', service: 'gateway', name: 'request rejected', start: t0 + 100, duration: 10, status: 'error', attrs: { 'error.type': code } },
  ]);
}

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
    { type: 'GW_INVALID_REQUEST', count: 2 },
    { type: 'GW_ENTITIES_NOT_FOUND', count: 1 },
  ]);
  assert.deepEqual(
    e.origins.map((o) => [o.service, o.type, o.traces]),
    [['postprocess', 'PP_FLAKY_FAILURE', 1]],
  );
  assert.ok(!e.byType.some((x) => x.type.startsWith('GW_')), 'rejection spans are not failing spans');
});

/** An `instances` request: raw feature vectors, so the gateway never calls the feature store. */
function instancesTrace(t0: number): Trace {
  const t = pipelineTrace({ t0, fs: 100, inf: 200, pp: 100 }).trace;
  return { ...t, spans: t.spans.filter((s) => s.service !== 'feature-store' && !(s.kind === 'client' && s.spanId === t.spans.find((x) => x.service === 'feature-store')?.parentSpanId)) };
}

test('expectations follow the request type: raw-vector requests do not need the feature store', () => {
  const entities = [0, 1, 2, 3].map((i) => pipelineTrace({ t0: i * 10_000, fs: 100, inf: 200, pp: 100 }).trace);
  const instances = [5, 6].map((i) => instancesTrace(i * 10_000));
  assert.ok(instances.every((t) => t.spans.length === 5), 'root, two calls and their server spans');
  const all = [...entities, ...instances, rejected(90_000, 'GW_INVALID_REQUEST')];
  const c = completeness(all);
  assert.equal(c.tracedOperations, 1);
  assert.deepEqual(c.missingServices, []);
  assert.equal(c.entryTraces, entities.length + instances.length, 'the rejected request is not an entry trace to judge');
  const d = dependencies(all);
  const fs = d.expected.find((x) => x.to === 'feature-store');
  assert.equal(fs?.applies, entities.length);
  assert.equal(fs?.status, 'present');
  assert.ok(d.expected.every((x) => x.status === 'present'), JSON.stringify(d.expected));
  // A call the gateway made to the feature store that left no feature-store span is still missing.
  const lost = pipelineTrace({ t0: 100_000, fs: 100, inf: 200, pp: 100 }).trace;
  const fsServer = lost.spans.find((s) => s.service === 'feature-store')!;
  const fsClient = lost.spans.find((s) => s.spanId === fsServer.parentSpanId)!;
  fsClient.attributes = { 'server.address': '10.0.0.9', 'server.port': 8081, 'peer.service': 'feature-store' };
  const lostTrace = { ...lost, spans: lost.spans.filter((s) => s !== fsServer) };
  const c2 = completeness([...entities, lostTrace]);
  assert.deepEqual(c2.missingServices, [{ service: 'feature-store', traces: 1, share: 1 / 5 }]);
});

test('a call to a service that is down counts for that service by server.address:server.port', () => {
  const addr = { 'server.address': '127.0.0.1', 'server.port': 8082 };
  const healthy = makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, duration: 1000, attrs: { 'http.response.status_code': 200 } },
    { id: 'c', parent: 'r', service: 'gateway', name: 'POST', kind: 'client', start: 100, duration: 600, attrs: { ...addr, 'http.response.status_code': 200 } },
    { id: 's', parent: 'c', service: 'inference', name: 'POST /v1/infer', kind: 'server', start: 150, duration: 500, attrs: { ...addr, 'http.response.status_code': 200 } },
  ]);
  const down = makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 10_000, duration: 300, status: 'error', attrs: { 'http.response.status_code': 502 } },
    { id: 'c', parent: 'r', service: 'gateway', name: 'POST', kind: 'client', start: 10_100, duration: 20, status: 'error', attrs: { ...addr, 'error.type': 'ECONNREFUSED' } },
  ]);
  const d = dependencies([healthy, down]);
  const edge = d.edges.find((e) => e.from === 'gateway' && e.to === 'inference');
  assert.equal(edge?.calls, 2);
  assert.equal(edge?.unanswered, 1);
  assert.equal(edge?.errorRate, 1 / 2);
  assert.equal(edge?.meanUs, (600 + 20) / 2);
  // The failure's origin names the service that did not answer.
  const origin = errors([healthy, down]).origins[0];
  assert.deepEqual([origin?.service, origin?.type, origin?.unansweredCallee], ['gateway', 'ECONNREFUSED', 'inference']);
});

test('slow-slice: the cold first wave is ignored; a genuinely slow slice is still found', () => {
  const traces: Trace[] = [];
  let t0 = 0;
  const push = (batch: string, extra: number) => {
    const built = pipelineTrace({ t0, fs: 1000 + (traces.length % 7) * 37, inf: 2000 + extra, pp: 500, attrs: { 'ml.data_batch.id': batch } });
    traces.push(built.trace);
    t0 += 10_000;
  };
  // The first 8 requests start together, before any has finished, and are 30 ms slower (cold).
  for (let i = 0; i < 8; i++) {
    const built = pipelineTrace({ t0: i * 10, fs: 1000, inf: 32_000, pp: 500, attrs: { 'ml.data_batch.id': 'b0' } });
    traces.push(built.trace);
  }
  t0 = 100_000;
  for (let i = 0; i < 22; i++) push('b0', 0);
  for (let b = 1; b < 4; b++) for (let i = 0; i < 30; i++) push(`b${b}`, 0);
  assert.deepEqual(slices(traces).slowSlices, [], 'the warm-up wave makes no slice slow');
  // Control: the same data with batch b2 really 2 ms slower everywhere is reported.
  const slowTraces: Trace[] = traces.slice(0, 8);
  t0 = 100_000;
  traces.length = 0;
  for (let i = 0; i < 22; i++) push('b0', 0);
  for (let b = 1; b < 4; b++) for (let i = 0; i < 30; i++) push(`b${b}`, b === 2 ? 2000 : 0);
  const found = slices([...slowTraces, ...traces]).slowSlices;
  assert.deepEqual(found.map((s) => s.label), ['ml.data_batch.id=b2']);
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

test('per-slice throughput, rejection rate, error types and top operations', () => {
  const v1 = [0, 1, 2, 3].map((i) => pipelineTrace({ t0: i * 500_000, fs: 100, inf: 400, pp: 100, attrs: { 'ml.model.version': 'v1' } }).trace);
  const v2fail = pipelineTrace({ t0: 100_000, fs: 100, inf: 400, pp: 100, attrs: { 'ml.model.version': 'v2' }, ppStatus: 'error', ppAttrs: { 'http.response.status_code': 500, 'error.type': 'PP_FLAKY_FAILURE' } }).trace;
  const v2rej = rejected(200_000, 'GW_INVALID_REQUEST');
  for (const s of v2rej.spans) s.attributes = { ...s.attributes, 'ml.model.version': 'v2' };
  const r = slices([...v1, v2fail, v2rej]);
  const key = r.byKey.find((k) => k.key === 'ml.model.version')!;
  const a = key.values.find((v) => v.value === 'v1')!;
  const b = key.values.find((v) => v.value === 'v2')!;
  assert.equal(a.throughput, 3 / 1.5, '4 requests over 1.5 s: 3 intervals');
  assert.equal(b.errorRate, 1 / 2);
  assert.equal(b.rejectionRate, 1 / 2);
  assert.deepEqual(b.rejectionTypes, [{ type: 'GW_INVALID_REQUEST', count: 1 }]);
  assert.ok(b.errorTypes.some((x) => x.type === 'PP_FLAKY_FAILURE' && x.count === 1), JSON.stringify(b.errorTypes));
  assert.deepEqual(a.errorTypes, []);
  // v1: inference's server span has the most self time (400 µs each, no children).
  assert.deepEqual([a.topOperations[0]?.service, a.topOperations[0]?.operation], ['inference', 'POST /v1/infer']);
  assert.ok(a.topOperations[0]!.selfTimeShare > 0 && a.topOperations[0]!.selfTimeShare <= 1);
});

test('slow-slice: a key with one value everywhere forms no pair, and background traces are not compared', () => {
  const traces: Trace[] = [];
  for (let i = 0; i < 60; i++) {
    const v2 = i % 2 === 1;
    const attrs = { 'ml.model.version': v2 ? 'v2' : 'v1', 'ml.feature_store.version': 'v1' };
    traces.push(pipelineTrace({ t0: i * 20_000, fs: 1000 + (i % 5) * 50, inf: v2 ? 4000 : 2000, pp: 500, attrs }).trace);
  }
  // Start-up work (an internal root, no request) tagged v1 and very long: not a request.
  for (let i = 0; i < 12; i++) traces.push(makeTrace([{ id: 'load', service: 'inference', name: 'model_load', start: 2_000_000 + i * 100_000, duration: 60_000, attrs: { 'ml.model.version': 'v1' } }]));
  const found = slices(traces).slowSlices;
  assert.deepEqual(found.map((s) => s.label), ['ml.model.version=v2']);
  // The rest: the v1 requests after the first (cold by definition: it started before any request ended).
  const v1 = traces.slice(2, 60).filter((_, i) => i % 2 === 0);
  const v1Mean = v1.reduce((a, t) => a + (Math.max(...t.spans.map((s) => s.start + s.duration)) - t.spans[0]!.start), 0) / v1.length;
  assert.ok(Math.abs((found[0]?.restMeanUs ?? 0) - v1Mean) < 1e-9, `${found[0]?.restMeanUs} vs ${v1Mean}`);
});

test('a comparison reports rejection rates apart from error rates, with a two-proportion z-test', () => {
  const ok = (i: number) => pipelineTrace({ t0: i * 10_000, fs: 100, inf: 100, pp: 100 }).trace;
  const a = [ok(0), ok(1), ok(2), rejected(30_000, 'GW_INVALID_REQUEST')];
  const b = [ok(4), rejected(50_000, 'GW_INVALID_REQUEST'), rejected(60_000, 'GW_INVALID_REQUEST'), rejected(70_000, 'GW_ENTITIES_NOT_FOUND', 404)];
  const c = compareGroups('a', a, 'b', b);
  assert.equal(c.a.rejectionRate, 1 / 4);
  assert.equal(c.b.rejectionRate, 3 / 4);
  assert.equal(c.a.errorRate + c.b.errorRate, 0, 'rejections are not errors');
  assert.equal(c.rejections.rateDiff, 3 / 4 - 1 / 4);
  assert.deepEqual(c.rejections.test, twoProportionZ(1, 4, 3, 4));
});
