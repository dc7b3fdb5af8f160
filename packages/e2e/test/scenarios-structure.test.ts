/**
 * Planted structural problems (issue 5): a model reloaded per request, calls made serially,
 * failures from one service, a hop that drops trace context. Same method as
 * scenarios-latency.test.ts: scenario on → load → analysis → the finding; baseline → no finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertAllAnswered, describeRun, mean, mustRecommend, once, recommendation, runScenario, SCENARIO_DEADLINE_MS, spanDurationsMs } from './scenarios-harness';

const baseline = once(() => runScenario('baseline'));

test('cold-model: model_load runs inside every request, its time is attributed to it, and model-reloaded is recommended', async () => {
  const base = await baseline();
  // The request deadline is derived from what a model load costs on this machine now (the
  // baseline's start-up loads): reloading per request must not turn a busy machine's slower
  // loads into 504s. One request at a time, so loads never queue behind each other.
  const loadMs = mean(spanDurationsMs(base, 'inference', 'model_load'));
  assert.ok(loadMs > 0, `the baseline's model loads: ${describeRun(base)}`);
  const deadlineMs = Math.max(SCENARIO_DEADLINE_MS, Math.ceil(20 * loadMs));
  const run = await runScenario('cold-model', { mode: 'closed', connections: 1, maxRequests: 20, durationS: 120 }, { serviceEnv: { gateway: { REQUEST_TIMEOUT_MS: String(deadlineMs) } }, timeoutMs: deadlineMs + 5000 });
  const why = `deadline ${deadlineMs} ms (baseline model load ${loadMs.toFixed(1)} ms): ${describeRun(run)}`;
  assertAllAnswered(run);
  const rec = mustRecommend(run, 'model-reloaded');
  assert.equal(rec.target, 'inference: model_load');
  assert.ok(Number(rec.evidence['loadsPerRequest']) >= 0.9, JSON.stringify(rec.evidence));
  // The planted span's own time, not its rank among spans a busy CPU inflates too: the bottleneck
  // table gives model_load (no children) the time of every load inside a request. The loads at
  // start-up are traces of their own (root spans): background work the analysis keeps apart.
  const loads = run.allSpans.filter((s) => s.service === 'inference' && s.name === 'model_load' && s.parentSpanId !== undefined && s.parentSpanId !== '').map((s) => s.duration / 1000);
  assert.ok(loads.length >= 20, `a load inside each of the 20 requests: ${loads.length}`);
  const entry = run.report.bottlenecks.ranked.find((b) => b.service === 'inference' && b.operation === 'model_load');
  assert.ok(entry, `model_load among the bottlenecks: ${why}`);
  assert.ok(entry.selfTimeTotal / 1000 >= 0.99 * loads.reduce((a, b) => a + b, 0), `model_load self time ${entry.selfTimeTotal / 1000} ms vs ${loads.length} loads: ${why}`);
  assert.ok(loads.length >= run.load.sent, `a load in each of the ${run.load.sent} requests (and the start-up ones): ${loads.length}: ${why}`);
  assert.equal(recommendation(base, 'model-reloaded'), undefined, describeRun(base));
});

test('sequential-calls: the gateway\'s two independent feature-store calls are found and sequential-calls is recommended', async () => {
  const run = await runScenario('sequential-calls');
  const base = await baseline();
  assertAllAnswered(run);
  const rec = mustRecommend(run, 'sequential-calls');
  assert.equal(rec.target, 'gateway: feature-store then feature-store');
  assert.ok(Number(rec.evidence['shareOfRequests']) >= 50, JSON.stringify(rec.evidence));
  assert.equal(recommendation(base, 'sequential-calls'), undefined, describeRun(base));
});

test('flaky-postprocess: failures originate in postprocess (PP_FLAKY_FAILURE) and error-origin points there, in the library and the CLI', async () => {
  const run = await runScenario('flaky-postprocess', undefined, { cli: true });
  const base = await baseline();
  const why = describeRun(run);
  assert.ok((run.load.statuses['502'] ?? 0) > 0, why);
  assert.equal((run.load.statuses['502'] ?? 0) + run.load.ok, run.load.sent, why);
  const origin = run.report.errors.origins[0];
  assert.equal(origin?.service, 'postprocess', why);
  assert.equal(origin?.type, 'PP_FLAKY_FAILURE', why);
  const rec = mustRecommend(run, 'error-origin');
  assert.match(rec.target, /^postprocess: /);
  // The real CLI on the same trace files reports the same finding in its JSON.
  const cli = run.cliReport;
  assert.ok(cli, 'the CLI report');
  assert.equal(cli.errors.failedTraces, run.report.errors.failedTraces);
  assert.equal(cli.errors.origins[0]?.service, 'postprocess');
  assert.equal(cli.errors.origins[0]?.type, 'PP_FLAKY_FAILURE');
  assert.equal(cli.recommendations.find((r) => r.id === 'error-origin')?.target, rec.target);
  assert.equal(base.report.errors.failedTraces, 0, describeRun(base));
  assert.equal(recommendation(base, 'error-origin'), undefined);
});

test('dropped-context: completeness names the gateway→postprocess hop and dropped-context is recommended', async () => {
  const run = await runScenario('dropped-context');
  const base = await baseline();
  const why = describeRun(run);
  assertAllAnswered(run);
  // Every request becomes two traces; the baseline has one per request (plus start-up traces).
  assert.ok(run.traces - base.traces >= run.load.sent * 0.9, `traces ${run.traces} vs baseline ${base.traces}: ${why}`);
  assert.equal(run.report.completeness.hopAtFault, 'gateway→postprocess', why);
  const rec = mustRecommend(run, 'dropped-context');
  assert.equal(rec.target, 'gateway→postprocess');
  assert.equal(base.report.completeness.hopAtFault, null, describeRun(base));
});
