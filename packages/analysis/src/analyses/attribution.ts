/**
 * 6. Self time and latency attribution. Self time per span follows Jaeger UI (time not covered
 * by children); we total it per service and per operation. A service's contribution is its
 * critical-path time divided by end-to-end time, summed over traces (Σ cp_s / Σ e2e) and as the
 * mean of the per-trace ratio.
 */
import type { Trace } from '../model';
import { resolvedTopN, type AnalysisOptions } from './options';
import { statsFor } from './op-stats';
import { splitOpKey, traceFacts } from './trace-facts';

export interface SelfTimeResult {
  totalSelfTime: number;
  /** exampleTraceIds: the trace in which one of the service's spans had the most self time. */
  byService: Array<{ service: string; selfTime: number; share: number; spans: number; exampleTraceIds: string[] }>;
  byOperation: Array<{ service: string; operation: string; selfTime: number; share: number; spans: number; meanSelfTime: number }>;
  /** Per service: critical-path time / end-to-end time. */
  contribution: Array<{ service: string; contribution: number; meanTraceContribution: number }>;
}

export function selfTimeSummary(traces: readonly Trace[], opts: AnalysisOptions = {}): SelfTimeResult {
  const stats = statsFor(traces, opts);
  const total = stats.totalSelfTime;
  const cp = new Map<string, { sum: number; ratioSum: number }>();
  let e2eTotal = 0;
  for (const trace of traces) {
    const f = traceFacts(trace);
    e2eTotal += f.e2e;
    f.cpByService.forEach((time, svc) => {
      const c = cp.get(svc) ?? { sum: 0, ratioSum: 0 };
      c.sum += time;
      c.ratioSum += f.e2e > 0 ? time / f.e2e : 0;
      cp.set(svc, c);
    });
  }
  const share = (x: number) => (total > 0 ? x / total : 0);
  return {
    totalSelfTime: total,
    byService: [...stats.byService].map(([service, a]) => ({ service, selfTime: a.selfTime, share: share(a.selfTime), spans: a.spans, exampleTraceIds: [a.exampleTraceId] })).sort((a, b) => b.selfTime - a.selfTime),
    byOperation: [...stats.byOp]
      .map(([k, o]) => ({ ...splitOpKey(k), selfTime: o.selfTime, share: share(o.selfTime), spans: o.durations.length, meanSelfTime: o.selfTime / o.durations.length }))
      .sort((a, b) => b.selfTime - a.selfTime)
      .slice(0, Math.max(resolvedTopN(opts), 1)),
    contribution: [...cp]
      .map(([service, c]) => ({ service, contribution: e2eTotal > 0 ? c.sum / e2eTotal : 0, meanTraceContribution: traces.length ? c.ratioSum / traces.length : 0 }))
      .sort((a, b) => b.contribution - a.contribution),
  };
}
