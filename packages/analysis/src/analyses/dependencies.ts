/**
 * 4. Service dependencies from parent→child span pairs whose services differ (typically the
 * caller's client span → the callee's server span).
 * - calls: such pairs; duration: the caller's client span when the parent is a client span
 *   (what the caller waited, network included), else the child's duration;
 * - errorRate: pairs where either side failed;
 * - criticality = coverage × mean share, where coverage = share of traces using the edge and
 *   mean share = mean over those traces of (call time / end-to-end time). 1.0 means every
 *   request depends on it for all of its latency.
 * Expected edges (configurable) that never occur are flagged missing; ones used by fewer than
 * 90 % of the traces entering at their caller are flagged partial.
 */
import type { Span, Trace } from '../model';
import { DEFAULT_EXPECTED_EDGES, type AnalysisOptions } from './options';
import { distribution } from './stats';
import { isFailure, traceFacts } from './trace-facts';

export interface DependencyEdge {
  from: string;
  to: string;
  calls: number;
  traces: number;
  coverage: number;
  meanUs: number;
  p95Us: number;
  errorRate: number;
  criticality: number;
  expected: boolean;
}

export interface DependenciesResult {
  services: Array<{ name: string; spans: number; traces: number }>;
  edges: DependencyEdge[];
  expected: Array<{ from: string; to: string; status: 'present' | 'partial' | 'missing'; coverage: number }>;
}

export function dependencies(traces: readonly Trace[], opts: AnalysisOptions = {}): DependenciesResult {
  const expectedEdges = opts.expectedEdges ?? DEFAULT_EXPECTED_EDGES;
  const edges = new Map<string, { from: string; to: string; durations: number[]; errors: number; traces: number; shareSum: number }>();
  const services = new Map<string, { spans: number; traces: number }>();
  for (const trace of traces) {
    const f = traceFacts(trace);
    const seenEdges = new Map<string, number>();
    const seenSvc = new Set<string>();
    trace.spans.forEach((s, i) => {
      const sv = services.get(s.service) ?? { spans: 0, traces: 0 };
      sv.spans++;
      if (!seenSvc.has(s.service)) {
        seenSvc.add(s.service);
        sv.traces++;
      }
      services.set(s.service, sv);
      const p = f.parent[i] as number;
      if (p < 0) return;
      const parent = trace.spans[p] as Span;
      if (parent.service === s.service) return;
      const key = `${parent.service}\u0000${s.service}`;
      let e = edges.get(key);
      if (!e) edges.set(key, (e = { from: parent.service, to: s.service, durations: [], errors: 0, traces: 0, shareSum: 0 }));
      const d = parent.kind === 'client' ? parent.duration : s.duration;
      e.durations.push(d);
      if (isFailure(s) || isFailure(parent)) e.errors++;
      seenEdges.set(key, (seenEdges.get(key) ?? 0) + d);
    });
    for (const [key, time] of seenEdges) {
      const e = edges.get(key)!;
      e.traces++;
      e.shareSum += f.e2e > 0 ? Math.min(1, time / f.e2e) : 0;
    }
  }
  const n = traces.length;
  const expectedSet = new Set(expectedEdges.map(([a, b]) => `${a}\u0000${b}`));
  const out: DependencyEdge[] = [...edges.entries()].map(([key, e]) => {
    const dist = distribution(e.durations);
    const coverage = n ? e.traces / n : 0;
    return {
      from: e.from,
      to: e.to,
      calls: e.durations.length,
      traces: e.traces,
      coverage,
      meanUs: dist.mean,
      p95Us: dist.p95,
      errorRate: e.durations.length ? e.errors / e.durations.length : 0,
      criticality: coverage * (e.traces ? e.shareSum / e.traces : 0),
      expected: expectedSet.has(key),
    };
  });
  out.sort((a, b) => b.criticality - a.criticality);
  return {
    services: [...services].map(([name, s]) => ({ name, ...s })).sort((a, b) => b.spans - a.spans),
    edges: out,
    expected: expectedEdges.map(([from, to]) => {
      const e = edges.get(`${from}\u0000${to}`);
      const callerTraces = services.get(from)?.traces ?? 0;
      const coverage = e && callerTraces ? e.traces / callerTraces : 0;
      return { from, to, coverage, status: !e ? 'missing' : coverage < 0.9 ? 'partial' : 'present' };
    }),
  };
}
