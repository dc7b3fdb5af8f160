import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dependencies } from '../src/analyses/dependencies';
import { pipelineTrace } from './trace-builders';

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
