import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../src/analyses/analyze';
import { roundTrips, type Recommendation } from '../src/analyses/recommendations';
import type { Span } from '../src/model';
import { makeTrace } from './trace-builders';
import { generateTraces, type GeneratorOptions } from '../src/synthetic/generator';

function recs(faults: GeneratorOptions['faults'], traces = 600): { list: Recommendation[]; ids: string[]; data: ReturnType<typeof generateTraces> } {
  const data = generateTraces({ traces, seed: 11, ...(faults ? { faults } : {}) });
  const list = analyze(data).recommendations;
  return { list, ids: list.map((r) => r.id), data };
}

function only(list: Recommendation[], id: string): Recommendation {
  const r = list.find((x) => x.id === id);
  assert.ok(r, `expected a ${id} recommendation, got ${list.map((x) => x.id).join(', ') || 'none'}`);
  return r;
}

test('a healthy pipeline gets no recommendation', () => {
  assert.deepEqual(recs(undefined).ids, []);
});

test('every recommendation carries evidence numbers and a gain, sorted by impact', () => {
  const { list } = recs({ coldModel: true, flakyPostprocess: 0.2, nPlusOne: true });
  assert.ok(list.length >= 3);
  for (const r of list) {
    assert.ok(Object.keys(r.evidence).length >= 3, `${r.id} has evidence`);
    assert.ok(Number.isFinite(r.estimatedGain.value) && r.estimatedGain.value > 0, `${r.id} has a gain`);
    assert.ok(r.impact > 0 && r.impact <= 1);
  }
  for (let i = 1; i < list.length; i++) assert.ok((list[i - 1] as Recommendation).impact >= (list[i] as Recommendation).impact);
});

test('model-reloaded: model_load inside every inference request', () => {
  const { list, data } = recs({ coldModel: true });
  const r = only(list, 'model-reloaded');
  const loads = data.flatMap((t) => t.spans).filter((s) => s.name === 'model_load');
  assert.equal(r.evidence.loadsInRequests, loads.length);
  assert.equal(r.evidence.loadsPerRequest, 1);
  const meanMs = loads.reduce((a, s) => a + s.duration, 0) / loads.length / 1000;
  assert.ok(Math.abs((r.evidence.meanLoadMs as number) - meanMs) < 0.01);
  assert.equal(r.target, 'inference: model_load');
});

test('redis-n-plus-one: one sequential round trip per entity', () => {
  const { list, data } = recs({ nPlusOne: true });
  const r = only(list, 'redis-n-plus-one');
  const redisPerRequest = data.flatMap((t) => t.spans).filter((s) => s.name === 'hmget').length / data.flatMap((t) => t.spans).filter((s) => s.kind === 'server' && s.name === 'POST /v1/features').length;
  assert.ok(Math.abs((r.evidence.meanRedisCallsPerRequest as number) - redisPerRequest) < 1e-9);
  assert.equal(r.evidence.meanRoundTripsPerRequest, r.evidence.meanRedisCallsPerRequest, 'no two calls overlap');
  assert.match(r.target, /^feature-store: redis hmget/);
  // Pipelined calls (the healthy case) are one round trip: no finding.
  assert.ok(!recs(undefined).ids.includes('redis-n-plus-one'));
});

test('sequential-calls: the independent enrichment lookup runs after the first one', () => {
  const { list } = recs({ sequentialCalls: true });
  const r = only(list, 'sequential-calls');
  assert.equal(r.target, 'gateway: feature-store then feature-store');
  assert.equal(r.evidence.shareOfRequests, 100);
});

test('feature-store-dominates: slow feature lookups on the critical path', () => {
  const r = only(recs({ slowFeatures: 0.3 }).list, 'feature-store-dominates');
  assert.ok((r.evidence.criticalPathShare as number) >= 50);
});

test('error-origin names the service where failures start', () => {
  const { list, data } = recs({ flakyPostprocess: 0.2 });
  const r = only(list, 'error-origin');
  assert.equal(r.evidence.service, 'postprocess');
  assert.equal(r.evidence.errorType, 'PP_FLAKY_FAILURE');
  const failed = data.filter((t) => t.spans.some((s) => s.status === 'error')).length;
  assert.equal(r.evidence.failedTraces, failed);
  assert.equal(r.estimatedGain.value, failed);
});

test('dropped-context names the hop and no false slow slice comes from the split traces', () => {
  const { list, ids } = recs({ droppedContext: true });
  const r = only(list, 'dropped-context');
  assert.equal(r.target, 'gateway→postprocess');
  assert.equal(r.evidence.splitTraces, 600);
  assert.ok(!ids.includes('slow-slice'));
  assert.ok(!ids.includes('sequential-calls'));
});

test('slow-slice: the slow combination, and a slow region', () => {
  const pair = recs({ slowSlices: [{ when: { 'ml.model.version': 'v2', 'business.customer_segment': 'enterprise' }, extraMs: 60 }] });
  const slow = pair.list.filter((x) => x.id === 'slow-slice');
  assert.deepEqual(
    slow.map((x) => x.target),
    ['ml.model.version=v2 ∧ business.customer_segment=enterprise'],
  );
  const region = recs({ slowSlices: [{ when: { 'business.region': 'ap-south' }, extraMs: 40, at: 'feature-store' }] });
  assert.equal(only(region.list, 'slow-slice').target, 'business.region=ap-south');
});

test('throughput-variability: bursts of traffic', () => {
  // Two generators glued together: a quiet minute then a burst.
  const quiet = generateTraces({ traces: 300, seed: 1, rate: 20 });
  const burst = generateTraces({ traces: 900, seed: 2, rate: 300, startTime: (quiet.at(-1)?.spans[0]?.start ?? 0) + 1_000_000 });
  const quiet2 = generateTraces({ traces: 300, seed: 3, rate: 20, startTime: (burst.at(-1)?.spans[0]?.start ?? 0) + 1_000_000 });
  const r = only(analyze([...quiet, ...burst, ...quiet2]).recommendations, 'throughput-variability');
  assert.ok((r.evidence.cv as number) >= 0.5);
  assert.ok((r.evidence.peakRate as number) > (r.evidence.meanRate as number));
});

/** Spans as OpenTelemetry JS records them: start floored to the millisecond, end exact. */
function quantized(calls: Array<[number, number]>): Span[] {
  return makeTrace(
    calls.map(([start, end], i) => {
      const s = Math.floor(start / 1000) * 1000;
      return { id: `r${i}`, service: 'feature-store', name: 'hmget', kind: 'client' as const, start: s, duration: end - s };
    }),
  ).spans;
}

test('round trips survive millisecond start times', () => {
  // Sequential: each call starts 30 µs after the previous reply, round trips of 300 µs.
  const seq: Array<[number, number]> = [];
  for (let k = 0, t = 10_400; k < 8; k++, t += 330) seq.push([t, t + 300]);
  const s = roundTrips(quantized(seq));
  assert.equal(s.trips, 8);
  assert.ok(Math.abs(s.durations.reduce((a, b) => a + b, 0) - (seq.at(-1)![1] - 10_000)) < 1e-9, 'trips add up to the wall time');
  // Pipelined: all sent at once, replies parsed 3 µs apart — whether the round trip is short or long.
  for (const rt of [300, 3000]) {
    const pipe: Array<[number, number]> = Array.from({ length: 8 }, (_, k) => [20_100 + k * 2, 20_100 + rt + k * 3]);
    assert.equal(roundTrips(quantized(pipe)).trips, 1, `pipeline with ${rt} µs round trip`);
  }
});

test('sequential-calls and redis-n-plus-one hold with millisecond start times', () => {
  const data = generateTraces({ traces: 300, seed: 12, faults: { sequentialCalls: true, nPlusOne: true } });
  for (const t of data) for (const s of t.spans) {
    const end = s.start + s.duration;
    s.start = Math.floor(s.start / 1000) * 1000;
    s.duration = end - s.start;
  }
  const ids = analyze(data).recommendations.map((r) => r.id);
  assert.ok(ids.includes('sequential-calls'), ids.join(', '));
  assert.ok(ids.includes('redis-n-plus-one'), ids.join(', '));
  const healthy = generateTraces({ traces: 300, seed: 12 });
  for (const t of healthy) for (const s of t.spans) {
    const end = s.start + s.duration;
    s.start = Math.floor(s.start / 1000) * 1000;
    s.duration = end - s.start;
  }
  assert.deepEqual(analyze(healthy).recommendations.map((r) => r.id), []);
});
