/**
 * 1. Performance: end-to-end latency distribution, throughput (requests: traces rooted at a
 * server/consumer span) per time bucket with its variability, success rate; the same per service (latency of the spans through which the
 * service is entered) and per operation (every span of that service+name).
 */
import { ATTR_MLTRACE_SAMPLING_PROBABILITY } from '@mltrace/tracing/attributes';
import type { Span, Trace } from '../model';
import { statsFor } from './op-stats';
import { bucketWidthUs, resolvedTopN, type AnalysisOptions } from './options';
import { cv, distribution, distributionOfSorted, histogram, mean, quantile, type Distribution, type Histogram } from './stats';
import { splitOpKey, traceFacts } from './trace-facts';

const SAMPLING_PROBABILITY: string = ATTR_MLTRACE_SAMPLING_PROBABILITY;

export interface ThroughputSeries {
  bucketMs: number;
  /** Bucket start times (µs since epoch) and requests started in each. */
  starts: number[];
  counts: number[];
  /** Requests per second over the whole window. */
  meanRate: number;
  peakRate: number;
  /** Coefficient of variation of per-bucket counts (first and last, partial, buckets excluded when there are ≥ 4). */
  cv: number;
  /**
   * Sampling-corrected estimate: each request weighted by 1/p, p its root span's
   * `mltrace.sampling.probability` (1 when absent). Equal to the raw figures when nothing was sampled.
   */
  estimated: { requests: number; counts: number[]; meanRate: number; peakRate: number; weighted: number };
}

export interface GroupPerformance {
  count: number;
  errors: number;
  errorRate: number;
  latency: Distribution;
}

/** Below this many requests, percentiles and rates are rough and the report says so. */
export const SMALL_SAMPLE = 30;

export interface PerformanceResult {
  traces: number;
  /** Set when there are fewer than SMALL_SAMPLE requests: p95/p99 and rates from a handful of traces are rough. */
  sampleNote?: string;
  spans: number;
  window: { start: number; end: number };
  /** µs */
  latency: Distribution;
  histogram: Histogram;
  /** 1 − failed / traces: rejected requests (4xx) are not failures. */
  successRate: number;
  failedTraces: number;
  /** Requests refused as the caller's mistake (root answered 4xx), reported apart from failures. */
  rejectedTraces: number;
  rejectionRate: number;
  throughput: ThroughputSeries;
  /** End-to-end latency percentiles of the requests started in each throughput bucket (NaN, written null, where none started). */
  latencyOverTime: { bucketMs: number; starts: number[]; p50: number[]; p95: number[]; p99: number[] };
  /** exampleTraceIds: the trace of the longest span entering the service / of the operation. */
  byService: Array<{ service: string; exampleTraceIds: string[] } & GroupPerformance>;
  byOperation: Array<{ service: string; operation: string; exampleTraceIds: string[] } & GroupPerformance>;
}

/** Requests started per bucket; shared with errors/capacity. */
export function throughputSeries(startTimes: ArrayLike<number>, opts: AnalysisOptions, weights?: ArrayLike<number>): ThroughputSeries {
  const n = startTimes.length;
  if (n === 0) return { bucketMs: opts.bucketMs ?? 1000, starts: [], counts: [], meanRate: 0, peakRate: 0, cv: 0, estimated: { requests: 0, counts: [], meanRate: 0, peakRate: 0, weighted: 0 } };
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = startTimes[i] as number;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const width = bucketWidthUs(opts, hi - lo);
  const buckets = Math.floor((hi - lo) / width) + 1;
  const counts = new Array<number>(buckets).fill(0);
  const est = new Array<number>(buckets).fill(0);
  let requests = 0;
  let weighted = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(((startTimes[i] as number) - lo) / width);
    counts[b] = (counts[b] as number) + 1;
    const w = weights ? (weights[i] as number) : 1;
    if (w !== 1) weighted++;
    est[b] = (est[b] as number) + w;
    requests += w;
  }
  const starts = counts.map((_, i) => lo + i * width);
  const inner = counts.length >= 4 ? counts.slice(1, -1) : counts;
  const innerEst = est.length >= 4 ? est.slice(1, -1) : est;
  const perSecond = 1e6 / width;
  return {
    estimated: { requests, counts: est, meanRate: mean(innerEst) * perSecond, peakRate: Math.max(...innerEst) * perSecond, weighted },
    bucketMs: width / 1000,
    starts,
    counts,
    meanRate: mean(inner) * perSecond,
    peakRate: Math.max(...inner) * perSecond,
    cv: cv(inner),
  };
}

/** 1/p for a root span sampled with probability p (`mltrace.sampling.probability`), else 1. */
export function samplingWeight(root: Span | undefined): number {
  const p = root?.attributes[SAMPLING_PROBABILITY];
  const x = typeof p === 'number' ? p : typeof p === 'string' ? Number(p) : NaN;
  return x > 0 && x <= 1 ? 1 / x : 1;
}

/** Latency percentiles per throughput bucket, of the traces whose start falls in it. */
function latencyOverTime(series: ThroughputSeries, starts: Float64Array, e2e: Float64Array): PerformanceResult['latencyOverTime'] {
  const width = series.bucketMs * 1000;
  const origin = series.starts[0] ?? 0;
  const perBucket: number[][] = series.starts.map(() => []);
  for (let i = 0; i < starts.length; i++) {
    const b = Math.floor(((starts[i] as number) - origin) / width);
    if (b >= 0 && b < perBucket.length) (perBucket[b] as number[]).push(e2e[i] as number);
  }
  const at = (q: number) => perBucket.map((v) => (v.length ? quantile(v, q) : NaN));
  return { bucketMs: series.bucketMs, starts: series.starts, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

export function performance(traces: readonly Trace[], opts: AnalysisOptions = {}): PerformanceResult {
  const e2e = new Float64Array(traces.length);
  const starts = new Float64Array(traces.length);
  // Throughput counts requests: traces rooted at a server or consumer span. Background traces
  // (a model loaded at start-up, a seeding script) would otherwise stretch the window with empty
  // buckets. Without any request trace (hand-made data), every trace counts.
  const requestStarts: number[] = [];
  const requestWeights: number[] = [];
  const allWeights = new Float64Array(traces.length);
  let failed = 0;
  let rejected = 0;
  let wStart = Infinity;
  let wEnd = -Infinity;
  traces.forEach((trace, t) => {
    const f = traceFacts(trace);
    e2e[t] = f.e2e;
    starts[t] = f.start;
    const root = f.roots[0] === undefined ? undefined : trace.spans[f.roots[0]];
    allWeights[t] = samplingWeight(root);
    if (root && (root.kind === 'server' || root.kind === 'consumer')) {
      requestStarts.push(f.start);
      requestWeights.push(allWeights[t] as number);
    }
    if (f.failed) failed++;
    if (f.rejected) rejected++;
    if (f.start < wStart) wStart = f.start;
    if (f.end > wEnd) wEnd = f.end;
  });
  const stats = statsFor(traces, opts);
  const throughput = requestStarts.length ? throughputSeries(requestStarts, opts, requestWeights) : throughputSeries(starts, opts, allWeights);
  const group = (g: { durations: Float64Array; errors: number; slowestTraceId: string }): GroupPerformance & { exampleTraceIds: string[] } => ({
    count: g.durations.length,
    errors: g.errors,
    errorRate: g.durations.length ? g.errors / g.durations.length : 0,
    latency: distributionOfSorted(g.durations),
    exampleTraceIds: [g.slowestTraceId],
  });
  return {
    traces: traces.length,
    ...(traces.length < SMALL_SAMPLE ? { sampleNote: `small sample: ${traces.length} request${traces.length === 1 ? '' : 's'} (fewer than ${SMALL_SAMPLE}); percentiles and rates are rough` } : {}),
    spans: stats.spanCount,
    window: { start: traces.length ? wStart : 0, end: traces.length ? wEnd : 0 },
    latency: distribution(e2e),
    histogram: histogram(e2e, 24),
    successRate: traces.length ? 1 - failed / traces.length : 1,
    failedTraces: failed,
    rejectedTraces: rejected,
    rejectionRate: traces.length ? rejected / traces.length : 0,
    throughput,
    latencyOverTime: latencyOverTime(throughput, starts, e2e),
    byService: [...stats.byServiceEntry].map(([service, g]) => ({ service, ...group(g) })).sort((a, b) => b.count - a.count),
    byOperation: [...stats.byOp]
      .map(([k, g]) => ({ ...splitOpKey(k), ...group(g) }))
      .sort((a, b) => b.latency.mean * b.count - a.latency.mean * a.count)
      .slice(0, Math.max(resolvedTopN(opts), 1)),
  };
}
