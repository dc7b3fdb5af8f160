import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cv, distribution, informationGain, mannWhitneyU, normalCdf, quantile, quantileSorted, quantilesInPlace, twoProportionZ } from '../src/analyses/stats';

test('quantiles interpolate between closest ranks', () => {
  const xs = [10, 20, 30, 40];
  // (n−1)·q = 1.5 → halfway between 20 and 30
  assert.equal(quantile(xs, 0.5), 25);
  assert.equal(quantile(xs, 0), 10);
  assert.equal(quantile(xs, 1), 40);
  const d = distribution([3, 1, 2]);
  assert.equal(d.mean, 2);
  assert.equal(d.min, 1);
  assert.equal(d.max, 3);
  assert.ok(Math.abs(d.std - Math.sqrt(2 / 3)) < 1e-12);
  assert.ok(Math.abs(cv([1, 3]) - 0.5) < 1e-12);
});

test('normal CDF matches known values', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(normalCdf(-1) - 0.158655) < 1e-6);
});

test('Mann–Whitney U: statistic by counting pairs, p-value by the normal approximation', () => {
  const a = [1, 2, 3, 4, 5, 6, 7, 8];
  const b = [5, 6, 7, 8, 9, 10, 11, 12, 13];
  // U_a = number of pairs (x in a, y in b) with x > y, ties counting ½.
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  const r = mannWhitneyU(a, b);
  assert.equal(r.statistic, u);
  // Tie-corrected variance: ties of size 2 at 5, 6, 7, 8.
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  const variance = ((n1 * n2) / 12) * (n + 1 - (4 * (8 - 2)) / (n * (n - 1)));
  const z = (u - (n1 * n2) / 2 + 0.5) / Math.sqrt(variance);
  assert.ok(Math.abs(r.z - z) < 1e-9);
  assert.ok(r.pValue < 0.01, `p=${r.pValue}`);
  const same = mannWhitneyU([1, 2, 3, 4], [1, 2, 3, 4]);
  assert.ok(same.pValue > 0.9);
});

test('two-proportion z-test', () => {
  // 30/100 vs 10/100: pooled p = 0.2, se = sqrt(0.2·0.8·0.02) = 0.05657, z = 0.2/0.05657 = 3.5355
  const r = twoProportionZ(30, 100, 10, 100);
  assert.ok(Math.abs(r.z - 0.2 / Math.sqrt(0.2 * 0.8 * 0.02)) < 1e-9);
  assert.ok(r.pValue < 0.001);
  assert.equal(twoProportionZ(0, 10, 0, 10).pValue, 1);
});

test('information gain: a perfect split gains the full entropy, an independent one gains nothing', () => {
  assert.ok(Math.abs(informationGain([[10, 10], [0, 10]]) - 1) < 1e-12);
  assert.ok(Math.abs(informationGain([[5, 10], [5, 10]])) < 1e-12);
});

test('quantilesInPlace selects exactly the quantiles a sort gives', () => {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const qs = [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1];
  for (const n of [1, 2, 3, 10, 101, 1000, 20_000]) {
    for (const shape of ['uniform', 'few values', 'sorted', 'reversed', 'negative and zero']) {
      const values = Float64Array.from({ length: n }, (_, i) =>
        shape === 'few values' ? Math.floor(rand() * 3) : shape === 'sorted' ? i : shape === 'reversed' ? n - i : shape === 'negative and zero' ? (rand() < 0.3 ? 0 : (rand() - 0.5) * 1e6) : rand() * 1e6,
      );
      const sorted = values.slice().sort();
      const expected = qs.map((q) => quantileSorted(sorted, q));
      assert.deepEqual(quantilesInPlace(values.slice(), qs), expected, `${shape}, n=${n}`);
    }
  }
  assert.deepEqual(quantilesInPlace(new Float64Array(0), [0.5]), [NaN]);
  // NaN: the sorted sample's answer (NaN sorts last).
  assert.deepEqual(quantilesInPlace(Float64Array.from([3, NaN, 1, 2]), [0.5, 1]), [2.5, NaN]);
});
