/**
 * Issue 15's defects on traces from systems other than mltrace, built span by span so that every
 * expected answer follows from how the trace was made (not from what the analysis printed).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyses/analyze';
import { completeness } from '../src/analyses/completeness';
import { dependencies } from '../src/analyses/dependencies';
import { errors } from '../src/analyses/errors';
import { trafficKind } from '../src/analyses/requests';
import { loadSources } from '../src/load';
import type { Attributes, Trace } from '../src/model';
import { REFERENCE } from './helpers';
import { makeTrace, spanId, type SpanSpec } from './trace-builders';

const MS = 1000;

/** A HotROD-shaped /dispatch request: frontend → customer, then driver (13 serial redis GetDriver calls), then route ×N. */
function dispatch(t0: number, o: { redisConcurrent?: boolean; redisErrors?: number; getDriverUs?: number } = {}): { trace: Trace; getDriverIds: string[] } {
  const specs: SpanSpec[] = [];
  let t = t0 + 1 * MS;
  specs.push({ id: 'cust-c', parent: 'root', service: 'frontend', name: 'HTTP GET', kind: 'client', start: t, duration: 300 * MS });
  specs.push({ id: 'cust-s', parent: 'cust-c', service: 'customer', name: 'HTTP GET /customer', kind: 'server', start: t, duration: 300 * MS });
  t += 301 * MS;
  specs.push({ id: 'drv-c', parent: 'root', service: 'frontend', name: 'driver.DriverService/FindNearest', kind: 'client', start: t, duration: 0 });
  specs.push({ id: 'drv-s', parent: 'drv-c', service: 'driver', name: 'driver.DriverService/FindNearest', kind: 'server', start: t, duration: 0 });
  let d = t + 20 * MS;
  specs.push({ id: 'find-ids', parent: 'drv-s', service: 'redis-manual', name: 'FindDriverIDs', kind: 'client', start: t, duration: 20 * MS, attrs: { 'db.system': 'redis' } });
  const getDriverIds: string[] = [];
  const each = o.getDriverUs ?? 10 * MS;
  for (let k = 0; k < 13; k++) {
    const id = `get-${k}`;
    getDriverIds.push(spanId(id));
    const failed = k < (o.redisErrors ?? 0);
    specs.push({ id, parent: 'drv-s', service: 'redis-manual', name: 'GetDriver', kind: 'client', start: o.redisConcurrent ? t + 20 * MS : d, duration: each, attrs: { 'db.system': 'redis' }, ...(failed ? { status: 'error' as const } : {}) });
    if (!o.redisConcurrent) d += each + 100;
  }
  const driverEnd = (o.redisConcurrent ? t + 20 * MS + each : d) + 100;
  for (const sp of specs) if (sp.id === 'drv-c' || sp.id === 'drv-s') sp.duration = driverEnd - t;
  t = driverEnd + MS;
  // Route calls, three at a time (a worker pool), each 50 ms: 10 calls in 4 waves.
  for (let k = 0; k < 10; k++) {
    const start = t + Math.floor(k / 3) * 51 * MS;
    specs.push({ id: `route-c${k}`, parent: 'root', service: 'frontend', name: 'HTTP GET', kind: 'client', start, duration: 50 * MS });
    specs.push({ id: `route-s${k}`, parent: `route-c${k}`, service: 'route', name: 'HTTP GET /route', kind: 'server', start, duration: 50 * MS });
  }
  const end = t + 4 * 51 * MS;
  specs.unshift({ id: 'root', service: 'frontend', name: 'HTTP GET /dispatch', kind: 'server', start: t0, duration: end - t0, attrs: { 'http.response.status_code': 200 } });
  return { trace: makeTrace(specs), getDriverIds };
}

test('handled errors: requests whose entry answered 200 are successful, their Redis errors reported as handled', () => {
  const traces = Array.from({ length: 20 }, (_, i) => dispatch(i * 2_000 * MS, { redisErrors: 2 }).trace);
  const report = analyze(traces);
  assert.equal(report.performance.successRate, 1);
  assert.equal(report.errors.failedTraces, 0);
  assert.equal(report.errors.handled.traces, 20);
  assert.equal(report.errors.handled.spans, 40);
  assert.deepEqual(report.errors.handled.byOperation.map((h) => `${h.service}: ${h.operation}`), ['redis-manual: GetDriver']);
  assert.ok(!report.recommendations.some((r) => r.id === 'error-origin'));
  // The failed calls still show on their dependency edge.
  const edge = report.dependencies.edges.find((e) => e.from === 'driver' && e.to === 'redis-manual');
  assert.ok(edge);
  assert.equal(edge.errorRate, 2 / 14);
});

test('topology: nothing of mltrace is expected of other systems; the entry is inferred from the roots', () => {
  const traces = Array.from({ length: 5 }, (_, i) => dispatch(i * 2_000 * MS).trace);
  const report = analyze(traces);
  assert.deepEqual(report.dependencies.expected, []);
  assert.equal(report.completeness.topology, 'inferred');
  assert.equal(report.completeness.entryService, 'frontend');
  assert.equal(report.completeness.score, 1);
  // Configured: the expected edge applies.
  const configured = completeness(traces, { expectedEdges: [['frontend', 'billing']] });
  assert.equal(configured.topology, 'configured');
  assert.deepEqual(configured.missingServices.map((m) => [m.service, m.traces]), [['billing', 5]]);
  assert.equal(dependencies(traces, { expectedEdges: [['frontend', 'billing']] }).expected[0]?.status, 'missing');
});

test('N+1: 13 serial GetDriver calls under one parent are found, with the parent and span ids', () => {
  const made = Array.from({ length: 10 }, (_, i) => dispatch(i * 2_000 * MS));
  const report = analyze(made.map((m) => m.trace));
  const r = report.recommendations.find((x) => x.id === 'redis-n-plus-one');
  assert.ok(r, report.recommendations.map((x) => x.id).join(', '));
  assert.equal(r.target, 'driver: redis GetDriver');
  assert.equal(r.evidence.meanCallsPerRequest, 13);
  assert.equal(r.evidence.meanRoundTripsPerRequest, 13);
  const first = made[0] as { trace: Trace; getDriverIds: string[] };
  assert.equal(r.examples.traceIds[0], first.trace.traceId);
  assert.equal(r.examples.parentSpanId, spanId('drv-s'));
  assert.deepEqual(r.examples.spanIds, first.getDriverIds);
  // The gain: Σ round trips − the longest. Round trip k runs from the previous reply to its own:
  // 10 ms for the first, 10.1 ms (10 ms call + 100 µs gap) for the 12 others.
  assert.ok(Math.abs(r.estimatedGain.value - (10 + 12 * 10.1 - 10.1)) < 0.01, String(r.estimatedGain.value));
});

test('N+1: a concurrent fan-out of the same call is not one, nor is a trivial gain', () => {
  const fanOut = analyze(Array.from({ length: 10 }, (_, i) => dispatch(i * 2_000 * MS, { redisConcurrent: true }).trace));
  assert.ok(!fanOut.recommendations.some((r) => r.id.endsWith('n-plus-one')), fanOut.recommendations.map((r) => r.id).join(', '));
  // 13 serial calls of 20 µs: 0.24 ms to gain in a 600 ms request.
  const tiny = analyze(Array.from({ length: 10 }, (_, i) => dispatch(i * 2_000 * MS, { getDriverUs: 20 }).trace));
  assert.ok(!tiny.recommendations.some((r) => r.id.endsWith('n-plus-one')), tiny.recommendations.map((r) => r.id).join(', '));
});

test("N+1 is not three different commands: the OpenTelemetry demo cart's HGET, HMSET, EXPIRE", () => {
  const traces = Array.from({ length: 20 }, (_, i) => {
    const t0 = i * 1_000 * MS;
    const redis = (id: string, name: string, at: number) => ({ id, parent: 'add', service: 'cart', name, kind: 'client' as const, start: t0 + at, duration: 80, attrs: { 'db.system': 'redis' } });
    return makeTrace([
      { id: 'add', service: 'cart', name: 'POST /oteldemo.CartService/AddItem', kind: 'server', start: t0, duration: 2 * MS },
      redis('hget', 'HGET', 100),
      redis('hmset', 'HMSET', 200),
      redis('expire', 'EXPIRE', 300),
    ]);
  });
  const ids = analyze(traces).recommendations.map((r) => r.id);
  assert.ok(!ids.some((id) => id.endsWith('n-plus-one')), ids.join(', '));
});

test('N+1 fires for any callee: serial SQL queries and HTTP calls', () => {
  const traces = Array.from({ length: 10 }, (_, i) => {
    const t0 = i * 1_000 * MS;
    const specs: SpanSpec[] = [{ id: 'root', service: 'orders', name: 'GET /orders', kind: 'server', start: t0, duration: 100 * MS }];
    for (let k = 0; k < 8; k++) specs.push({ id: `q${k}`, parent: 'root', service: 'orders', name: 'SELECT items', kind: 'client', start: t0 + MS + k * 10 * MS, duration: 9 * MS, attrs: { 'db.system.name': 'postgresql', 'server.address': 'db' } });
    return makeTrace(specs);
  });
  const r = analyze(traces).recommendations.find((x) => x.id === 'n-plus-one');
  assert.ok(r);
  assert.equal(r.target, 'orders: postgresql SELECT items');
  assert.equal(r.evidence.meanCallsPerRequest, 8);
  // Six serial HTTP calls to the users service, each answered by its server span.
  const http = Array.from({ length: 10 }, (_, i) => {
    const t0 = i * 1_000 * MS;
    const specs: SpanSpec[] = [{ id: 'root', service: 'orders', name: 'GET /orders', kind: 'server', start: t0, duration: 100 * MS }];
    for (let k = 0; k < 6; k++) {
      specs.push({ id: `c${k}`, parent: 'root', service: 'orders', name: 'GET', kind: 'client', start: t0 + MS + k * 15 * MS, duration: 14 * MS });
      specs.push({ id: `s${k}`, parent: `c${k}`, service: 'users', name: 'GET /users/:id', kind: 'server', start: t0 + MS + k * 15 * MS + 100, duration: 13 * MS });
    }
    return makeTrace(specs);
  });
  const h = analyze(http).recommendations.find((x) => x.id === 'n-plus-one');
  assert.ok(h);
  assert.equal(h.target, 'orders: users GET');
  assert.equal(h.evidence.meanCallsPerRequest, 6);
});

test('sequential-calls does not count data-dependent calls: only the route calls could run together', () => {
  const traces = Array.from({ length: 10 }, (_, i) => dispatch(i * 2_000 * MS).trace);
  const r = analyze(traces).recommendations.find((x) => x.id === 'sequential-calls');
  assert.ok(r);
  assert.equal(r.target, 'frontend: route ×10');
  // The route calls cover 4 waves of 50 ms (the 1 ms gaps between waves are the caller's own time);
  // all together they would take 50 ms. The customer (300 ms) and driver calls are not counted.
  assert.equal(r.estimatedGain.value, 4 * 50 - 50);
});

test('each finding names its evidence: example trace ids that exist in the data', () => {
  const traces = Array.from({ length: 10 }, (_, i) => dispatch(i * 2_000 * MS).trace);
  const ids = new Set(traces.map((t) => t.traceId));
  for (const r of analyze(traces).recommendations) {
    assert.ok(r.examples.traceIds.length > 0, r.id);
    for (const id of r.examples.traceIds) assert.ok(ids.has(id), `${r.id}: ${id}`);
  }
});

/** A proxy that gives up after 15 s with a 504; its child used the whole budget with status OK. */
function proxyTimeout(t0: number): Trace {
  const budget = 15_000 * MS;
  return makeTrace([
    { id: 'lg', service: 'load-generator', name: 'GET', kind: 'client', start: t0, duration: budget + 2 * MS, status: 'error', attrs: { 'http.response.status_code': 504 } },
    { id: 'proxy', parent: 'lg', service: 'frontend-proxy', name: 'ingress', kind: 'server', start: t0 + MS, duration: budget, status: 'error', attrs: { 'http.response.status_code': 504 } },
    { id: 'fe-c', parent: 'proxy', service: 'frontend-proxy', name: 'router frontend egress', kind: 'client', start: t0 + MS, duration: budget, status: 'unset' },
    { id: 'fe', parent: 'fe-c', service: 'frontend', name: 'GET /api/recommendations', kind: 'server', start: t0 + 2 * MS, duration: budget, status: 'ok' },
    { id: 'rec', parent: 'fe', service: 'recommendation', name: 'ListRecommendations', kind: 'server', start: t0 + 3 * MS, duration: 14_990 * MS, status: 'ok' },
    { id: 'cat', parent: 'rec', service: 'product-catalog', name: 'ListProducts', kind: 'server', start: t0 + 4 * MS, duration: 2 * MS, status: 'ok' },
  ]);
}

test('error origin: when a proxy gives up, the origin is the deepest span that consumed the budget', () => {
  const traces = Array.from({ length: 6 }, (_, i) => proxyTimeout(i * 20_000 * MS));
  const e = errors(traces);
  assert.equal(e.failedTraces, 6);
  const o = e.origins[0];
  assert.ok(o);
  assert.equal(`${o.service}: ${o.operation}`, 'recommendation: ListRecommendations');
  assert.equal(o.gaveUpBy, 'frontend-proxy: ingress');
  assert.equal(o.exampleSpanId, spanId('rec'));
  assert.deepEqual(o.exampleTraceIds, traces.slice(0, 5).map((t) => t.traceId));
});

test('error origin: a dependency timeout names the span still being waited on, not the gateway that gave up', () => {
  // The gateway queued the request 300 ms, then waited 1.9 s on the feature store and answered 504
  // (GW_DEPENDENCY_TIMEOUT); the feature store was still waiting on Redis and finished later.
  const traces = Array.from({ length: 6 }, (_, i) => {
    const t0 = i * 10_000 * MS;
    return makeTrace([
      { id: 'gw', service: 'api', name: 'POST /v1/predict', kind: 'server', start: t0, duration: 2_200 * MS, status: 'error', attrs: { 'http.response.status_code': 504, 'error.type': 'GW_DEPENDENCY_TIMEOUT' } },
      { id: 'c', parent: 'gw', service: 'api', name: 'POST /v1/features', kind: 'client', start: t0 + 300 * MS, duration: 1_900 * MS },
      { id: 'fs', parent: 'c', service: 'features', name: 'POST /v1/features', kind: 'server', start: t0 + 301 * MS, duration: 2_200 * MS },
      { id: 'db', parent: 'fs', service: 'features', name: 'BATCH HMGET', kind: 'client', start: t0 + 302 * MS, duration: 2_190 * MS, attrs: { 'db.system.name': 'redis' } },
    ]);
  });
  const o = errors(traces).origins[0];
  assert.equal(`${o?.service}: ${o?.operation}`, 'features: BATCH HMGET');
  assert.equal(o?.gaveUpBy, 'api: POST /v1/predict');
  assert.equal(o?.type, 'GW_DEPENDENCY_TIMEOUT (timed out waiting)');
});

test('start-up and health-check traces are reported apart from requests', () => {
  const attrs: Attributes = { 'ml.model.version': 'v1' };
  const requests = Array.from({ length: 60 }, (_, i) =>
    makeTrace([{ id: 'r', service: 'scorer', name: 'POST /score', kind: 'server', start: 10_000 * MS + i * 17 * MS, duration: 5 * MS, attrs }]),
  );
  const boot = makeTrace([
    { id: 'boot', service: 'scorer', name: 'startup', kind: 'internal', start: 0, duration: 2_000 * MS },
    { id: 'load', parent: 'boot', service: 'scorer', name: 'model_load', kind: 'internal', start: 1, duration: 1_900 * MS, attrs },
  ]);
  const health = Array.from({ length: 3 }, (_, i) => makeTrace([{ id: 'h', service: 'scorer', name: 'GET /healthz', kind: 'server', start: 5_000 * MS + i * MS, duration: 100, attrs: { 'http.route': '/healthz' } }]));
  // Not a probe: a route that merely contains a probe word.
  const shipping = makeTrace([{ id: 's', service: 'scorer', name: 'POST /orders/ready-to-ship', kind: 'server', start: 9_000 * MS, duration: 100, attrs }]);
  assert.equal(trafficKind(shipping), 'request');
  const report = analyze([boot, ...health, ...requests]);
  assert.equal(report.traffic.requests, 60);
  assert.equal(report.traffic.background, 1);
  assert.equal(report.traffic.healthChecks, 3);
  assert.equal(report.performance.traces, 60);
  const v1 = report.slices.byKey.find((k) => k.key === 'ml.model.version')?.values.find((v) => v.value === 'v1');
  assert.equal(v1?.traces, 60);
  // 60 requests 17 ms apart: (60 − 1) / (59 × 17 ms) = 58.8 req/s.
  assert.ok(Math.abs((v1?.throughput ?? 0) - 1e6 / (17 * MS)) < 0.01, String(v1?.throughput));
  assert.ok(!report.recommendations.some((r) => r.id === 'model-reloaded'));
});

const TEMPO = join(REFERENCE, 'formats', 'tempo');

test("databases and brokers are dependency nodes, failed calls included (Tempo's service-graph traces)", async () => {
  // trace-with-queue-database: mythical-server's `pg.query:SELECT` (db.system=postgresql,
  // net.peer.name=mythical-database) and mythical-requester's RabbitMQ producer (net.peer.name=mythical-queue).
  const { traces } = await loadSources([join(TEMPO, 'modules_generator_processor_servicegraphs_testdata_trace-with-queue-database.json')]);
  const deps = dependencies(traces);
  const edge = (from: string, to: string) => deps.edges.find((e) => e.from === from && e.to === to);
  assert.equal(edge('mythical-server', 'postgresql@mythical-database')?.kind, 'database');
  assert.equal(edge('mythical-server', 'postgresql@mythical-database')?.calls, 1);
  assert.equal(edge('mythical-requester', 'rabbitmq@mythical-queue')?.kind, 'messaging');
  assert.equal(edge('mythical-requester', 'mythical-recorder')?.kind, 'service');
  assert.deepEqual(deps.backends.map((b) => [b.name, b.kind, b.system]).sort(), [
    ['postgresql@mythical-database', 'database', 'postgresql'],
    ['rabbitmq@mythical-queue', 'messaging', 'rabbitmq'],
  ]);
  // trace-with-failed-requests: the INSERT failed (status ERROR), and so did the request (its entry, the requester's client span).
  const failed = await loadSources([join(TEMPO, 'modules_generator_processor_servicegraphs_testdata_trace-with-failed-requests.json')]);
  const insert = dependencies(failed.traces).edges.find((e) => e.to === 'postgresql@mythical-database');
  assert.equal(insert?.calls, 1);
  assert.equal(insert?.errorRate, 1);
  const report = analyze(failed.traces);
  assert.equal(report.errors.failedTraces, 1);
  assert.equal(`${report.errors.origins[0]?.service}: ${report.errors.origins[0]?.operation}`, 'mythical-server: pg.query:INSERT');
  assert.deepEqual(report.dependencies.expected, [], 'no mltrace edges expected of Tempo traces');
});

test('bottleneck rows name the trace where the operation spent the most self time', () => {
  const traces = [1, 5, 3].map((msSelf, i) =>
    makeTrace([
      { id: 'r', service: 'shop', name: 'GET /cart', kind: 'server', start: i * 100 * MS, duration: 20 * MS },
      { id: 'q', parent: 'r', service: 'shop', name: 'load cart', kind: 'internal', start: i * 100 * MS + MS, duration: msSelf * MS },
    ]),
  );
  const row = analyze(traces).bottlenecks.ranked.find((b) => b.operation === 'load cart');
  assert.equal(row?.exampleTraceId, traces[1]?.traceId);
});
