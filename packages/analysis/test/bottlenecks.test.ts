import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bottlenecks } from '../src/analyses/bottlenecks';
import { quantile } from '../src/analyses/stats';
import { makeTrace } from './trace-builders';

test('score = total self time, share of all self time, potential = (p95 − p50) × count', () => {
  // Each trace: root A [0,100) with children B [10,40) and C [50,90). Self time of A = 100 − 30 − 40 = 30.
  const cDurations = [40, 40, 40, 80];
  const traces = cDurations.map((c) =>
    makeTrace([
      { id: 'a', service: 's1', name: 'A', start: 0, duration: 100 + (c - 40) },
      { id: 'b', parent: 'a', service: 's1', name: 'B', start: 10, duration: 30 },
      { id: 'c', parent: 'a', service: 's2', name: 'C', start: 50, duration: c },
    ]),
  );
  const r = bottlenecks(traces);
  const selfA = 4 * 30;
  const selfB = 4 * 30;
  const selfC = cDurations.reduce((x, y) => x + y, 0);
  const total = selfA + selfB + selfC;
  assert.equal(r.totalSelfTime, total);
  const c = r.ranked[0];
  assert.equal(c?.operation, 'C', 'C has the most self time');
  assert.equal(c?.score, selfC);
  assert.equal(c?.share, selfC / total);
  assert.equal(c?.optimizationPotential, (quantile(cDurations, 0.95) - quantile(cDurations, 0.5)) * 4);
  const a = r.ranked.find((x) => x.operation === 'A');
  assert.equal(a?.selfTimeMean, 30);
  assert.equal(a?.count, 4);
});
