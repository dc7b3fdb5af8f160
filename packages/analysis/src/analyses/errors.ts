/**
 * 3. Errors. A failure is a span with error status that is not a 4xx answer (see isFailure), in
 * a trace that was not rejected. A **rejected** trace is a request the entry service refused as
 * the caller's mistake (its root answered 4xx: validation, unknown entity, unknown model): it is
 * reported apart (rejectedTraces, rejectionsByType, type = the root's error type) and never
 * counts as a failure, so error origins name failures of the pipeline only.
 * - by type (error.type, else the first exception event's exception.type, else "HTTP <status>",
 *   else the status message, else "unknown"), by service and by operation;
 * - propagation: in each failed trace the deepest failing span is the likely origin (ties: the
 *   one that ended first), and the chain is the failing spans from it up to the root;
 * - co-occurrence: pairs of services that both fail in the same trace;
 * - timeline: failed traces per time bucket.
 */
import { ATTR_ERROR_TYPE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { isError, type Span, type Trace } from '../model';
import { statsFor } from './op-stats';
import { resolvedTopN, type AnalysisOptions } from './options';
import { calleesOf, peersFor } from './peers';
import { throughputSeries } from './performance';
import { depthOf, failsTrace, httpStatus, isFailure, opKey, splitOpKey, traceFacts } from './trace-facts';

export interface ErrorsResult {
  failedTraces: number;
  totalTraces: number;
  errorRate: number;
  /** Requests refused with a 4xx at the entry (not failures). */
  rejectedTraces: number;
  rejectionRate: number;
  /** exampleTraceIds (here and below): the first traces of the row (at most ROW_EXAMPLES). */
  rejectionsByType: Array<{ type: string; count: number; exampleTraceIds: string[] }>;
  errorSpans: number;
  byType: Array<{ type: string; count: number; exampleTraceIds: string[] }>;
  byService: Array<{ service: string; count: number; spans: number; rate: number; exampleTraceIds: string[] }>;
  byOperation: Array<{ service: string; operation: string; count: number; spans: number; rate: number }>;
  /** Where failed traces started failing, ranked by the number of failed traces. */
  /**
   * `unansweredCallee`: the origin is a client call its callee never answered (no server span:
   * the service down or unreachable), and this is the service it called (peers.ts).
   */
  /**
   * `gaveUpBy`: the failing span ("service: operation") that gave up waiting on this one (a proxy's
   * 504 after its callee used the whole budget): the origin is then the deepest span that consumed
   * the budget, though its own status may be OK.
   */
  origins: Array<{
    service: string;
    operation: string;
    type: string;
    traces: number;
    share: number;
    exampleTraceId: string;
    exampleTraceIds: string[];
    exampleSpanId: string;
    exampleChain: string[];
    unansweredCallee?: string;
    gaveUpBy?: string;
  }>;
  /**
   * Errors the requests survived: failing spans (not 4xx) in requests whose entry span succeeded
   * (a retried call, a fallback). They do not make the request failed.
   */
  handled: {
    traces: number;
    spans: number;
    byOperation: Array<{ service: string; operation: string; type: string; spans: number; traces: number; exampleTraceId: string; exampleSpanId: string }>;
  };
  coOccurrence: Array<{ a: string; b: string; traces: number; exampleTraceIds: string[] }>;
  timeline: { bucketMs: number; starts: number[]; failed: number[]; total: number[] };
}

export function errorType(span: Span): string {
  const t = span.attributes[ATTR_ERROR_TYPE];
  if (t !== undefined && t !== '') return String(t);
  for (const e of span.events) {
    const x = e.attributes[ATTR_EXCEPTION_TYPE];
    if (e.name === 'exception' && x !== undefined) return String(x);
  }
  const status = httpStatus(span);
  if (status !== undefined && status >= 400) return `HTTP ${status}`;
  return span.statusMessage ? span.statusMessage.slice(0, 80) : 'unknown';
}

/** Why a request was rejected: the root's error type, else the first erroring span's. */
function rejectionType(trace: Trace, roots: readonly number[]): string {
  const root = roots[0] === undefined ? undefined : trace.spans[roots[0]];
  if (root && (root.attributes[ATTR_ERROR_TYPE] !== undefined || root.events.length)) return errorType(root);
  const marked = trace.spans.find(isError);
  return errorType(marked ?? (root as Span));
}

/** Example trace ids kept per origin. */
const MAX_EXAMPLES = 5;
/** Example trace ids kept per row of the by-type, by-service, rejection and co-occurrence tables. */
export const ROW_EXAMPLES = 2;
/** A descendant that ran for at least this share of an erring span's duration consumed its budget. */
export const BUDGET_SHARE = 0.9;
/**
 * A child that ended this close to its parent's end (µs, or this share of the erring span's
 * duration if larger) was what the parent was still waiting on when it ended.
 */
export const WAITED_ON_TOLERANCE_US = 1000;
export const WAITED_ON_SHARE = 0.01;
const TIMEOUT_TYPE = /timeout|timed out|deadline|ETIMEDOUT|\b504\b|\b408\b|abort/i;

/**
 * Where a failure really started when span i erred because something below it did not finish in
 * time (a proxy's 504 while its callee, status OK, used the whole budget; a gateway's dependency
 * timeout while the feature store still waited on Redis): following, from span i, the child it was
 * waiting on (the one that ended last, if it ended with its parent or ran for ≥ BUDGET_SHARE of the
 * budget), the deepest such descendant. It applies when span i's error is a timeout, or when that
 * descendant was still running after span i ended; otherwise the origin is span i itself.
 */
export function budgetConsumer(trace: Trace, parent: readonly number[], i: number): number {
  const spans = trace.spans;
  const failing = spans[i] as Span;
  const endOf = (k: number) => (spans[k] as Span).start + (spans[k] as Span).duration;
  const tolerance = Math.max(WAITED_ON_TOLERANCE_US, WAITED_ON_SHARE * failing.duration);
  let cur = i;
  let stillRunning = false;
  for (let depth = 0; depth < spans.length; depth++) {
    let last = -1;
    for (let c = 0; c < spans.length; c++) if (parent[c] === cur && (last < 0 || endOf(c) > endOf(last))) last = c;
    if (last < 0) break;
    const waitedOn = endOf(last) >= endOf(cur) - tolerance;
    const consumed = (spans[last] as Span).duration >= BUDGET_SHARE * failing.duration;
    if (!waitedOn && !consumed) break;
    if (endOf(last) > endOf(i)) stillRunning = true;
    cur = last;
  }
  if (cur === i) return i;
  const timeout = TIMEOUT_TYPE.test(errorType(failing)) || TIMEOUT_TYPE.test(failing.statusMessage ?? '');
  return timeout || stillRunning ? cur : i;
}

function bump<K>(m: Map<K, number>, k: K, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

/** Counts per key, with the first ROW_EXAMPLES traces that had the key. */
class CountsWithExamples {
  private readonly counts = new Map<string, { count: number; exampleTraceIds: string[] }>();

  /** Counts one more for `key`, seen in the trace `traceId` (a trace's spans are added together). */
  add(key: string, traceId: string): void {
    let c = this.counts.get(key);
    if (!c) this.counts.set(key, (c = { count: 0, exampleTraceIds: [] }));
    c.count++;
    const ids = c.exampleTraceIds;
    if (ids.length < ROW_EXAMPLES && ids[ids.length - 1] !== traceId) ids.push(traceId);
  }

  /** [key, count and examples], most common first. */
  ranked(): Array<[string, { count: number; exampleTraceIds: string[] }]> {
    return [...this.counts].sort((a, b) => b[1].count - a[1].count);
  }
}

export function errors(traces: readonly Trace[], opts: AnalysisOptions = {}): ErrorsResult {
  const byType = new CountsWithExamples();
  const svcErr = new CountsWithExamples();
  const opErr = new Map<string, number>();
  const origins = new Map<
    string,
    { traces: number; example: string; examples: string[]; exampleSpanId: string; chain: string[]; service: string; operation: string; type: string; callee: string | undefined; gaveUp: string | undefined }
  >();
  const handled = new Map<string, { service: string; operation: string; type: string; spans: number; traces: number; seenIn: Trace; exampleTraceId: string; exampleSpanId: string }>();
  let handledTraces = 0;
  let handledSpans = 0;
  const peers = peersFor(traces, opts);
  const pairs = new CountsWithExamples();
  const failedStarts: number[] = [];
  const allStarts: number[] = [];
  let failedTraces = 0;
  let rejectedTraces = 0;
  const rejections = new CountsWithExamples();
  let errorSpans = 0;
  for (const trace of traces) {
    const f = traceFacts(trace);
    allStarts.push(f.start);
    if (f.rejected) {
      rejectedTraces++;
      rejections.add(rejectionType(trace, f.roots), trace.traceId);
    }
    if (f.handled > 0) {
      handledTraces++;
      trace.spans.forEach((s) => {
        if (!isFailure(s)) return;
        handledSpans++;
        const key = `${opKey(s.service, s.name)}\u0000${errorType(s)}`;
        const h = handled.get(key);
        if (h) {
          h.spans++;
          if (h.seenIn !== trace) {
            h.seenIn = trace;
            h.traces++;
          }
        } else handled.set(key, { service: s.service, operation: s.name, type: errorType(s), spans: 1, traces: 1, seenIn: trace, exampleTraceId: trace.traceId, exampleSpanId: s.spanId });
      });
    }
    if (!f.failed) continue;
    const failing: number[] = [];
    trace.spans.forEach((s, i) => {
      if (!failsTrace(f, s)) return;
      failing.push(i);
      errorSpans++;
      byType.add(errorType(s), trace.traceId);
      svcErr.add(s.service, trace.traceId);
      bump(opErr, opKey(s.service, s.name));
    });
    failedTraces++;
    failedStarts.push(f.start);
    // An entry that answered 5xx without marking any span failed is its own origin.
    if (!failing.length) failing.push(f.roots[0] as number);
    let failedAt = failing[0] as number;
    let originDepth = depthOf(f.parent, failedAt);
    for (const i of failing) {
      const d = depthOf(f.parent, i);
      const s = trace.spans[i] as Span;
      const o = trace.spans[failedAt] as Span;
      if (d > originDepth || (d === originDepth && s.start + s.duration < o.start + o.duration)) {
        failedAt = i;
        originDepth = d;
      }
    }
    const origin = budgetConsumer(trace, f.parent, failedAt);
    const chain: string[] = [];
    for (let i = origin; i >= 0; i = f.parent[i] as number) {
      const s = trace.spans[i] as Span;
      if (failsTrace(f, s) || i === origin) chain.push(`${s.service}: ${s.name}`);
    }
    const o = trace.spans[origin] as Span;
    const gaveUp = origin === failedAt ? undefined : (trace.spans[failedAt] as Span);
    const type = gaveUp ? `${errorType(gaveUp)} (timed out waiting)` : errorType(o);
    const called = o.kind === 'client' ? calleesOf(trace, peers).get(origin) : undefined;
    const callee = called && !called.answered ? called.service : undefined;
    const key = `${opKey(o.service, o.name)}\u0000${type}\u0000${callee ?? ''}`;
    const entry = origins.get(key);
    if (entry) {
      entry.traces++;
      if (entry.examples.length < MAX_EXAMPLES) entry.examples.push(trace.traceId);
    } else
      origins.set(key, {
        traces: 1,
        example: trace.traceId,
        examples: [trace.traceId],
        exampleSpanId: o.spanId,
        chain,
        service: o.service,
        operation: o.name,
        type,
        callee,
        gaveUp: gaveUp ? `${gaveUp.service}: ${gaveUp.name}` : undefined,
      });
    const services = [...new Set(failing.map((i) => (trace.spans[i] as Span).service))].sort();
    for (let a = 0; a < services.length; a++) for (let b = a + 1; b < services.length; b++) pairs.add(`${services[a]}\u0000${services[b]}`, trace.traceId);
  }
  // Spans per service and per operation: the shared per-operation pass has counted them already.
  const stats = statsFor(traces, opts);
  const svcAll = (service: string) => stats.byService.get(service)?.spans;
  const opAll = (k: string) => stats.byOp.get(k)?.durations.length;
  const top = Math.max(resolvedTopN(opts), 1);
  const series = throughputSeries(allStarts, opts);
  const width = series.bucketMs * 1000;
  const origin0 = series.starts[0] ?? 0;
  const failedPerBucket = series.counts.map(() => 0);
  for (const t of failedStarts) {
    const b = Math.floor((t - origin0) / width);
    if (b >= 0 && b < failedPerBucket.length) failedPerBucket[b] = (failedPerBucket[b] as number) + 1;
  }
  return {
    failedTraces,
    totalTraces: traces.length,
    errorRate: traces.length ? failedTraces / traces.length : 0,
    rejectedTraces,
    rejectionRate: traces.length ? rejectedTraces / traces.length : 0,
    rejectionsByType: rejections.ranked().map(([type, c]) => ({ type, ...c })).slice(0, top),
    errorSpans,
    byType: byType.ranked().map(([type, c]) => ({ type, ...c })).slice(0, top),
    byService: svcErr.ranked().map(([service, { count, exampleTraceIds }]) => ({ service, count, spans: svcAll(service) ?? 0, rate: count / (svcAll(service) ?? 1), exampleTraceIds })),
    byOperation: [...opErr]
      .map(([k, count]) => ({ ...splitOpKey(k), count, spans: opAll(k) ?? 0, rate: count / (opAll(k) ?? 1) }))
      .sort((a, b) => b.count - a.count)
      .slice(0, top),
    origins: [...origins.values()]
      .map((o) => ({
        service: o.service,
        operation: o.operation,
        type: o.type,
        traces: o.traces,
        share: o.traces / failedTraces,
        exampleTraceId: o.example,
        exampleTraceIds: o.examples,
        exampleSpanId: o.exampleSpanId,
        exampleChain: o.chain,
        ...(o.callee !== undefined ? { unansweredCallee: o.callee } : {}),
        ...(o.gaveUp !== undefined ? { gaveUpBy: o.gaveUp } : {}),
      }))
      .sort((a, b) => b.traces - a.traces)
      .slice(0, top),
    coOccurrence: pairs.ranked().map(([k, { count, exampleTraceIds }]) => {
      const [a = '', b = ''] = k.split('\u0000');
      return { a, b, traces: count, exampleTraceIds };
    }),
    handled: {
      traces: handledTraces,
      spans: handledSpans,
      byOperation: [...handled.values()]
        .map(({ seenIn: _seen, ...h }) => h)
        .sort((a, b) => b.traces - a.traces)
        .slice(0, top),
    },
    timeline: { bucketMs: series.bucketMs, starts: series.starts, failed: failedPerBucket, total: series.counts },
  };
}
