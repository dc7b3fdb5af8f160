import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacity, sweepConcurrency } from '../src/analyses/capacity';
import type { Trace } from '../src/model';
import { makeTrace } from './trace-builders';

test('sweep line: peak concurrency of overlapping intervals; back-to-back ones do not overlap', () => {
  // [0,10) [5,15) [10,20) [12,13): at t=12 three are in flight ([5,15), [10,20), [12,13)).
  assert.equal(sweepConcurrency([0, 5, 10, 12], [10, 15, 20, 13]).peak, 3);
  assert.equal(sweepConcurrency([0, 10, 20], [10, 20, 30]).peak, 1);
});

test("concurrency per service, load bands, knee and Little's law", () => {
  const traces = [];
  // 10 one-second buckets; bucket b receives (b + 1) requests; latency grows steeply above 6 req/s.
  for (let b = 0; b < 10; b++) {
    const n = b + 1;
    const latency = n > 6 ? 40_000 : 10_000;
    for (let k = 0; k < n; k++) {
      const start = b * 1_000_000 + k * 100_000;
      traces.push(
        makeTrace([
          { id: 'g', service: 'gateway', kind: 'server', start, duration: latency },
          { id: 'c', parent: 'g', service: 'gateway', kind: 'client', start: start + 1000, duration: 5000 },
          { id: 'i', parent: 'c', service: 'inference', kind: 'server', start: start + 1000, duration: 5000 },
        ]),
      );
    }
  }
  const r = capacity(traces, { bucketMs: 1000, targetRate: 100 });
  const gw = r.services.find((s) => s.service === 'gateway');
  assert.equal(gw?.requests, 55);
  // Requests 100 ms apart, each ≤ 40 ms: never two in flight.
  assert.equal(gw?.peakConcurrency, 1);
  const meanW = (6 * 7 * 10_000) / 2 / 55 + ((7 + 8 + 9 + 10) * 40_000) / 55;
  assert.ok(Math.abs((gw?.meanLatencyUs ?? 0) - meanW) < 1e-6);
  // Little's law at 100 req/s: L = 100 × W(s).
  assert.ok(Math.abs((gw?.requiredConcurrency ?? 0) - 100 * (meanW / 1e6)) < 1e-9);
  const inf = r.services.find((s) => s.service === 'inference');
  assert.equal(inf?.requestsPerEntryRequest, 1);
  assert.ok(Math.abs((inf?.requiredConcurrency ?? 0) - 100 * 0.005) < 1e-9);
  // Inner buckets (first and last excluded) hold 2..9 requests: 8 bands of one bucket each.
  assert.deepEqual(
    r.loadBands.map((b) => b.meanRate),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
  // Latency rises past 6 req/s, but bands of one second and a few requests are too thin to claim a knee.
  assert.equal(r.knee, null);
  assert.match(r.kneeNote ?? '', /too few data for a knee/);
});

/**
 * A partial first and last bucket (1 request each, left out), and between them 8 load levels of
 * 4 one-second buckets: 10, 20, … 80 req/s, each level's requests at `latencyOf(level)` µs.
 * Each level is one band (32 inner buckets / 8 bands), of 4 buckets and ≥ 40 requests.
 */
function eightLevels(latencyOf: (level: number) => number): Trace[] {
  const traces: Trace[] = [];
  addBucket(traces, 0, 1, 10_000);
  for (let level = 1; level <= 8; level++) for (let j = 0; j < 4; j++) addBucket(traces, 1 + (level - 1) * 4 + j, level * 10, latencyOf(level));
  addBucket(traces, 33, 1, 10_000);
  return traces;
}

/** `n` gateway requests spread over one-second bucket `b`, each taking `latency` µs. */
function addBucket(traces: Trace[], b: number, n: number, latency: number): void {
  for (let k = 0; k < n; k++) {
    const start = b * 1_000_000 + Math.floor((k * 1_000_000) / n);
    traces.push(makeTrace([{ id: 'g', service: 'gateway', kind: 'server', start, duration: latency }]));
  }
}

test('a knee is claimed from load bands of several buckets and enough requests each', () => {
  // Latency 10 ms up to 60 req/s and 40 ms above.
  const r = capacity(eightLevels((level) => (level * 10 > 60 ? 40_000 : 10_000)), { bucketMs: 1000, entryService: 'gateway' });
  assert.deepEqual(r.loadBands.map((b) => b.meanRate), [10, 20, 30, 40, 50, 60, 70, 80]);
  assert.deepEqual(r.knee, { rate: 60, meanLatencyUs: 10_000 });
  assert.equal(r.kneeNote, undefined);
});

test('a slow first band (a cold start) does not hide the knee: each band is held against the lowest latency below it', () => {
  // As in a lab: the lowest load is the system's first seconds, at 60 ms while its code compiles;
  // then 10 ms up to 60 req/s, and 40 ms above: under 1.5 × the cold 60 ms, 4 × the settled 10 ms.
  const r = capacity(eightLevels((level) => (level === 1 ? 60_000 : level * 10 > 60 ? 40_000 : 10_000)), { bucketMs: 1000, entryService: 'gateway' });
  assert.deepEqual(r.loadBands.map((b) => b.meanLatencyUs), [60_000, 10_000, 10_000, 10_000, 10_000, 10_000, 40_000, 40_000]);
  assert.deepEqual(r.knee, { rate: 60, meanLatencyUs: 10_000 });
});

test('the edges of load phases (next to an empty bucket) are left out of the bands: a few partial buckets do not make the lowest band too thin', () => {
  const traces: Trace[] = [];
  const bucket = (b: number, n: number, latency: number): void => addBucket(traces, b, n, latency);
  // Three load steps as a lab sends them, one empty second between two commands: 20, 40 and 80
  // req/s, 8 full seconds each, latency 10 ms, 10 ms and 40 ms. Each step starts and ends in a
  // second it only partly fills (3 and 2 requests); the first and last of these are the window's ends.
  let b = 0;
  for (const [rate, latency] of [[20, 10_000], [40, 10_000], [80, 40_000]] as const) {
    if (b > 0) b++; // the second between two commands
    bucket(b++, 3, latency);
    for (let j = 0; j < 8; j++) bucket(b++, rate, latency);
    bucket(b++, 2, latency);
  }
  const r = capacity(traces, { bucketMs: 1000, entryService: 'gateway' });
  // The 24 full seconds in 8 bands of 3; with the partial ones (2 and 3 requests), the lowest band held 7 requests.
  assert.deepEqual(r.loadBands.map((x) => [Math.round(x.meanRate * 10) / 10, x.buckets]), [[20, 3], [20, 3], [26.7, 3], [40, 3], [40, 3], [66.7, 3], [80, 3], [80, 3]]);
  assert.deepEqual(r.knee, { rate: 40, meanLatencyUs: 10_000 });
  assert.equal(r.kneeNote, undefined);
});
