/**
 * Planted latency problems (issue 5): each test runs the system with one scenario on, drives
 * load through @mltrace/loadgen, analyses the traces and checks the report points at the problem,
 * and that the same finding is absent from a baseline run without the switch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllAnswered, describeRun, mustRecommend, once, recommendation, runScenario, type ScenarioRun } from './scenarios-harness';

const baseline = once(() => runScenario('baseline'));

function cpShare(run: ScenarioRun, service: string): number {
  return run.report.criticalPath.byService.find((s) => s.service === service)?.shareOfTotal ?? 0;
}

test('baseline: the system without a scenario answers everything and raises none of the planted findings', async () => {
  const base = await baseline();
  const why = describeRun(base);
  assert.equal(base.load.ok, base.load.sent, why);
  assert.ok(base.traces >= base.load.sent, why);
  for (const id of ['feature-store-dominates', 'redis-n-plus-one', 'slow-slice', 'model-reloaded', 'sequential-calls', 'error-origin', 'dropped-context']) {
    assert.equal(recommendation(base, id), undefined, `${id} in the baseline: ${why}`);
  }
  assert.equal(base.report.errors.failedTraces, 0, why);
  assert.equal(base.report.completeness.hopAtFault, null, why);
});

test('slow-features: the feature store tops the bottlenecks and the critical path, and feature-store-dominates is recommended', async () => {
  const run = await runScenario('slow-features');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  assert.equal(run.report.bottlenecks.ranked[0]?.service, 'feature-store', why);
  assert.equal(run.report.criticalPath.byService[0]?.service, 'feature-store', why);
  assert.ok(cpShare(run, 'feature-store') > cpShare(base, 'feature-store') + 0.2, why);
  const rec = mustRecommend(run, 'feature-store-dominates');
  assert.equal(rec.target, 'feature-store');
});

test('n-plus-one: redis-n-plus-one names the feature store\'s Redis command, with several round trips per request', async () => {
  const run = await runScenario('n-plus-one');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  const rec = mustRecommend(run, 'redis-n-plus-one');
  assert.match(rec.target, /^feature-store: redis /, why);
  // The mix sends 4 or 8 entities per lookup: one round trip each.
  assert.ok(Number(rec.evidence['meanRoundTripsPerRequest']) >= 3, JSON.stringify(rec.evidence));
  assert.equal(recommendation(base, 'redis-n-plus-one'), undefined, describeRun(base));
});

test('hot-partition: region ap-south is the slowest slice, the feature store tops the critical path, slow-slice names the region', async () => {
  const run = await runScenario('hot-partition');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  const top = run.report.slices.slowSlices[0];
  assert.ok(top, `no slow slice: ${why}`);
  assert.deepEqual(top.conditions, { 'business.region': 'ap-south' }, why);
  assert.equal(run.report.criticalPath.byService[0]?.service, 'feature-store', why);
  const rec = mustRecommend(run, 'slow-slice');
  assert.equal(rec.target, top.label);
  assert.ok(!base.report.slices.slowSlices.some((s) => s.conditions['business.region'] !== undefined), describeRun(base));
});

test('model-regression: model v2 for the enterprise segment is the slowest slice and slow-slice names it', async () => {
  const run = await runScenario('model-regression');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  const top = run.report.slices.slowSlices[0];
  assert.ok(top, `no slow slice: ${why}`);
  assert.equal(top.conditions['ml.model.version'], 'v2', why);
  assert.equal(top.conditions['business.customer_segment'], 'enterprise', why);
  assert.ok(top.ratio > 1.5, why);
  assert.equal(recommendation(run, 'slow-slice')?.target, top.label, why);
  assert.ok(cpShare(run, 'inference') > cpShare(base, 'inference'), why);
  assert.equal(recommendation(base, 'slow-slice'), undefined, describeRun(base));
});
