// A second real system: HotROD (Jaeger's demo, from the same module version) exports to the real
// Jaeger v2 while the test drives its documented slow paths; then `mltrace analyze <jaeger>`.
// What HotROD does is read from its traces (the ground truth); what the analysis concludes is
// checked against it, down to what mltrace analyze concludes (handled errors, the GetDriver N+1, no mltrace topology).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sleep } from '@mltrace/stack';
import { loadSources, type LoadResult, type Span, type Trace } from '@mltrace/analysis';
import { checkTools, startHotrod, startJaeger, toolsReady, type RunningHotrod, type RunningJaeger, type ToolCheck } from '../src';
import { driveHotrod, type Dispatch } from './hotrod-drive';
import { analyzeCli, eventually } from './pipeline';

const HOTROD_SERVICES = ['customer', 'driver', 'frontend', 'mysql', 'redis-manual', 'route'];

let tools: ToolCheck;
let jaeger: RunningJaeger | undefined;
let hotrod: RunningHotrod | undefined;
let rides: { sequential: Dispatch[]; concurrent: Dispatch[] };
let loaded: LoadResult;
let report: any;

before(async () => {
  tools = await checkTools(['jaeger', 'hotrod']);
  if (!tools.ok) return;
  jaeger = await startJaeger();
  hotrod = await startHotrod({ otlpEndpoint: jaeger.otlpHttpUrl, jaegerUi: jaeger.queryUrl });
  rides = await driveHotrod(hotrod);
  // HotROD exports every second and does not flush on SIGTERM: it runs until Jaeger has everything.
  const expected = rides.sequential.length + rides.concurrent.length;
  await eventually(
    async () => dispatches((loaded = await loadSources([jaeger!.queryUrl]))).length >= expected,
    () => `Jaeger holds ${loaded ? dispatches(loaded).length : 0} dispatch traces of ${expected}`,
  );
  // A trace's last spans may land a batch (a second) after its first: wait until nothing more comes.
  for (let last = -1; loaded.spanCount !== last; ) {
    last = loaded.spanCount;
    await sleep(1500);
    loaded = await loadSources([jaeger.queryUrl]);
  }
  await hotrod.stop();
  report = await analyzeCli([jaeger.queryUrl]);
});

after(async () => {
  await hotrod?.stop();
  await jaeger?.stop();
});

function dispatches(r: LoadResult): Trace[] {
  return r.traces.filter((t) => t.spans.some((s) => s.service === 'frontend' && s.name === '/dispatch'));
}

const childrenOf = (t: Trace, parent: Span) => t.spans.filter((s) => s.parentSpanId === parent.spanId);
const below = (t: Trace, ancestor: Span): Span[] => childrenOf(t, ancestor).flatMap((c) => [c, ...below(t, c)]);
const end = (s: Span) => s.start + s.duration;

/** The most spans running at one moment (a sweep over starts and ends; an end frees its slot before a start at the same time takes one). */
function maxConcurrent(spans: Span[]): number {
  const events = spans.flatMap((s) => [[s.start, 1], [end(s), -1]] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of events) max = Math.max(max, (now += delta));
  return max;
}

test('every ride is answered and is one trace across HotROD’s six services', (t) => {
  if (!toolsReady(t, tools)) return;
  for (const d of [...rides.sequential, ...rides.concurrent]) {
    assert.equal(d.status, 200, d.body);
    assert.match(d.body, /"Driver":"T7\d{5}C"/);
  }
  const traces = dispatches(loaded);
  assert.equal(traces.length, rides.sequential.length + rides.concurrent.length);
  for (const tr of traces) assert.deepEqual([...new Set(tr.spans.map((s) => s.service))].sort(), HOTROD_SERVICES);
});

test('the traces show HotROD’s documented slow paths: serial Redis GetDriver calls, a pooled fan-out to route, MySQL queueing', (t) => {
  if (!toolsReady(t, tools)) return;
  const sqlMeans: Record<'sequential' | 'concurrent', number[]> = { sequential: [], concurrent: [] };
  const traces = dispatches(loaded).sort((a, b) => a.spans[0]!.start - b.spans[0]!.start);
  traces.forEach((tr, i) => {
    // driver's FindNearest: one FindDriverIDs, then one GetDriver per driver (plus retries), each after the last.
    const find = tr.spans.find((s) => s.service === 'driver' && s.kind === 'server')!;
    const redis = below(tr, find).filter((s) => s.service === 'redis-manual').sort((a, b) => a.start - b.start);
    const gets = redis.filter((s) => s.name === 'GetDriver');
    assert.equal(redis[0]?.name, 'FindDriverIDs');
    assert.ok(gets.length >= 10, `${gets.length} GetDriver calls`);
    for (let k = 1; k < gets.length; k++) assert.ok(gets[k]!.start >= end(gets[k - 1]!), `GetDriver ${k} starts after ${k - 1} ended`);
    // frontend's route calls: ten, at most three at a time (the worker pool), more than one at a time.
    const routes = tr.spans.filter((s) => s.service === 'frontend' && s.kind === 'client' && childrenOf(tr, s).some((c) => c.service === 'route'));
    assert.equal(routes.length, 10);
    const overlap = maxConcurrent(routes);
    assert.ok(overlap >= 2 && overlap <= 3, `at most 3 route calls at once, and some concurrently (saw ${overlap})`);
    const sql = tr.spans.find((s) => s.service === 'mysql')!;
    sqlMeans[i < rides.sequential.length ? 'sequential' : 'concurrent'].push(sql.duration);
  });
  // The burst queues on the single MySQL connection: its queries take longer than one at a time.
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(sqlMeans.concurrent) > 1.5 * mean(sqlMeans.sequential), `SQL SELECT ${mean(sqlMeans.concurrent)} µs in the burst vs ${mean(sqlMeans.sequential)} µs one at a time`);
});

test('mltrace analyze: HotROD’s dependency graph, each edge with its calls', (t) => {
  if (!toolsReady(t, tools)) return;
  const n = dispatches(loaded).length;
  const edges = new Map<string, number>(report.dependencies.edges.map((e: any) => [`${e.from}->${e.to}`, e.calls]));
  assert.equal(edges.get('frontend->customer'), n);
  assert.equal(edges.get('customer->mysql'), n);
  assert.equal(edges.get('frontend->driver'), n);
  assert.equal(edges.get('frontend->route'), 10 * n);
  const redisCalls = dispatches(loaded).reduce((a, tr) => a + tr.spans.filter((s) => s.service === 'redis-manual').length, 0);
  assert.equal(edges.get('driver->redis-manual'), redisCalls);
});

test('mltrace analyze: MySQL’s SQL SELECT tops the critical path', (t) => {
  if (!toolsReady(t, tools)) return;
  const [top] = report.criticalPath.byOperation;
  assert.deepEqual([top.service, top.operation], ['mysql', 'SQL SELECT'], JSON.stringify(report.criticalPath.byOperation.slice(0, 3)));
});

test('mltrace analyze: the errors start in redis-manual GetDriver (the simulated Redis timeouts)', (t) => {
  if (!toolsReady(t, tools)) return;
  const failing = loaded.traces.flatMap((tr) => tr.spans).filter((s) => s.status === 'error');
  assert.ok(failing.length > 0, 'HotROD times out every fifth GetDriver');
  assert.ok(failing.every((s) => s.service === 'redis-manual' && s.name === 'GetDriver'));
  // The rides survived them (HotROD retries): handled errors, all in GetDriver, and no failed request's origin.
  assert.equal(report.errors.handled.spans, failing.length);
  assert.deepEqual(report.errors.handled.byOperation.map((h: any) => [h.service, h.operation, h.spans]), [['redis-manual', 'GetDriver', failing.length]]);
  assert.deepEqual(report.errors.origins, []);
});

test('mltrace analyze: a concurrent fan-out (route through the worker pool) is not an N+1; context is complete', (t) => {
  if (!toolsReady(t, tools)) return;
  const nPlusOne = report.recommendations.filter((r: any) => /n-plus-one/.test(r.id));
  assert.ok(nPlusOne.every((r: any) => !/route/.test(r.target)), JSON.stringify(nPlusOne));
  assert.equal(report.completeness.score, 1);
});

// Judgement on a system other than mltrace: outcomes from the entry span, N+1 by sequence, inferred topology.

test('mltrace analyze: rides answered 200 after Redis retries are successful requests (handled errors)', (t) => {
  if (!toolsReady(t, tools)) return;
  assert.equal(report.performance.successRate, 1);
  assert.equal(report.errors.failedTraces, 0);
  assert.ok(!report.recommendations.some((r: any) => r.id === 'error-origin'), 'no "failed requests avoided" for errors the requests survived');
});

test('mltrace analyze: the serial GetDriver calls are an N+1 (Redis in its own service)', (t) => {
  if (!toolsReady(t, tools)) return;
  const nPlusOne = report.recommendations.filter((r: any) => /n-plus-one/.test(r.id));
  assert.ok(nPlusOne.some((r: any) => /GetDriver/.test(JSON.stringify(r))), JSON.stringify(report.recommendations.map((r: any) => [r.id, r.target])));
});

test('mltrace analyze: no "sequential calls" for data-dependent calls (customer then driver) or the pooled route calls', (t) => {
  if (!toolsReady(t, tools)) return;
  const sequential = report.recommendations.filter((r: any) => r.id === 'sequential-calls');
  assert.deepEqual(sequential.filter((r: any) => /customer then driver|route then route/.test(r.target)).map((r: any) => r.target), []);
});

test('mltrace analyze: no mltrace topology in a HotROD report (no gateway edges expected)', (t) => {
  if (!toolsReady(t, tools)) return;
  assert.doesNotMatch(JSON.stringify(report.dependencies), /gateway/);
});
