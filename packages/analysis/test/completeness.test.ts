import assert from 'node:assert/strict';
import { test } from 'node:test';
import { completeness } from '../src/analyses/completeness';
import type { Trace } from '../src/model';
import { makeTrace, pipelineTrace, rejected, instancesTrace } from './trace-builders';
import { dependencies } from '../src/analyses/dependencies';

const CTX = { 'ml.model.version': 'v2', 'business.region': 'eu-west' };

test('a complete pipeline scores 1 and names no hop', () => {
  const traces = [0, 1, 2].map((i) => pipelineTrace({ t0: i * 1000, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace);
  const r = completeness(traces);
  assert.equal(r.score, 1);
  assert.equal(r.hopAtFault, null);
  assert.equal(r.orphanSpans, 0);
  assert.equal(r.entryTraces, 3);
});

test('a hop that drops context splits traces: downstream roots, missing service, hop at fault, score', () => {
  const traces: Trace[] = [];
  for (let i = 0; i < 4; i++) {
    const full = pipelineTrace({ t0: i * 1000, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace;
    // The postprocess server span lost its parent and its trace: it becomes a trace of its own, without baggage.
    const pp = full.spans.find((s) => s.service === 'postprocess')!;
    full.spans = full.spans.filter((s) => s !== pp);
    traces.push(full);
    traces.push(makeTrace([{ id: 'pp', service: 'postprocess', name: pp.name, kind: 'server', start: pp.start, duration: pp.duration }]));
  }
  const r = completeness(traces);
  assert.deepEqual(r.downstreamRoots, [{ service: 'postprocess', traces: 4, hop: 'gateway→postprocess' }]);
  assert.equal(r.hopAtFault, 'gateway→postprocess');
  assert.deepEqual(r.missingServices, [{ service: 'postprocess', traces: 4, share: 1 }]);
  // traced operations: 3 of 4 expected services in each entry trace.
  assert.equal(r.tracedOperations, 3 / 4);
  // hops per entry trace: gateway→feature-store and gateway→inference intact (8), broken: 4 split traces.
  assert.equal(r.propagationRate, 8 / 12);
  assert.equal(r.score, (3 / 4) * (8 / 12));
});

test('baggage lost on one hop is named with its keys; orphans, multi-root and clock skew are counted', () => {
  const t = pipelineTrace({ t0: 0, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace;
  for (const s of t.spans) if (s.service === 'inference') s.attributes = {};
  const orphan = makeTrace([
    { id: 'root', service: 'gateway', name: 'POST /v1/predict', kind: 'server', start: 0, duration: 100, attrs: CTX },
    { id: 'child', parent: 'root', service: 'feature-store', name: 'x', kind: 'server', start: -5000, duration: 6000, attrs: CTX },
    { id: 'rounded', parent: 'root', service: 'feature-store', name: 'x', kind: 'server', start: -800, duration: 900, attrs: CTX },
    { id: 'lost', parent: 'nowhere', service: 'inference', name: 'y', start: 20, duration: 10 },
  ]);
  const r = completeness([t, orphan]);
  assert.equal(r.hopAtFault, 'gateway→inference');
  const hop = r.hops.find((h) => h.hop === 'gateway→inference');
  assert.equal(hop?.contextLost, 1);
  assert.deepEqual(hop?.missingKeys.map((k) => k.key).sort(), ['business.region', 'ml.model.version']);
  assert.equal(r.orphanSpans, 1);
  assert.deepEqual(r.orphansByService, [{ service: 'inference', count: 1 }]);
  assert.equal(r.multiRootTraces, 1);
  assert.equal(r.clockSkew.count, 1);
  // 5 ms early counts; 0.8 ms early is within the 1 ms tolerance (millisecond start times).
  assert.deepEqual(r.clockSkew.byHop, [{ hop: 'gateway→feature-store', count: 1, maxUs: 5000 }]);
  assert.equal(completeness([orphan], { clockSkewToleranceUs: 0 }).clockSkew.count, 2);
  assert.ok(r.score < 1);
});

test('a root whose parent is an untraced caller is not an orphan', () => {
  const t = pipelineTrace({ t0: 0, fs: 10, inf: 10, pp: 10 }).trace;
  const root = t.spans.find((s) => s.parentSpanId === undefined)!;
  root.parentSpanId = 'ffffffffffffffff';
  const r = completeness([t]);
  assert.equal(r.orphanSpans, 0);
  assert.equal(r.externalParentRoots, 1);
  assert.equal(r.score, 1);
});

test('spans whose caller was not exported yet are orphans, not a split trace', () => {
  const full = pipelineTrace({ t0: 0, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace;
  // Only the feature-store server span was exported so far: its parent is named but absent.
  const partial = { ...full, spans: full.spans.filter((s) => s.service === 'feature-store') };
  const r = completeness([partial, pipelineTrace({ t0: 5000, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace]);
  assert.deepEqual(r.downstreamRoots, []);
  assert.equal(r.orphanSpans, 1);
  assert.deepEqual(r.orphansByService, [{ service: 'feature-store', count: 1 }]);
  assert.equal(r.hopAtFault, null);
});

test('a call made from an empty context: the caller\'s client span roots the split-off trace', () => {
  const traces: Trace[] = [];
  for (let i = 0; i < 3; i++) {
    const full = pipelineTrace({ t0: i * 1000, fs: 10, inf: 10, pp: 10, attrs: CTX }).trace;
    const pp = full.spans.find((s) => s.service === 'postprocess')!;
    const client = full.spans.find((s) => s.spanId === pp.parentSpanId)!;
    full.spans = full.spans.filter((s) => s !== pp && s !== client);
    traces.push(full);
    traces.push(
      makeTrace([
        { id: 'c', service: 'gateway', name: 'POST', kind: 'client', start: client.start, duration: client.duration },
        { id: 'pp', parent: 'c', service: 'postprocess', name: pp.name, kind: 'server', start: pp.start, duration: pp.duration },
      ]),
    );
  }
  // A gateway span that is not a request and calls nothing downstream (start-up work) is no split.
  traces.push(makeTrace([{ id: 'warm', service: 'gateway', name: 'warmup', start: 0, duration: 5 }]));
  const r = completeness(traces);
  assert.deepEqual(r.downstreamRoots, [{ service: 'postprocess', traces: 3, hop: 'gateway→postprocess' }]);
  assert.equal(r.hopAtFault, 'gateway→postprocess');
});

test('expectations follow the request type: raw-vector requests do not need the feature store', () => {
  const entities = [0, 1, 2, 3].map((i) => pipelineTrace({ t0: i * 10_000, fs: 100, inf: 200, pp: 100 }).trace);
  const instances = [5, 6].map((i) => instancesTrace(i * 10_000));
  assert.ok(instances.every((t) => t.spans.length === 5), 'root, two calls and their server spans');
  const all = [...entities, ...instances, rejected(90_000, 'GW_INVALID_REQUEST')];
  const c = completeness(all);
  assert.equal(c.tracedOperations, 1);
  assert.deepEqual(c.missingServices, []);
  assert.equal(c.entryTraces, entities.length + instances.length, 'the rejected request is not an entry trace to judge');
  const d = dependencies(all);
  const fs = d.expected.find((x) => x.to === 'feature-store');
  assert.equal(fs?.applies, entities.length);
  assert.equal(fs?.status, 'present');
  assert.ok(d.expected.every((x) => x.status === 'present'), JSON.stringify(d.expected));
  // A call the gateway made to the feature store that left no feature-store span is still missing.
  const lost = pipelineTrace({ t0: 100_000, fs: 100, inf: 200, pp: 100 }).trace;
  const fsServer = lost.spans.find((s) => s.service === 'feature-store')!;
  const fsClient = lost.spans.find((s) => s.spanId === fsServer.parentSpanId)!;
  fsClient.attributes = { 'server.address': '10.0.0.9', 'server.port': 8081, 'peer.service': 'feature-store' };
  const lostTrace = { ...lost, spans: lost.spans.filter((s) => s !== fsServer) };
  const c2 = completeness([...entities, lostTrace]);
  assert.deepEqual(c2.missingServices, [{ service: 'feature-store', traces: 1, share: 1 / 5 }]);
});
