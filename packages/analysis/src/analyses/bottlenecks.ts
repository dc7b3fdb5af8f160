/**
 * 2. Bottlenecks, ranked by a documented score:
 *   score(op)  = count × mean self time = total self time of the operation (µs)
 *   share(op)  = score(op) / Σ score (the fraction of all self time in the traces spent in op)
 *   optimizationPotential(op) = (p95 − p50 of its duration) × count (µs): the time that would be
 *   saved if the slow tail ran at the median, a measure of variability rather than of size.
 * Self time is what a span spends not covered by its children (Jaeger UI semantics), so a parent
 * waiting on a slow child is not itself blamed.
 */
import type { Trace } from '../model';
import { resolvedTopN, type AnalysisOptions } from './options';
import { statsFor } from './op-stats';
import { mean, quantileSorted } from './stats';
import { splitOpKey } from './trace-facts';

export interface Bottleneck {
  service: string;
  operation: string;
  count: number;
  /** Duration statistics (µs). */
  mean: number;
  p50: number;
  p95: number;
  selfTimeTotal: number;
  selfTimeMean: number;
  /** = selfTimeTotal. */
  score: number;
  share: number;
  optimizationPotential: number;
  /** The trace holding the operation's span with the most self time. */
  exampleTraceId: string;
}

export interface BottlenecksResult {
  scoreDefinition: string;
  totalSelfTime: number;
  ranked: Bottleneck[];
}

export function bottlenecks(traces: readonly Trace[], opts: AnalysisOptions = {}): BottlenecksResult {
  const stats = statsFor(traces, opts);
  const total = stats.totalSelfTime;
  const ranked: Bottleneck[] = [...stats.byOp].map(([k, o]) => {
    const sorted = o.durations;
    const p50 = quantileSorted(sorted, 0.5);
    const p95 = quantileSorted(sorted, 0.95);
    const count = sorted.length;
    return {
      ...splitOpKey(k),
      count,
      mean: mean(sorted),
      p50,
      p95,
      selfTimeTotal: o.selfTime,
      selfTimeMean: o.selfTime / count,
      score: o.selfTime,
      share: total > 0 ? o.selfTime / total : 0,
      optimizationPotential: (p95 - p50) * count,
      exampleTraceId: o.exampleTraceId,
    };
  });
  ranked.sort((a, b) => b.score - a.score || b.count - a.count);
  return {
    scoreDefinition: 'score = count × mean self time = total self time (µs); share = score / total self time; optimizationPotential = (p95 − p50) × count (µs)',
    totalSelfTime: total,
    ranked: ranked.slice(0, Math.max(resolvedTopN(opts), 1)),
  };
}
