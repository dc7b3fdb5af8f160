/**
 * Per-operation and per-service span statistics that performance, bottlenecks, errors and self
 * time all need: one pass over the spans. `analyze()` computes them once and passes them in
 * `AnalysisOptions.spanStats`; an analysis called on its own computes them (statsFor).
 */
import type { Span, Trace } from '../model';
import type { AnalysisOptions } from './options';
import { Samples } from './stats';
import { failsTrace, isEntry, opKey, traceFacts } from './trace-facts';

export interface OpStats {
  /** Durations of every span of the operation, sorted ascending (µs). */
  durations: Float64Array;
  errors: number;
  selfTime: number;
  /** The trace holding the operation's span with the most self time (an example to open). */
  exampleTraceId: string;
  /** The trace holding the operation's longest span. */
  slowestTraceId: string;
}

export interface SpanStats {
  byOp: Map<string, OpStats>;
  /** Spans through which each service is entered (see isEntry), sorted durations and errors; the trace of the longest. */
  byServiceEntry: Map<string, { durations: Float64Array; errors: number; slowestTraceId: string }>;
  /** Spans and self time per service; the trace in which the service spent the most self time in one span. */
  byService: Map<string, ServiceSelfTime>;
  totalSelfTime: number;
  spanCount: number;
}

export interface ServiceSelfTime {
  spans: number;
  selfTime: number;
  maxSelf: number;
  exampleTraceId: string;
}

/** An operation's (or service entry's) durations with its error and self-time sums and example traces. */
class Growable extends Samples {
  errors = 0;
  self = 0;
  maxSelf = -1;
  exampleTraceId = '';
  maxDuration = -Infinity;
  slowestTraceId = '';

  /** Adds one span of `traceId`. */
  addSpan(traceId: string, duration: number, error: number, self: number): void {
    this.push(duration);
    this.errors += error;
    this.self += self;
    if (self > this.maxSelf) {
      this.maxSelf = self;
      this.exampleTraceId = traceId;
    }
    if (duration > this.maxDuration) {
      this.maxDuration = duration;
      this.slowestTraceId = traceId;
    }
  }
}

/** The statistics analyze() shared in the options, else those of these traces. */
export function statsFor(traces: readonly Trace[], opts: AnalysisOptions): SpanStats {
  return opts.spanStats ?? spanStats(traces);
}

export function spanStats(traces: readonly Trace[]): SpanStats {
  // By service, then by operation name: no key string is built per span.
  const ops = new Map<string, Map<string, Growable>>();
  const entries = new Map<string, Growable>();
  const services = new Map<string, ServiceSelfTime>();
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
      o.addSpan(trace.traceId, sp.duration, err, self);
      let svc = services.get(sp.service);
      if (!svc) services.set(sp.service, (svc = { spans: 0, selfTime: 0, maxSelf: -1, exampleTraceId: '' }));
      svc.spans++;
      svc.selfTime += self;
      if (self > svc.maxSelf) {
        svc.maxSelf = self;
        svc.exampleTraceId = trace.traceId;
      }
      if (isEntry(spans, f.parent, i)) {
        let e = entries.get(sp.service);
        if (!e) entries.set(sp.service, (e = new Growable()));
        e.addSpan(trace.traceId, sp.duration, err, 0);
      }
    }
  }
  return {
    byOp: new Map([...ops].flatMap(([service, byName]) => [...byName].map(([name, g]) => [opKey(service, name), { durations: g.sorted(), errors: g.errors, selfTime: g.self, exampleTraceId: g.exampleTraceId, slowestTraceId: g.slowestTraceId }] as const))),
    byServiceEntry: new Map([...entries].map(([k, g]) => [k, { durations: g.sorted(), errors: g.errors, slowestTraceId: g.slowestTraceId }])),
    byService: services,
    totalSelfTime: total,
    spanCount,
  };
}
