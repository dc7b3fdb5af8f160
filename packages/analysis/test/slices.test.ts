import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareGroups, slices } from '../src/analyses/slices';
import { mannWhitneyU, quantile, twoProportionZ } from '../src/analyses/stats';
import type { Trace } from '../src/model';
import { pipelineTrace } from './trace-builders';

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
