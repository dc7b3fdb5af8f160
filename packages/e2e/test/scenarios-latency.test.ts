/**
 * Planted latency problems (issue 5): each test runs the system with one scenario on, drives
 * load through @mltrace/loadgen, analyses the traces and checks the report points at the problem,
 * and that the same finding is absent from a baseline run without the switch.
 *
 * Judged so that CPU contention (a busy machine, other test files) cannot flip the verdict: where
 * the analysis puts the planted time is compared with this file's own baseline run (a planted
 * sleep adds its time whatever the CPU does, and contention only lengthens the run further), or
 * within one run (slices: slow and fast requests interleave under the same load). Never which
 * service has the largest share of the critical path: a starved CPU inflates the gateway's own
 * time until it tops the planted cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllAnswered, describeRun, growthOverBaseline, mean, mustRecommend, once, recommendation, runScenario, spanDurationsMs, type ScenarioRun } from './scenarios-harness';

const baseline = once(() => runScenario('baseline'));

/**
 * Critical-path time per trace that the analysis attributes to `service` beyond the baseline's
 * must be at least `minMs` (a part of what the scenario plants; the baseline's own share of that
 * service is a few CPU-light milliseconds, so contention cannot eat the margin).
 */
function assertGrowth(run: ScenarioRun, base: ScenarioRun, service: string, minMs: number): void {
  const growth = growthOverBaseline(run, base);
  const grown = growth.find((g) => g.service === service)?.ms ?? 0;
  assert.ok(grown >= minMs, `${service} critical path +${grown.toFixed(1)} ms per trace over the baseline, want ≥ ${minMs}: ${JSON.stringify(growth)} ${describeRun(run)}`);
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

test('slow-features: the analysis puts the planted time in the feature store\'s Redis access and on the critical path', async () => {
  const run = await runScenario('slow-features');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  // The planted span's own time: 30 % of the lookups spend 80 ms in their Redis access (a sleep no
  // CPU load shortens), and the bottleneck table gives that operation all of it as self time.
  const redis = spanDurationsMs(run, 'feature-store', 'BATCH HMGET');
  const planted = redis.filter((ms) => ms >= 79);
  assert.ok(planted.length >= 0.2 * run.load.sent, `${planted.length} of ${redis.length} Redis accesses hold the planted delay: ${why}`);
  const entry = run.report.bottlenecks.ranked.find((b) => b.service === 'feature-store' && b.operation === 'BATCH HMGET');
  assert.ok(entry && entry.selfTimeTotal / 1000 >= 0.99 * planted.reduce((a, b) => a + b, 0), `BATCH HMGET self time ${(entry?.selfTimeTotal ?? 0) / 1000} ms: ${why}`);
  // 24 ms per request on average is planted; the critical path must carry most of it to the feature store.
  assertGrowth(run, base, 'feature-store', 12);
  // feature-store-dominates is a share of the critical path (≥ 40 %): right when the machine is
  // quiet, and rightly absent when a starved CPU makes the gateway's own time rival the planted
  // 80 ms, so it is not required here (its thresholds are tested in @mltrace/analysis). Whenever
  // it is raised it names the feature store; the baseline test checks it is never raised there.
  const rec = recommendation(run, 'feature-store-dominates');
  if (rec) assert.equal(rec.target, 'feature-store', why);
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

test('hot-partition: region ap-south is the slowest slice, its time is in the feature store, slow-slice names the region', async () => {
  const run = await runScenario('hot-partition');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  const top = run.report.slices.slowSlices[0];
  assert.ok(top, `no slow slice: ${why}`);
  assert.deepEqual(top.conditions, { 'business.region': 'ap-south' }, why);
  // 80 ms on the 60 % of lookups for ap-south: 48 ms per request on average, in the feature store.
  assertGrowth(run, base, 'feature-store', 24);
  const rec = mustRecommend(run, 'slow-slice');
  assert.equal(rec.target, top.label);
  assert.ok(!base.report.slices.slowSlices.some((s) => s.conditions['business.region'] !== undefined), describeRun(base));
});

test('model-regression: the enterprise segment (on v2) is the slice slowed most, slow-slice names it, the time is in v2\'s model prediction', async () => {
  const run = await runScenario('model-regression');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  // The slowest slice (by ratio) is the planted population: v2 ∧ enterprise, or all of enterprise
  // when the noise of a busy machine keeps the analysis from splitting it by version (it then
  // holds every planted request, diluted). Nothing outside those two conditions.
  const top = [...run.report.slices.slowSlices].sort((a, b) => b.ratio - a.ratio)[0];
  assert.ok(top, `no slow slice: ${why}`);
  assert.equal(top.conditions['business.customer_segment'], 'enterprise', why);
  assert.ok(Object.entries(top.conditions).every(([k, v]) => (k === 'ml.model.version' && v === 'v2') || k === 'business.customer_segment'), why);
  assert.ok(top.ratio > 1.5, why);
  assert.ok(run.report.recommendations.some((r) => r.id === 'slow-slice' && r.target === top.label), why);
  // The planted span's own duration, within this run (contention slows both groups alike): the
  // model prediction for v2 ∧ enterprise takes the planted 60 ms longer than for the others.
  const planted = (s: { attributes: Readonly<Record<string, unknown>> }) => s.attributes['ml.model.version'] === 'v2' && s.attributes['business.customer_segment'] === 'enterprise';
  const predictions = run.allSpans.filter((s) => s.service === 'inference' && s.name === 'model_prediction');
  const slow = predictions.filter(planted).map((s) => s.duration / 1000);
  const rest = predictions.filter((s) => !planted(s)).map((s) => s.duration / 1000);
  assert.ok(slow.length >= 5 && rest.length >= 5, `${slow.length} planted, ${rest.length} other predictions`);
  assert.ok(mean(slow) - mean(rest) >= 30, `model_prediction v2 ∧ enterprise ${mean(slow).toFixed(1)} ms vs ${mean(rest).toFixed(1)} ms for the rest: ${why}`);
  assert.equal(recommendation(base, 'slow-slice'), undefined, describeRun(base));
});
