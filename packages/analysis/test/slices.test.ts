import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareGroups, slices } from '../src/analyses/slices';
import { mannWhitneyU, quantile, twoProportionZ } from '../src/analyses/stats';
import type { Trace } from '../src/model';
import { pipelineTrace, makeTrace, rejected } from './trace-builders';

/** 4 segments × 2 versions × 20 traces; v2 ∧ enterprise is slow by `extra` µs of inference. */
function population(extra: number, fail?: (i: number, seg: string, ver: string) => boolean) {
  const traces: Trace[] = [];
  const e2e = new Map<string, number[]>();
  let i = 0;
  for (const seg of ['consumer', 'smb', 'enterprise', 'premium'])
    for (const ver of ['v1', 'v2'])
      for (let k = 0; k < 20; k++) {
        const inf = 2000 + ((k * 37) % 11) * 50 + (seg === 'enterprise' && ver === 'v2' ? extra : 0);
        const failed = fail?.(i, seg, ver) ?? false;
        const b = pipelineTrace({
          t0: i++ * 10_000,
          fs: 1000,
          inf,
          pp: 500,
          attrs: { 'ml.model.version': ver, 'business.customer_segment': seg, 'ml.prediction.confidence.mean': ver === 'v1' ? 0.8 : 0.9 },
          ...(failed ? { ppStatus: 'error' as const } : {}),
        });
        traces.push(b.trace);
        const key = `${ver}/${seg}`;
        e2e.set(key, [...(e2e.get(key) ?? []), b.total]);
      }
  return { traces, e2e };
}

test('per-slice latency, error rate and confidence', () => {
  const { traces, e2e } = population(0);
  const r = slices(traces);
  const ver = r.byKey.find((k) => k.key === 'ml.model.version');
  const v1 = ver?.values.find((v) => v.value === 'v1');
  const v1Latencies = [...e2e].filter(([k]) => k.startsWith('v1/')).flatMap(([, v]) => v);
  assert.equal(v1?.traces, 80);
  assert.equal(v1?.latency.p50, quantile(v1Latencies, 0.5));
  assert.ok(Math.abs((v1?.confidence ?? 0) - 0.8) < 1e-9);
  assert.equal(v1?.errorRate, 0);
  assert.ok(v1 && Math.abs(Object.values(v1.cpShareByService).reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.equal(r.slowSlices.length, 0, 'no slice is slow when none was made slow');
});

test('a slow combination is found as the pair, not as its parts', () => {
  const { traces } = population(30_000);
  const r = slices(traces);
  const top = r.slowSlices[0];
  assert.equal(top?.label, 'ml.model.version=v2 ∧ business.customer_segment=enterprise');
  assert.equal(top?.traces, 20);
  assert.ok((top?.ratio ?? 0) > 3);
  assert.ok((top?.pValue ?? 1) < 0.001);
  // The separator for slow traces is one of the two attributes involved.
  assert.ok(['ml.model.version', 'business.customer_segment'].includes(r.separators.slow[0]?.key ?? ''));
});

test('comparison of two slices: differences with Mann–Whitney and z-test significance', () => {
  const { traces } = population(0, (i, _seg, ver) => ver === 'v2' && i % 4 === 0);
  const r = slices(traces, { compare: { key: 'ml.model.version', a: 'v1', b: 'v2' } });
  const c = r.comparison;
  assert.ok(c);
  assert.equal(c.a.traces, 80);
  assert.equal(c.b.failed, 20);
  assert.equal(c.errors.rateDiff, 20 / 80);
  assert.equal(c.errors.test.pValue, twoProportionZ(0, 80, 20, 80).pValue);
  assert.ok(c.errors.test.pValue < 0.001);
  assert.ok(Math.abs((c.confidence.diff ?? 0) - 0.1) < 1e-12);
  const la = traces.filter((t) => t.spans[0]?.attributes['ml.model.version'] === 'v1').map((t) => t.spans[0]!.duration);
  const lb = traces.filter((t) => t.spans[0]?.attributes['ml.model.version'] === 'v2').map((t) => t.spans[0]!.duration);
  assert.equal(c.latency.test.pValue, mannWhitneyU(la, lb).pValue);
  const direct = compareGroups('x', traces.slice(0, 10), 'y', traces.slice(0, 10));
  assert.equal(direct.latency.p50DiffUs, 0);
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
