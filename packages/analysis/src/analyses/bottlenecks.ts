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
import { mean, quantileSorted, sortedCopy } from './stats';
import { opKey, splitOpKey, traceFacts } from './trace-facts';

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
}

export interface BottlenecksResult {
  scoreDefinition: string;
  totalSelfTime: number;
  ranked: Bottleneck[];
}

export function bottlenecks(traces: readonly Trace[], opts: AnalysisOptions = {}): BottlenecksResult {
  const acc = new Map<string, { durations: number[]; self: number }>();
  let total = 0;
  for (const trace of traces) {
    const f = traceFacts(trace);
    trace.spans.forEach((s, i) => {
      const k = opKey(s.service, s.name);
      let a = acc.get(k);
      if (!a) acc.set(k, (a = { durations: [], self: 0 }));
      a.durations.push(s.duration);
      const self = f.selfTime[i] as number;
      a.self += self;
      total += self;
    });
  }
  const ranked: Bottleneck[] = [...acc].map(([k, a]) => {
    const sorted = sortedCopy(a.durations);
    const p50 = quantileSorted(sorted, 0.5);
    const p95 = quantileSorted(sorted, 0.95);
    const count = sorted.length;
    return {
      ...splitOpKey(k),
      count,
      mean: mean(sorted),
      p50,
      p95,
      selfTimeTotal: a.self,
      selfTimeMean: a.self / count,
      score: a.self,
      share: total > 0 ? a.self / total : 0,
      optimizationPotential: (p95 - p50) * count,
    };
  });
  ranked.sort((a, b) => b.score - a.score || b.count - a.count);
  return {
    scoreDefinition: 'score = count × mean self time = total self time (µs); share = score / total self time; optimizationPotential = (p95 − p50) × count (µs)',
    totalSelfTime: total,
    ranked: ranked.slice(0, Math.max(resolvedTopN(opts), 1)),
  };
}
