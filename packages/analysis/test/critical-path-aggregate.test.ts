import assert from 'node:assert/strict';
import { test } from 'node:test';
import { criticalPathAggregate } from '../src/analyses/critical-path-aggregate';
import { quantile } from '../src/analyses/stats';
import { GAP, makeTrace, pipelineTrace } from './trace-builders';
import type { Trace } from '../src/model';

test('per-service share of the critical path at p50/p95 and the saving if X% faster', () => {
  const inputs = [
    { t0: 0, fs: 1000, inf: 2000, pp: 500 },
    { t0: 100_000, fs: 5000, inf: 2000, pp: 500 },
    { t0: 200_000, fs: 1000, inf: 2000, pp: 500 },
  ];
  const built = inputs.map(pipelineTrace);
  const r = criticalPathAggregate(
    built.map((b) => b.trace),
    { speedupPercent: 20 },
  );
  const fsShares = built.map((b) => b.cp['feature-store'] / b.total);
  const fs = r.byService.find((s) => s.service === 'feature-store');
  assert.ok(fs);
  assert.ok(Math.abs(fs.shareP50 - quantile(fsShares, 0.5)) < 1e-12);
  assert.ok(Math.abs(fs.shareP95 - quantile(fsShares, 0.95)) < 1e-12);
  const totalE2e = built.reduce((a, b) => a + b.total, 0);
  assert.ok(Math.abs(fs.shareOfTotal - 7000 / totalE2e) < 1e-12);
  assert.equal(fs.presence, 1);
  // 20 % faster: each trace saves 0.2 × its feature-store critical-path time.
  assert.ok(Math.abs(fs.saving.meanUs - (0.2 * 7000) / 3) < 1e-9);
  assert.ok(Math.abs(fs.saving.p50Us - 0.2 * 1000) < 1e-9);
  assert.ok(Math.abs(fs.saving.meanShare - (0.2 * 7000) / totalE2e) < 1e-12);
  // Service shares add up to the whole end-to-end time (the path covers the root span).
  const sum = r.byService.reduce((a, s) => a + s.shareOfTotal, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9, `shares sum to ${sum}`);
  const gw = r.byService.find((s) => s.service === 'gateway');
  assert.ok(Math.abs((gw?.shareOfTotal ?? 0) - (3 * (200 + 2 * GAP)) / totalE2e) < 1e-12);
  const op = r.byOperation.find((o) => o.operation === 'POST /v1/infer');
  assert.equal(op?.meanTime, 2000);
});

test('byCallee counts the time a client span waits on the service it calls', () => {
  // gateway server [0, 2000) → client [100, 1100) → feature-store server [400, 1000) (300 µs before, 100 µs after).
  const t = makeTrace([
    { id: 'root', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, duration: 2000 },
    { id: 'c', parent: 'root', service: 'gateway', name: 'POST', kind: 'client', start: 100, duration: 1000 },
    { id: 's', parent: 'c', service: 'feature-store', name: 'POST /v1/features', kind: 'server', start: 400, duration: 600 },
  ]);
  const r = criticalPathAggregate([t]);
  assert.equal(r.byService.find((s) => s.service === 'feature-store')?.shareOfTotal, 600 / 2000);
  assert.equal(r.byCallee.find((s) => s.service === 'feature-store')?.shareOfTotal, 1000 / 2000);
  assert.equal(r.byCallee.find((s) => s.service === 'gateway')?.shareOfTotal, 1000 / 2000);
});

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
