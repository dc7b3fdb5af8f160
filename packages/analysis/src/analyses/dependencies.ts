/**
 * 4. Service dependencies from parent→child span pairs whose services differ (typically the
 * caller's client span → the callee's server span).
 * - calls: such pairs; duration: the caller's client span when the parent is a client span
 *   (what the caller waited, network included), else the child's duration;
 * - calls the callee never answered (a client span without a server child: connection refused,
 *   the service down or untraced) count for the service the client span names (peers.ts:
 *   peer.service, else server.address:server.port matched to the services' own server spans);
 *   `unanswered` counts them;
 * - errorRate: calls where either side failed (in traces not rejected);
 * - criticality = coverage × mean share, where coverage = share of traces using the edge and
 *   mean share = mean over those traces of (call time / end-to-end time). 1.0 means every
 *   request depends on it for all of its latency.
 * - databases and message brokers are nodes too (backends.ts): a span naming a database
 *   (db.system.name / db.system) with no child in another service, or a producer naming a
 *   messaging system, is a call from its service to that backend, failed calls included;
 * Expected edges (configurable, see expected-edges.ts) that never occur are flagged missing; ones
 * present in fewer than 90 % of the traces they apply to (accepted requests the caller took part
 * in; for 'called' edges only those where the caller called the callee) are flagged partial.
 */
import type { Span, Trace } from '../model';
import { edgeRules, edgeUse } from './expected-edges';
import type { AnalysisOptions } from './options';
import { calleesOf, peersFor } from './peers';
import { distribution } from './stats';
import { backendOf, type Backend, type NodeKind } from './backends';
import { failsTrace, isFailure, opKey, traceFacts } from './trace-facts';

/** Per span: whether one of its children is in another service (a call its callee answered with spans). */
function foreignParents(spans: readonly Span[], parent: readonly number[]): boolean[] {
  const out = new Array<boolean>(spans.length).fill(false);
  for (let i = 0; i < spans.length; i++) {
    const p = parent[i] as number;
    if (p >= 0 && (spans[p] as Span).service !== (spans[i] as Span).service) out[p] = true;
  }
  return out;
}

export interface DependencyEdge {
  from: string;
  to: string;
  /** What the callee is: a traced service, or a database or broker named by the caller's span. */
  kind: NodeKind;
  calls: number;
  /** Calls with no span from the callee (attributed by the client span's peer attributes). */
  unanswered: number;
  traces: number;
  coverage: number;
  meanUs: number;
  p95Us: number;
  errorRate: number;
  criticality: number;
  expected: boolean;
  /** The trace of the edge's longest call, then the first trace with a failed call on it (when another one). */
  exampleTraceIds: string[];
}

export interface DependenciesResult {
  services: Array<{ name: string; spans: number; traces: number }>;
  /** Databases and brokers the services call (no spans of their own). */
  backends: Array<{ name: string; kind: Exclude<NodeKind, 'service'>; system: string; calls: number; errors: number; traces: number }>;
  edges: DependencyEdge[];
  /** coverage = traces the edge applies to that show it / traces it applies to (applies). */
  expected: Array<{ from: string; to: string; mode: 'always' | 'called'; applies: number; status: 'present' | 'partial' | 'missing'; coverage: number }>;
}

/** One edge's calls; seenIn/time: the last trace that used it and its call time there. */
interface EdgeSums {
  from: string;
  to: string;
  kind: NodeKind;
  durations: number[];
  errors: number;
  unanswered: number;
  traces: number;
  shareSum: number;
  seenIn: number;
  time: number;
  longest: number;
  slowestTraceId: string;
  failedTraceId: string | undefined;
}

export function dependencies(traces: readonly Trace[], opts: AnalysisOptions = {}): DependenciesResult {
  const rules = edgeRules(traces, opts);
  const applied = rules.map(() => ({ applies: 0, present: 0 }));
  const peers = peersFor(traces, opts);
  const edges = new Map<string, EdgeSums>();
  const services = new Map<string, { spans: number; traces: number; seenIn: number }>();
  const backends = new Map<string, Backend & { calls: number; errors: number; traces: number; seenIn: number }>();
  // Per trace, the edges it uses (with their summed call time) and the services it touches are
  // marked with the trace's number instead of being collected in a Map and a Set per trace.
  let traceNo = 0;
  const used: EdgeSums[] = [];
  for (const trace of traces) {
    const f = traceFacts(trace);
    const t = ++traceNo;
    used.length = 0;
    const addCall = (from: string, to: string, d: number, failed: boolean, answered: boolean, kind: NodeKind = 'service') => {
      const key = opKey(from, to); // the same "from\u0000to" string, built once per pair
      let e = edges.get(key);
      if (!e) edges.set(key, (e = { from, to, kind, durations: [], errors: 0, unanswered: 0, traces: 0, shareSum: 0, seenIn: 0, time: 0, longest: -Infinity, slowestTraceId: '', failedTraceId: undefined }));
      e.durations.push(d);
      if (d > e.longest) {
        e.longest = d;
        e.slowestTraceId = trace.traceId;
      }
      if (failed) {
        e.errors++;
        e.failedTraceId ??= trace.traceId;
      }
      if (!answered) e.unanswered++;
      if (e.seenIn !== t) {
        e.seenIn = t;
        e.time = d;
        used.push(e);
      } else e.time += d;
    };
    calleesOf(trace, peers).forEach((service, answered, i) => {
      const s = trace.spans[i] as Span;
      if (!answered) addCall(s.service, service, s.duration, failsTrace(f, s), false);
    });
    const hasForeignChild = foreignParents(trace.spans, f.parent);
    trace.spans.forEach((s, i) => {
      const backend = hasForeignChild[i] && s.kind !== 'producer' ? undefined : backendOf(s);
      if (backend) {
        addCall(s.service, backend.name, s.duration, failsTrace(f, s), true, backend.kind);
        let b = backends.get(backend.name);
        if (!b) backends.set(backend.name, (b = { ...backend, calls: 0, errors: 0, traces: 0, seenIn: 0 }));
        b.calls++;
        if (isFailure(s)) b.errors++;
        if (b.seenIn !== t) {
          b.seenIn = t;
          b.traces++;
        }
      }
      let sv = services.get(s.service);
      if (!sv) services.set(s.service, (sv = { spans: 0, traces: 0, seenIn: 0 }));
      sv.spans++;
      if (sv.seenIn !== t) {
        sv.seenIn = t;
        sv.traces++;
      }
      const p = f.parent[i] as number;
      if (p < 0) return;
      const parent = trace.spans[p] as Span;
      if (parent.service === s.service) return;
      addCall(parent.service, s.service, parent.kind === 'client' ? parent.duration : s.duration, failsTrace(f, s) || failsTrace(f, parent), true);
    });
    edgeUse(trace, rules, peers).forEach((u, r) => {
      const a = applied[r] as { applies: number; present: number };
      if (u.applies) a.applies++;
      if (u.present) a.present++;
    });
    for (const e of used) {
      e.traces++;
      e.shareSum += f.e2e > 0 ? Math.min(1, e.time / f.e2e) : 0;
    }
  }
  const n = traces.length;
  const expectedSet = new Set(rules.map((r) => `${r.from}\u0000${r.to}`));
  const out: DependencyEdge[] = [...edges.entries()].map(([key, e]) => {
    const dist = distribution(e.durations);
    const coverage = n ? e.traces / n : 0;
    return {
      from: e.from,
      to: e.to,
      kind: e.kind,
      calls: e.durations.length,
      unanswered: e.unanswered,
      traces: e.traces,
      coverage,
      meanUs: dist.mean,
      p95Us: dist.p95,
      errorRate: e.durations.length ? e.errors / e.durations.length : 0,
      criticality: coverage * (e.traces ? e.shareSum / e.traces : 0),
      expected: expectedSet.has(key),
      exampleTraceIds: e.failedTraceId === undefined || e.failedTraceId === e.slowestTraceId ? [e.slowestTraceId] : [e.slowestTraceId, e.failedTraceId],
    };
  });
  out.sort((a, b) => b.criticality - a.criticality);
  return {
    services: [...services].map(([name, s]) => ({ name, spans: s.spans, traces: s.traces })).sort((a, b) => b.spans - a.spans),
    backends: [...backends.values()].map(({ seenIn: _s, ...b }) => b).sort((a, b) => b.calls - a.calls),
    edges: out,
    expected: rules.map(({ from, to, mode }, r) => {
      const e = edges.get(`${from}\u0000${to}`);
      const a = applied[r] as { applies: number; present: number };
      const coverage = a.applies ? a.present / a.applies : e ? 1 : 0;
      return { from, to, mode, applies: a.applies, coverage, status: !e ? 'missing' : coverage < 0.9 ? 'partial' : 'present' };
    }),
  };
}
