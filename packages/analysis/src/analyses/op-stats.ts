/**
 * Per-operation and per-service span statistics that performance, bottlenecks and self-time
 * all need: one pass over the spans, memoized per traces array so `analyze()` pays for it once.
 */
import type { Span, Trace } from '../model';
import { Samples } from './stats';
import { failsTrace, isEntry, opKey, traceFacts } from './trace-facts';

export interface OpStats {
  /** Durations of every span of the operation, sorted ascending (µs). */
  durations: Float64Array;
  errors: number;
  selfTime: number;
  /** The trace holding the operation's span with the most self time (an example to open). */
  exampleTraceId: string;
}

export interface SpanStats {
  byOp: Map<string, OpStats>;
  /** Spans through which each service is entered (see isEntry), sorted durations and errors. */
  byServiceEntry: Map<string, { durations: Float64Array; errors: number }>;
  byService: Map<string, { spans: number; selfTime: number }>;
  totalSelfTime: number;
  spanCount: number;
}

const memo = new WeakMap<readonly Trace[], { length: number; stats: SpanStats }>();

/** An operation's (or service entry's) durations with its error and self-time sums. */
class Growable extends Samples {
  errors = 0;
  self = 0;
  maxSelf = -1;
  exampleTraceId = '';
}

export function spanStats(traces: readonly Trace[]): SpanStats {
  const hit = memo.get(traces);
  // The length guards against an array that grew or shrank since (the traces themselves are not copied).
  if (hit && hit.length === traces.length) return hit.stats;
  const stats = compute(traces);
  memo.set(traces, { length: traces.length, stats });
  return stats;
}

function compute(traces: readonly Trace[]): SpanStats {
  // By service, then by operation name: no key string is built per span.
  const ops = new Map<string, Map<string, Growable>>();
  const entries = new Map<string, Growable>();
  const services = new Map<string, { spans: number; selfTime: number }>();
  let total = 0;
  let spanCount = 0;
  for (const trace of traces) {
    const f = traceFacts(trace);
    const spans = trace.spans;
    spanCount += spans.length;
    for (let i = 0; i < spans.length; i++) {
      const sp = spans[i] as Span;
      const err = failsTrace(f, sp) ? 1 : 0;
      const self = f.selfTime[i] as number;
      total += self;
      let byName = ops.get(sp.service);
      if (!byName) ops.set(sp.service, (byName = new Map()));
      let o = byName.get(sp.name);
      if (!o) byName.set(sp.name, (o = new Growable()));
      o.push(sp.duration);
      o.errors += err;
      o.self += self;
      if (self > o.maxSelf) {
        o.maxSelf = self;
        o.exampleTraceId = trace.traceId;
      }
      let svc = services.get(sp.service);
      if (!svc) services.set(sp.service, (svc = { spans: 0, selfTime: 0 }));
      svc.spans++;
      svc.selfTime += self;
      if (isEntry(spans, f.parent, i)) {
        let e = entries.get(sp.service);
        if (!e) entries.set(sp.service, (e = new Growable()));
        e.push(sp.duration);
        e.errors += err;
      }
    }
  }
  return {
    byOp: new Map([...ops].flatMap(([service, byName]) => [...byName].map(([name, g]) => [opKey(service, name), { durations: g.sorted(), errors: g.errors, selfTime: g.self, exampleTraceId: g.exampleTraceId }] as const))),
    byServiceEntry: new Map([...entries].map(([k, g]) => [k, { durations: g.sorted(), errors: g.errors }])),
    byService: services,
    totalSelfTime: total,
    spanCount,
  };
}
