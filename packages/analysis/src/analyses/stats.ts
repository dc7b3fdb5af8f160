/**
 * Small, dependency-free statistics the analyses share. Quantiles use linear
 * interpolation between closest ranks (numpy's default, "type 7").
 */

import { at, f64 } from './checked';

export interface Distribution {
  count: number;
  mean: number;
  std: number;
  min: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sorts a copy ascending (typed array sort is numeric and fast). */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  // A plain copy loop: Float64Array.from(array) takes the slow iterator path.
  const n = values.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i] as number;
  out.sort();
  return out;
}

/**
 * A sample that grows by doubling a Float64Array: pushing millions of values into plain arrays
 * reallocates and copies a heap backing store many times (garbage the collector must then move).
 */
export class Samples {
  data = new Float64Array(16);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }

  /** Σ in push order. */
  sum(): number {
    let s = 0;
    for (let i = 0; i < this.length; i++) s += this.data[i] as number;
    return s;
  }

  /** The q-quantiles (as quantileSorted of sorted()), by selection on a copy. */
  quantiles(qs: readonly number[]): number[] {
    return quantilesInPlace(this.data.slice(0, this.length), qs);
  }

  /** True when every value is an integer and their sum is exact in any order (so Σ does not depend on it). */
  exactSum(): boolean {
    let s = 0;
    for (let i = 0; i < this.length; i++) {
      const x = this.data[i] as number;
      if (!Number.isInteger(x)) return false;
      s += Math.abs(x);
    }
    return s <= Number.MAX_SAFE_INTEGER;
  }

  /** A sorted copy, exactly sized. */
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** q in [0,1] of an ascending-sorted sample; NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * The q-quantiles of `values` (type 7, exactly as quantileSorted gives them on the sorted sample),
 * found by selecting only the order statistics they need instead of sorting: O(n) instead of
 * O(n log n) for the large per-key samples. Reorders `values`; a sample holding NaN is sorted.
 */
export function quantilesInPlace(values: Float64Array, qs: readonly number[]): number[] {
  const n = values.length;
  if (n === 0) return qs.map(() => NaN);
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) return qs.map((q) => quantileSorted(values.sort(), q));
  const ranks = new Set<number>();
  for (const q of qs) {
    const pos = (n - 1) * q;
    ranks.add(Math.floor(pos));
    ranks.add(Math.min(n - 1, Math.floor(pos) + 1));
  }
  selectRanks(values, 0, n - 1, [...ranks].sort((a, b) => a - b));
  // quantileSorted reads only the two ranks of each q, which now stand where a sort would put them.
  return qs.map((q) => quantileSorted(values, q));
}

/** Puts the elements of the given ranks (ascending, within [left, right]) in their sorted places. */
function selectRanks(a: Float64Array, left: number, right: number, ranks: number[]): void {
  if (ranks.length === 0 || left >= right) return;
  const mid = ranks.length >> 1;
  const k = at(ranks, mid);
  select(a, left, right, k);
  selectRanks(a, left, k - 1, ranks.slice(0, mid));
  selectRanks(a, k + 1, right, ranks.slice(mid + 1));
}

/** Hoare's selection: afterwards a[k] is the k-th smallest of a[left..right], smaller ones before it, larger after. */
function select(a: Float64Array, left: number, right: number, k: number): void {
  let l = left;
  let r = right;
  while (r > l) {
    // Median of three as the pivot, against sorted or constant runs.
    const m = (l + r) >> 1;
    if (f64(a, m) < f64(a, l)) swap(a, m, l);
    if (f64(a, r) < f64(a, l)) swap(a, r, l);
    if (f64(a, r) < f64(a, m)) swap(a, r, m);
    const pivot = f64(a, m);
    let i = l;
    let j = r;
    while (i <= j) {
      while (f64(a, i) < pivot) i++;
      while (f64(a, j) > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = f64(a, i);
  a[i] = f64(a, j);
  a[j] = t;
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sortedCopy(values), q);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s / values.length;
}

/** Population standard deviation. */
export function std(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < n; i++) s += ((values[i] as number) - m) ** 2;
  return Math.sqrt(s / n);
}

/** Coefficient of variation std/mean (0 when the mean is 0). */
export function cv(values: ArrayLike<number>): number {
  const m = mean(values);
  return m > 0 ? std(values) / m : 0;
}

export function distribution(values: ArrayLike<number>): Distribution {
  return distributionOfSorted(sortedCopy(values));
}

/** distribution() of a sample already sorted ascending. */
export function distributionOfSorted(s: ArrayLike<number>): Distribution {
  const n = s.length;
  if (n === 0) return { count: 0, mean: NaN, std: NaN, min: NaN, p50: NaN, p90: NaN, p95: NaN, p99: NaN, max: NaN };
  return {
    count: n,
    mean: mean(s),
    std: std(s),
    min: s[0] as number,
    p50: quantileSorted(s, 0.5),
    p90: quantileSorted(s, 0.9),
    p95: quantileSorted(s, 0.95),
    p99: quantileSorted(s, 0.99),
    max: s[n - 1] as number,
  };
}

export interface Histogram {
  /** bucket i covers [bounds[i], bounds[i+1]) (the last one closed). */
  bounds: number[];
  counts: number[];
}

/** Equal-width histogram between min and max. */
export function histogram(values: ArrayLike<number>, buckets = 20): Histogram {
  const n = values.length;
  if (n === 0) return { bounds: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / buckets;
  const counts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.floor(((values[i] as number) - lo) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  const bounds = Array.from({ length: buckets + 1 }, (_, i) => lo + i * width);
  return { bounds, counts };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf approximation, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Below this the normal approximation (and double precision) cannot tell: p-values are floored here, never 0. */
export const MIN_P_VALUE = 1e-16;

function twoSidedP(z: number): number {
  return Math.max(MIN_P_VALUE, Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))));
}

export interface TestResult {
  /** The test statistic (U for Mann–Whitney, z for the proportion test). */
  statistic: number;
  z: number;
  /** Two-sided p-value from the normal approximation. */
  pValue: number;
}

/**
 * Mann–Whitney U test (two-sided) with the normal approximation, tie-corrected
 * variance and a 0.5 continuity correction. U is the statistic of sample a.
 */
export function mannWhitneyU(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { statistic: NaN, z: 0, pValue: 1 };
  const all = new Float64Array(n1 + n2);
  const fromA = new Uint8Array(n1 + n2);
  const order = new Uint32Array(n1 + n2);
  for (let i = 0; i < n1; i++) all[i] = a[i] as number;
  for (let i = 0; i < n2; i++) all[n1 + i] = b[i] as number;
  for (let i = 0; i < n1; i++) fromA[i] = 1;
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => (all[x] as number) - (all[y] as number));
  let rankSumA = 0;
  let tieTerm = 0;
  const n = n1 + n2;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[order[j + 1] as number] === all[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1; // average rank of the tie group
    const t = j - i + 1;
    if (t > 1) tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (fromA[order[k] as number]) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { statistic: u, z: 0, pValue: 1 };
  const diff = u - mu;
  const z = (diff - Math.sign(diff) * 0.5) / Math.sqrt(variance);
  return { statistic: u, z, pValue: twoSidedP(z) };
}

/** Two-proportion z-test (pooled), two-sided. */
export function twoProportionZ(successA: number, nA: number, successB: number, nB: number): TestResult {
  if (nA === 0 || nB === 0) return { statistic: 0, z: 0, pValue: 1 };
  const pA = successA / nA;
  const pB = successB / nB;
  const p = (successA + successB) / (nA + nB);
  const se = Math.sqrt(p * (1 - p) * (1 / nA + 1 / nB));
  if (se === 0) return { statistic: 0, z: 0, pValue: 1 };
  const z = (pA - pB) / se;
  return { statistic: z, z, pValue: twoSidedP(z) };
}

/** "***" p<0.001, "**" p<0.01, "*" p<0.05, "" otherwise. */
export function significanceMark(p: number): string {
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : '';
}

/** Shannon entropy (bits) of a binary split with `pos` positives out of `n`. */
function binaryEntropy(pos: number, n: number): number {
  if (n === 0 || pos === 0 || pos === n) return 0;
  const p = pos / n;
  return -(p * Math.log2(p) + (1 - p) * Math.log2(1 - p));
}

/**
 * Information gain (bits) of a binary label by a categorical attribute:
 * H(label) − Σ_v (n_v/n)·H(label | v). groups: per value [positives, total].
 */
export function informationGain(groups: Iterable<[number, number]>): number {
  let pos = 0;
  let n = 0;
  const list = [...groups];
  for (const [p, t] of list) {
    pos += p;
    n += t;
  }
  if (n === 0) return 0;
  let conditional = 0;
  for (const [p, t] of list) conditional += (t / n) * binaryEntropy(p, t);
  return binaryEntropy(pos, n) - conditional;
}
