import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependencies } from '../src/analyses/dependencies';
import { pipelineTrace, makeTrace } from './trace-builders';
import { errors } from '../src/analyses/errors';

test('edges from cross-service parent→child pairs with calls, latency, errors, criticality', () => {
  const a = pipelineTrace({ t0: 0, fs: 1000, inf: 3000, pp: 1000 });
  const b = pipelineTrace({ t0: 10_000, fs: 2000, inf: 3000, pp: 1000, ppStatus: 'error', ppAttrs: { 'http.response.status_code': 500 } });
  const r = dependencies([a.trace, b.trace]);
  const inf = r.edges.find((e) => e.from === 'gateway' && e.to === 'inference');
  assert.equal(inf?.calls, 2);
  assert.equal(inf?.meanUs, 3000);
  assert.equal(inf?.coverage, 1);
  // criticality = coverage × mean(call / e2e)
  assert.ok(Math.abs((inf?.criticality ?? 0) - (3000 / a.total + 3000 / b.total) / 2) < 1e-12);
  const pp = r.edges.find((e) => e.to === 'postprocess');
  assert.equal(pp?.errorRate, 0.5);
  const fs = r.edges.find((e) => e.to === 'feature-store');
  assert.equal(fs?.meanUs, 1500);
  assert.equal(r.edges.length, 3, 'same-service pairs are not edges');
  assert.ok(r.expected.every((e) => e.status === 'present'));
});

test('a missing expected edge is flagged, and edges are configurable', () => {
  const t = pipelineTrace({ t0: 0, fs: 1, inf: 1, pp: 1 });
  const noPp = { ...t.trace, spans: t.trace.spans.filter((s) => s.service !== 'postprocess' && !(s.kind === 'client' && s.start === t.trace.spans.find((x) => x.service === 'postprocess')?.start)) };
  const r = dependencies([noPp]);
  assert.equal(r.expected.find((e) => e.to === 'postprocess')?.status, 'missing');
  const custom = dependencies([t.trace], { expectedEdges: [['gateway', 'ranker']] });
  assert.deepEqual(custom.expected, [{ from: 'gateway', to: 'ranker', mode: 'always', applies: 1, coverage: 0, status: 'missing' }]);
});

test('a call to a service that is down counts for that service by server.address:server.port', () => {
  const addr = { 'server.address': '127.0.0.1', 'server.port': 8082 };
  const healthy = makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, duration: 1000, attrs: { 'http.response.status_code': 200 } },
    { id: 'c', parent: 'r', service: 'gateway', name: 'POST', kind: 'client', start: 100, duration: 600, attrs: { ...addr, 'http.response.status_code': 200 } },
    { id: 's', parent: 'c', service: 'inference', name: 'POST /v1/infer', kind: 'server', start: 150, duration: 500, attrs: { ...addr, 'http.response.status_code': 200 } },
  ]);
  const down = makeTrace([
    { id: 'r', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 10_000, duration: 300, status: 'error', attrs: { 'http.response.status_code': 502 } },
    { id: 'c', parent: 'r', service: 'gateway', name: 'POST', kind: 'client', start: 10_100, duration: 20, status: 'error', attrs: { ...addr, 'error.type': 'ECONNREFUSED' } },
  ]);
  const d = dependencies([healthy, down]);
  const edge = d.edges.find((e) => e.from === 'gateway' && e.to === 'inference');
  assert.equal(edge?.calls, 2);
  assert.equal(edge?.unanswered, 1);
  assert.equal(edge?.errorRate, 1 / 2);
  assert.equal(edge?.meanUs, (600 + 20) / 2);
  // The failure's origin names the service that did not answer.
  const origin = errors([healthy, down]).origins[0];
  assert.deepEqual([origin?.service, origin?.type, origin?.unansweredCallee], ['gateway', 'ECONNREFUSED', 'inference']);
});
