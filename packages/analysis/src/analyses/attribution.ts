/**
 * 6. Self time and latency attribution. Self time per span follows Jaeger UI (time not covered
 * by children); we total it per service and per operation. A service's contribution is its
 * critical-path time divided by end-to-end time, summed over traces (Σ cp_s / Σ e2e) and as the
 * mean of the per-trace ratio.
 */
import type { Trace } from '../model';
import { resolvedTopN, type AnalysisOptions } from './options';
import { opKey, splitOpKey, traceFacts } from './trace-facts';

export interface SelfTimeResult {
  totalSelfTime: number;
  byService: Array<{ service: string; selfTime: number; share: number; spans: number }>;
  byOperation: Array<{ service: string; operation: string; selfTime: number; share: number; spans: number; meanSelfTime: number }>;
  /** Per service: critical-path time / end-to-end time. */
  contribution: Array<{ service: string; contribution: number; meanTraceContribution: number }>;
}

export function selfTimeSummary(traces: readonly Trace[], opts: AnalysisOptions = {}): SelfTimeResult {
  const bySvc = new Map<string, { t: number; n: number }>();
  const byOp = new Map<string, { t: number; n: number }>();
  const cp = new Map<string, { sum: number; ratioSum: number }>();
  let total = 0;
  let e2eTotal = 0;
  for (const trace of traces) {
    const f = traceFacts(trace);
    trace.spans.forEach((s, i) => {
      const self = f.selfTime[i] as number;
      total += self;
      const a = bySvc.get(s.service) ?? { t: 0, n: 0 };
      a.t += self;
      a.n++;
      bySvc.set(s.service, a);
      const k = opKey(s.service, s.name);
      const b = byOp.get(k) ?? { t: 0, n: 0 };
      b.t += self;
      b.n++;
      byOp.set(k, b);
    });
    e2eTotal += f.e2e;
    for (const [svc, time] of f.cpByService) {
      const c = cp.get(svc) ?? { sum: 0, ratioSum: 0 };
      c.sum += time;
      c.ratioSum += f.e2e > 0 ? time / f.e2e : 0;
      cp.set(svc, c);
    }
  }
  const share = (x: number) => (total > 0 ? x / total : 0);
  return {
    totalSelfTime: total,
    byService: [...bySvc].map(([service, a]) => ({ service, selfTime: a.t, share: share(a.t), spans: a.n })).sort((a, b) => b.selfTime - a.selfTime),
    byOperation: [...byOp]
      .map(([k, a]) => ({ ...splitOpKey(k), selfTime: a.t, share: share(a.t), spans: a.n, meanSelfTime: a.t / a.n }))
      .sort((a, b) => b.selfTime - a.selfTime)
      .slice(0, Math.max(resolvedTopN(opts), 1)),
    contribution: [...cp]
      .map(([service, c]) => ({ service, contribution: e2eTotal > 0 ? c.sum / e2eTotal : 0, meanTraceContribution: traces.length ? c.ratioSum / traces.length : 0 }))
      .sort((a, b) => b.contribution - a.contribution),
  };
}
