/**
 * 8. ML-context slices. A trace's slice value for a key is the attribute on its root span,
 * else on the first span that carries it (keys: SLICE_KEYS, from @mltrace/tracing).
 * - byKey: per value, latency (end-to-end, µs), error rate, mean prediction confidence and
 *   each service's share of the critical path;
 * - slowSlices: single values and pairs of values (k1=v1 ∧ k2=v2) whose successful traces are
 *   much slower than the other successful traces carrying the same keys: mean ratio ≥ 1.3 (the
 *   mean, not the median, because bimodal latencies such as "30 % of lookups +80 ms" make
 *   medians jump), Mann–Whitney p < 0.001, and at least max(10, 1 %) traces on each side. A pair is kept only when its ratio exceeds 1.2 ×
 *   the ratio of each of its two single values, so a pair is reported only when the
 *   combination itself, not one of its parts, is slow;
 * - separators: which keys best split slow traces (end-to-end ≥ p90) and failed traces from the
 *   rest, by information gain in bits;
 * - compare: two slices or two trace sets side by side with significance (Mann–Whitney U for
 *   latency and confidence, two-proportion z-test for error rate).
 */
import type { Span, Trace } from '../model';
import type { AnalysisOptions } from './options';
import { f64 } from './checked';
import { distribution, informationGain, mannWhitneyU, mean, quantileSorted, sortedCopy, twoProportionZ, type Distribution, type TestResult } from './stats';
import { SliceAccumulator, type SliceTotals } from './slice-sums';
import { SLICE_KEYS, opKey, splitOpKey, traceFacts, type TraceFacts } from './trace-facts';

export interface SliceStats {
  value: string;
  traces: number;
  latency: Distribution;
  /** Requests per second over the slice's own time window (traces / (last start − first start)). */
  throughput: number;
  errorRate: number;
  rejectionRate: number;
  /** Types of the failing spans (failures) and of the rejections (4xx), most common first. */
  errorTypes: Array<{ type: string; count: number }>;
  rejectionTypes: Array<{ type: string; count: number }>;
  /** Operations by total self time within the slice (the bottleneck score), top 3. */
  topOperations: Array<{ service: string; operation: string; selfTimeShare: number }>;
  confidence: number | null;
  cpShareByService: Record<string, number>;
  /** The slowest traces of the slice (at most EXAMPLES_PER_SLICE), slowest first. */
  exampleTraceIds: string[];
}

export interface SlowSlice {
  label: string;
  conditions: Record<string, string>;
  traces: number;
  p50Us: number;
  restP50Us: number;
  meanUs: number;
  restMeanUs: number;
  /** mean / rest mean. */
  ratio: number;
  meanExcessUs: number;
  pValue: number;
  /** The slowest traces of the slice (at most 3), slowest first. */
  exampleTraceIds: string[];
}

export interface GroupSummary {
  label: string;
  traces: number;
  latency: Distribution;
  errorRate: number;
  failed: number;
  /** Requests rejected with a 4xx (not failures). */
  rejected: number;
  rejectionRate: number;
  confidence: number | null;
}

export interface Comparison {
  a: GroupSummary;
  b: GroupSummary;
  latency: { p50DiffUs: number; meanDiffUs: number; p50Ratio: number; test: TestResult; significance: string };
  errors: { rateDiff: number; test: TestResult; significance: string };
  rejections: { rateDiff: number; test: TestResult; significance: string };
  confidence: { diff: number | null; test: TestResult | null; significance: string };
  operations: Array<{ service: string; operation: string; p50A: number; p50B: number; ratio: number }>;
}

export interface SlicesResult {
  keys: string[];
  /** Per key, its 20 most common values. */
  byKey: Array<{ key: string; untagged: number; distinctValues: number; values: SliceStats[] }>;
  slowSlices: SlowSlice[];
  separators: { slow: Separator[]; failed: Separator[]; slowThresholdUs: number };
  comparison: Comparison | null;
}

export interface Separator {
  key: string;
  informationGain: number;
  /** The value with the highest rate of slow (failed) traces, that rate and the rate over all traces. */
  value: string;
  rate: number;
  baseRate: number;
  /** Slow (failed) traces with that value (at most EXAMPLES_PER_SLICE). */
  exampleTraceIds: string[];
}

function significance(p: number): string {
  return p < 0.001 ? 'p<0.001' : p < 0.01 ? 'p<0.01' : p < 0.05 ? 'p<0.05' : 'not significant';
}

export function summarizeGroup(label: string, traces: readonly Trace[]): GroupSummary {
  return summarizeFacts(label, traces.map((t) => traceFacts(t)));
}

function summarizeFacts(label: string, facts: readonly TraceFacts[]): GroupSummary {
  const e2e = new Float64Array(facts.length);
  let confSum = 0;
  let confN = 0;
  let failed = 0;
  let rejected = 0;
  facts.forEach((f, i) => {
    e2e[i] = f.e2e;
    if (f.failed) failed++;
    if (f.rejected) rejected++;
    if (f.confidence !== undefined) {
      confSum += f.confidence;
      confN++;
    }
  });
  const n = facts.length;
  return { label, traces: n, latency: distribution(e2e), errorRate: n ? failed / n : 0, failed, rejected, rejectionRate: n ? rejected / n : 0, confidence: confN ? confSum / confN : null };
}

function opMedians(traces: readonly Trace[]): Map<string, number> {
  const d = new Map<string, number[]>();
  for (const t of traces) for (const s of t.spans) {
    const k = opKey(s.service, s.name);
    let a = d.get(k);
    if (!a) d.set(k, (a = []));
    a.push(s.duration);
  }
  return new Map([...d].map(([k, v]) => [k, quantileSorted(sortedCopy(v), 0.5)]));
}

/** Side-by-side comparison of two sets of traces (two slices, or two sources). */
export function compareGroups(labelA: string, a: readonly Trace[], labelB: string, b: readonly Trace[]): Comparison {
  const sa = summarizeGroup(labelA, a);
  const sb = summarizeGroup(labelB, b);
  const la = a.map((t) => traceFacts(t).e2e);
  const lb = b.map((t) => traceFacts(t).e2e);
  const ca = a.map((t) => traceFacts(t).confidence).filter((x): x is number => x !== undefined);
  const cb = b.map((t) => traceFacts(t).confidence).filter((x): x is number => x !== undefined);
  const lt = mannWhitneyU(la, lb);
  const et = twoProportionZ(sa.failed, sa.traces, sb.failed, sb.traces);
  const rt = twoProportionZ(sa.rejected, sa.traces, sb.rejected, sb.traces);
  const ct = ca.length && cb.length ? mannWhitneyU(ca, cb) : null;
  const ma = opMedians(a);
  const mb = opMedians(b);
  const operations = [...ma]
    .filter(([k]) => mb.has(k))
    .map(([k, p50A]) => {
      const p50B = mb.get(k) as number;
      return { ...splitOpKey(k), p50A, p50B, ratio: p50A > 0 ? p50B / p50A : 0 };
    })
    .sort((x, y) => Math.abs(y.p50B - y.p50A) - Math.abs(x.p50B - x.p50A))
    .slice(0, 10);
  return {
    a: sa,
    b: sb,
    latency: {
      p50DiffUs: sb.latency.p50 - sa.latency.p50,
      meanDiffUs: sb.latency.mean - sa.latency.mean,
      p50Ratio: sa.latency.p50 > 0 ? sb.latency.p50 / sa.latency.p50 : NaN,
      test: lt,
      significance: significance(lt.pValue),
    },
    errors: { rateDiff: sb.errorRate - sa.errorRate, test: et, significance: significance(et.pValue) },
    rejections: { rateDiff: sb.rejectionRate - sa.rejectionRate, test: rt, significance: significance(rt.pValue) },
    confidence: {
      diff: sa.confidence !== null && sb.confidence !== null ? sb.confidence - sa.confidence : null,
      test: ct,
      significance: ct ? significance(ct.pValue) : 'no confidence data',
    },
    operations,
  };
}

function ranked(m: Map<string, number>, top: number): Array<{ type: string; count: number }> {
  return [...m].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count).slice(0, top);
}

/** Example traces kept per slice value. */
export const EXAMPLES_PER_SLICE = 2;

/** The ids of the n traces with the longest end-to-end time, longest first (ties: first seen). */
function slowestTraceIds(traces: readonly Trace[], n: number): string[] {
  const top: Array<{ id: string; e2e: number }> = [];
  for (const t of traces) {
    const e2e = traceFacts(t).e2e;
    let at = top.length;
    while (at > 0 && e2e > (top[at - 1]?.e2e ?? Infinity)) at--;
    if (at < n) {
      top.splice(at, 0, { id: t.traceId, e2e });
      if (top.length > n) top.pop();
    }
  }
  return top.map((x) => x.id);
}

function sliceStats(value: string, traces: readonly Trace[], sums: SliceTotals): SliceStats {
  const g = summarizeFacts(value, traces.map((t) => traceFacts(t)));
  const { cp, self, errTypes, rejTypes, e2e, selfTotal, rejected, first, last } = sums;
  const cpShareByService: Record<string, number> = {};
  for (const [s, x] of cp.sort((p, q) => q[1] - p[1])) cpShareByService[s] = e2e > 0 ? x / e2e : 0;
  const windowS = (last - first) / 1e6;
  return {
    value,
    traces: g.traces,
    latency: g.latency,
    throughput: windowS > 0 ? (g.traces - 1) / windowS : 0,
    errorRate: g.errorRate,
    rejectionRate: g.traces ? rejected / g.traces : 0,
    errorTypes: ranked(errTypes, 5),
    rejectionTypes: ranked(rejTypes, 5),
    topOperations: self
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, x]) => ({ ...splitOpKey(k), selfTimeShare: selfTotal > 0 ? x / selfTotal : 0 })),
    confidence: g.confidence,
    cpShareByService,
    exampleTraceIds: slowestTraceIds(traces, EXAMPLES_PER_SLICE),
  };
}

const MAX_CARDINALITY = 60;

interface Group {
  conditions: Record<string, string>;
  idx: number[];
  /** Indexes into SLICE_KEYS. */
  keys: number[];
}

/**
 * Requests served cold: those that started before the first request finished (the first wave
 * pays for lazy initialization, JIT compilation and new connections). Left out of slow-slice
 * detection, or whatever slice they share (the first data batch) looks slow.
 */
export function warmupTraces(traces: readonly Trace[]): Set<Trace> {
  let firstEnd = Infinity;
  for (const t of traces) {
    const f = traceFacts(t);
    if (!f.rejected && f.roots.length && f.end < firstEnd && isRequest(t)) firstEnd = f.end;
  }
  return new Set(traces.filter((t) => isRequest(t) && traceFacts(t).start < firstEnd));
}

function isRequest(t: Trace): boolean {
  const r = traceFacts(t).roots[0];
  const k = r === undefined ? undefined : (t.spans[r] as { kind: string }).kind;
  return k === 'server' || k === 'consumer';
}

/** Thresholds of the slow-slice rule (documented in the README). */
export const SLOW_SLICE = { minTraces: 10, minShare: 0.01, meanRatio: 1.3, medianRatio: 1.1, pValue: 0.001 };

function slowSlices(traces: readonly Trace[]): SlowSlice[] {
  const cold = warmupTraces(traces);
  // Requests only (background traces such as a model loaded at start-up are no slice's business),
  // successful (neither failed nor rejected) and warm.
  const requests = traces.some(isRequest) ? traces.filter(isRequest) : traces;
  const ok = requests.filter((t) => !traceFacts(t).failed && !traceFacts(t).rejected && !cold.has(t));
  const n = ok.length;
  const minN = Math.max(SLOW_SLICE.minTraces, Math.ceil(n * SLOW_SLICE.minShare));
  const e2e = Float64Array.from(ok, (t) => traceFacts(t).e2e);
  let total = 0;
  for (const x of e2e) total += x;
  // Values coded per key; keys with more than MAX_CARDINALITY values (ids such as data batches
  // unique per request) are not sliced: no value could reach the minimum count anyway.
  const codes = SLICE_KEYS.map(() => new Map<string, number>());
  const ctx = ok.map((t) => traceFacts(t).context);
  for (const c of ctx) c.forEach((v, k) => {
    const m = codes[k] as Map<string, number>;
    if (v !== undefined && !m.has(v) && m.size <= MAX_CARDINALITY) m.set(v, m.size + 1);
  });
  const usable = codes.map((m) => m.size <= MAX_CARDINALITY);
  const names = codes.map((m) => new Map([...m].map(([v, c]) => [c, v])));
  // Candidate groups: every value of a key (a, code_a) and every pair of values of two keys (a < b),
  // found per trace from its coded context. Keyed by a number that is unique per (a, b, code_a,
  // code_b); the Map keeps the groups' creation order.
  const R = MAX_CARDINALITY + 2;
  const K = SLICE_KEYS.length;
  const found = new Map<number, { a: number; b: number; ca: number; cb: number; idx: number[] }>();
  const matrix = new Int32Array(n * K);
  for (let i = 0; i < n; i++) {
    const c = ctx[i] as (string | undefined)[];
    const coded = matrix.subarray(i * K, (i + 1) * K);
    for (let a = 0; a < K; a++) coded[a] = usable[a] && c[a] !== undefined ? (codes[a] as Map<string, number>).get(c[a] as string) ?? 0 : 0;
    for (let a = 0; a < K; a++) {
      const ca = coded[a] as number;
      if (!ca) continue;
      for (let b = a; b < K; b++) {
        const cb = b === a ? 0 : (coded[b] as number);
        if (b !== a && !cb) continue;
        const key = ((a * K + b) * R + ca) * R + cb;
        const g = found.get(key);
        if (g) g.idx.push(i);
        else found.set(key, { a, b, ca, cb, idx: [i] });
      }
    }
  }
  const groups = new Map<string, Group>();
  for (const { a, b, ca, cb, idx } of found.values()) {
    const conditions: Record<string, string> = { [SLICE_KEYS[a] as string]: names[a]?.get(ca) as string };
    if (b !== a) conditions[SLICE_KEYS[b] as string] = names[b]?.get(cb) as string;
    const label = Object.entries(conditions).map(([k, v]) => `${k}=${v}`).join(' ∧ ');
    groups.set(label, { conditions, idx, keys: b === a ? [a] : [a, b] });
  }
  // The rest of a slice: traces that carry its keys with other values (untagged traces, such as
  // the halves of split traces, say nothing about the slice).
  // One membership array for all groups (set for the group, cleared after): a fresh one per group
  // would allocate groups × traces bytes.
  const inSlice = new Uint8Array(n);
  const restOf = (g: Group): number[] => {
    for (const i of g.idx) inSlice[i] = 1;
    const rest: number[] = [];
    const k1 = g.keys[0] as number;
    const k2 = g.keys[1] ?? k1; // a single value's key checked twice
    for (let i = 0; i < n; i++) if (!inSlice[i] && matrix[i * K + k1] !== 0 && matrix[i * K + k2] !== 0) rest.push(i);
    for (const i of g.idx) inSlice[i] = 0;
    return rest;
  };
  const evaluated = new Map<string, SlowSlice & { single: boolean }>();
  // mean() of the end-to-end times of some traces, summed in the same order, without copying them
  // out (a rest is most of the traces, and every candidate group has one).
  const meanOf = (idx: readonly number[]): number => {
    if (idx.length === 0) return NaN;
    let sum = 0;
    for (const i of idx) sum += e2e[i] as number;
    return sum / idx.length;
  };
  const evaluate = (label: string, g: Group, rest: number[]) => {
    const restMean = meanOf(rest);
    const sliceMean = meanOf(g.idx);
    const s: SlowSlice & { single: boolean } = {
      label,
      conditions: g.conditions,
      traces: g.idx.length,
      // Filled in only for the slices reported (sorting every candidate would be wasted).
      p50Us: NaN,
      restP50Us: NaN,
      meanUs: sliceMean,
      restMeanUs: restMean,
      ratio: restMean > 0 ? sliceMean / restMean : 0,
      meanExcessUs: sliceMean - restMean,
      pValue: 1,
      exampleTraceIds: [],
      single: g.keys.length === 1,
    };
    evaluated.set(label, s);
    return { s, group: g, restIdx: rest };
  };
  // Σ and count of end-to-end time over the traces that carry both keys of a pair (for a cheap
  // first look at a pair's mean ratio before sorting anything).
  const present = new Map<number, { sum: number; count: number }>();
  const presentFor = (a: number, b: number) => {
    let p = present.get(a * K + b);
    if (!p) {
      p = { sum: 0, count: 0 };
      for (let i = 0; i < n; i++)
        if (matrix[i * K + a] !== 0 && matrix[i * K + b] !== 0) {
          p.sum += e2e[i] as number;
          p.count++;
        }
      present.set(a * K + b, p);
    }
    return p;
  };
  const candidates: Array<{ s: SlowSlice & { single: boolean }; group: Group; restIdx: number[] }> = [];
  for (const [label, g] of groups) {
    if (g.idx.length < minN) continue;
    if (g.keys.length === 2) {
      const p = presentFor(g.keys[0] as number, g.keys[1] as number);
      let sum = 0;
      for (const i of g.idx) sum += e2e[i] as number;
      const restCount = p.count - g.idx.length;
      if (restCount < minN || sum / g.idx.length < 1.2 * ((p.sum - sum) / restCount)) continue;
    }
    const rest = restOf(g);
    if (rest.length < minN) continue;
    // Singles are always evaluated (pairs are judged against them); pairs only when slower on average.
    const c = evaluate(label, g, rest);
    if (c.s.single || c.s.ratio >= 1.2) candidates.push(c);
  }
  const out: Array<{ s: SlowSlice & { single: boolean }; group: Group }> = [];
  for (const { s, group, restIdx } of candidates) {
    const sliceIdx = group.idx;
    if (s.ratio < SLOW_SLICE.meanRatio) continue;
    if (!s.single) {
      // A part that could not be compared with a rest (a key with one value everywhere, such as
      // one feature-store version) separates nothing: the pair would only repeat its other part.
      const parts = Object.entries(s.conditions).map(([k, v]) => evaluated.get(`${k}=${v}`)?.ratio);
      if (parts.some((r) => r === undefined || s.ratio < 1.2 * r)) continue;
    }
    const slice = sliceIdx.map((i) => e2e[i] as number);
    const others = restIdx.map((i) => e2e[i] as number);
    s.pValue = mannWhitneyU(slice, others).pValue;
    if (s.pValue >= SLOW_SLICE.pValue) continue;
    s.p50Us = quantileSorted(sortedCopy(slice), 0.5);
    s.restP50Us = quantileSorted(sortedCopy(others), 0.5);
    // Effect size beyond a few outliers: the typical request of the slice must be slower too.
    if (!(s.restP50Us > 0 && s.p50Us / s.restP50Us >= SLOW_SLICE.medianRatio)) continue;
    s.exampleTraceIds = [...sliceIdx].sort((x, y) => (e2e[y] as number) - (e2e[x] as number)).slice(0, 3).map((i) => (ok[i] as Trace).traceId);
    out.push({ s, group });
  }
  // A single value that is slow only because it contains a slow pair (v2 is slow only for
  // enterprise) is explained by that pair: without the pair's traces it is not slow.
  const pairs = out.filter((x) => !x.s.single);
  const kept = out.filter(({ s, group }) => {
    if (!s.single) return true;
    return !pairs.some((p) => {
      if (!Object.entries(s.conditions).every(([key, value]) => p.s.conditions[key] === value)) return false;
      const inPair = new Set(p.group.idx);
      const inside = group.idx.filter((i) => !inPair.has(i)).map((i) => f64(e2e, i));
      const rest = restOf(group).filter((i) => !inPair.has(i)).map((i) => f64(e2e, i));
      const restMean = mean(rest);
      return inside.length < minN || !(restMean > 0 && mean(inside) / restMean >= SLOW_SLICE.meanRatio);
    });
  });
  return kept.map(({ s: { single: _single, ...slice } }) => slice).sort((x, y) => y.ratio - x.ratio);
}

function separators(traces: readonly Trace[], contexts: readonly (string | undefined)[][], labels: Uint8Array): Separator[] {
  const out: Separator[] = [];
  const n = contexts.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i] as number;
  const baseRate = n ? pos / n : 0;
  SLICE_KEYS.forEach((key, k) => {
    const groups = new Map<string, [number, number]>();
    for (let i = 0; i < n; i++) {
      const v = (contexts[i] as (string | undefined)[])[k] ?? '(unset)';
      let g = groups.get(v);
      if (!g) groups.set(v, (g = [0, 0]));
      g[0] += labels[i] as number;
      g[1]++;
    }
    if (groups.size < 2) return;
    let worst = '';
    let worstRate = -1;
    for (const [v, [p, t]] of groups) if (t >= 5 && p / t > worstRate) [worst, worstRate] = [v, p / t];
    const exampleTraceIds: string[] = [];
    for (let i = 0; i < n && exampleTraceIds.length < EXAMPLES_PER_SLICE; i++) {
      const t = traces[i];
      if (t && labels[i] === 1 && (contexts[i]?.[k] ?? '(unset)') === worst) exampleTraceIds.push(t.traceId);
    }
    out.push({ key, informationGain: informationGain(groups.values()), value: worst, rate: Math.max(0, worstRate), baseRate, exampleTraceIds });
  });
  return out.sort((a, b) => b.informationGain - a.informationGain);
}

export function slices(traces: readonly Trace[], opts: AnalysisOptions = {}): SlicesResult {
  const byKey: SlicesResult['byKey'] = [];
  const facts = traces.map((t) => traceFacts(t));
  // Per key (index into SLICE_KEYS): its top values' traces and their sums. Every key's slices
  // are filled in one pass, so each trace is summarized once.
  const sums = new SliceAccumulator();
  const chosen: Array<{ key: string; untagged: number; distinctValues: number; top: Array<[string, Trace[]]>; slices: Map<string, number> } | undefined> = [];
  SLICE_KEYS.forEach((key, k) => {
    const groups = new Map<string, Trace[]>();
    let untagged = 0;
    for (let i = 0; i < traces.length; i++) {
      const v = (facts[i] as TraceFacts).context[k];
      if (v === undefined) {
        untagged++;
        continue;
      }
      let g = groups.get(v);
      if (!g) groups.set(v, (g = []));
      g.push(traces[i] as Trace);
    }
    if (!groups.size) return;
    const top = [...groups].sort((a, b) => b[1].length - a[1].length).slice(0, 20);
    chosen[k] = { key, untagged, distinctValues: groups.size, top, slices: new Map(top.map(([v]) => [v, sums.newSlice()])) };
  });
  traces.forEach((t, i) => {
    const f = facts[i] as TraceFacts;
    let summarized = false;
    chosen.forEach((c, k) => {
      const v = f.context[k];
      const slice = c && v !== undefined ? c.slices.get(v) : undefined;
      if (slice === undefined) return;
      if (!summarized) sums.summarize(t, f);
      summarized = true;
      sums.add(slice, f);
    });
  });
  for (const c of chosen) {
    if (c) byKey.push({ key: c.key, untagged: c.untagged, distinctValues: c.distinctValues, values: c.top.map(([v, ts]) => sliceStats(v, ts, sums.totals(c.slices.get(v) as number))) });
  }
  const slowThreshold = quantileSorted(sortedCopy(facts.map((f) => f.e2e)), 0.9);
  const contexts = facts.map((f) => f.context);
  const slowLabels = Uint8Array.from(facts, (f) => (traces.length >= 10 && f.e2e >= slowThreshold ? 1 : 0));
  const failedLabels = Uint8Array.from(facts, (f) => (f.failed ? 1 : 0));
  let comparison: Comparison | null = null;
  if (opts.compare) {
    const { key, a, b } = opts.compare;
    const k = SLICE_KEYS.indexOf(key);
    const pick = (v: string) => traces.filter((t) => (k >= 0 ? traceFacts(t).context[k] : sliceValue(t, key)) === v);
    comparison = compareGroups(`${key}=${a}`, pick(a), `${key}=${b}`, pick(b));
  }
  return {
    keys: [...SLICE_KEYS],
    byKey,
    slowSlices: slowSlices(traces),
    separators: {
      slowThresholdUs: slowThreshold,
      slow: separators(traces, contexts, slowLabels),
      failed: separators(traces, contexts, failedLabels),
    },
    comparison,
  };
}

/** The value of any attribute for a trace: on its root span, else the first span carrying it. */
export function sliceValue(trace: Trace, key: string): string | undefined {
  const k = SLICE_KEYS.indexOf(key);
  if (k >= 0) return traceFacts(trace).context[k];
  const f = traceFacts(trace);
  const root = f.roots[0] === undefined ? undefined : trace.spans[f.roots[0]];
  const v = root?.attributes[key] ?? root?.resource[key];
  if (v !== undefined) return String(v);
  for (const s of trace.spans) {
    const w = s.attributes[key] ?? s.resource[key];
    if (w !== undefined) return String(w);
  }
  return undefined;
}
