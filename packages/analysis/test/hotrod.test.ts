/**
 * mltrace analyze on real HotROD traces from a real Jaeger (test/fixtures/README.md): the answers
 * follow from how HotROD works, not from what the analysis printed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyses/analyze';
import { loadSources } from '../src/load';

const FIXTURE = join(__dirname, '..', '..', 'test', 'fixtures', 'hotrod-dispatch.jaeger.json');
/** GetDriver calls and their ERROR spans per ride, from the capture (fixtures/README.md). */
const RIDES = [
  { calls: 13, errors: 3 },
  { calls: 12, errors: 2 },
  { calls: 13, errors: 3 },
  { calls: 12, errors: 2 },
  { calls: 13, errors: 3 },
  { calls: 12, errors: 2 },
];

test('HotROD: six successful rides; the retried Redis timeouts are handled errors', async () => {
  const { traces } = await loadSources([FIXTURE]);
  assert.equal(traces.length, 6);
  const r = analyze(traces);
  assert.equal(r.traffic.requests, 6);
  assert.equal(r.performance.successRate, 1);
  assert.equal(r.errors.failedTraces, 0);
  assert.equal(r.errors.handled.traces, 6);
  assert.equal(r.errors.handled.spans, RIDES.reduce((a, x) => a + x.errors, 0));
  assert.ok(!r.recommendations.some((x) => x.id === 'error-origin'));
});

test("HotROD: no mltrace topology; frontend is the entry; the dependency graph has HotROD's services", async () => {
  const r = analyze((await loadSources([FIXTURE])).traces);
  assert.equal(r.completeness.topology, 'inferred');
  assert.equal(r.completeness.entryService, 'frontend');
  assert.deepEqual(r.dependencies.expected, []);
  assert.deepEqual(r.dependencies.services.map((s) => s.name).sort(), ['customer', 'driver', 'frontend', 'mysql', 'redis-manual', 'route']);
  const edges = new Set(r.dependencies.edges.map((e) => `${e.from}->${e.to}`));
  for (const e of ['frontend->customer', 'customer->mysql', 'frontend->driver', 'driver->redis-manual', 'frontend->route']) assert.ok(edges.has(e), e);
});

test('HotROD: the serial GetDriver calls are an N+1 with their evidence; customer then driver is not claimed', async () => {
  const { traces } = await loadSources([FIXTURE]);
  const r = analyze(traces);
  const n1 = r.recommendations.find((x) => x.id.endsWith('n-plus-one'));
  assert.ok(n1, r.recommendations.map((x) => x.id).join(', '));
  assert.equal(n1.target, 'driver: redis-manual GetDriver');
  assert.equal(n1.evidence.requests, 6);
  // Each failed GetDriver (a simulated Redis timeout) is retried: the retries are no new drivers.
  assert.equal(n1.evidence.meanCallsPerRequest, RIDES.reduce((a, x) => a + x.calls - x.errors, 0) / RIDES.length);
  // The evidence: the first example trace's FindNearest span and its GetDriver spans.
  const t = traces.find((x) => x.traceId === n1.examples.traceIds[0]);
  assert.ok(t);
  const parent = t.spans.find((s) => s.spanId === n1.examples.parentSpanId);
  assert.equal(`${parent?.service}: ${parent?.name}`, 'driver: driver.DriverService/FindNearest');
  const getDriver = t.spans.filter((s) => s.name === 'GetDriver' && s.parentSpanId === parent?.spanId).map((s) => s.spanId);
  assert.deepEqual([...(n1.examples.spanIds ?? [])].sort(), getDriver.sort());
  for (const rec of r.recommendations.filter((x) => x.id === 'sequential-calls')) {
    assert.doesNotMatch(rec.target, /customer|driver/, 'customer → driver is data-dependent');
  }
});
