import type { LoadResult, Span, Trace } from '../model';

export interface CollectorOptions {
  onProgress?: (spansSoFar: number) => void;
  /** µs; keep traces that start at or after this time. */
  since?: number;
  /** µs; keep traces that start before this time. */
  until?: number;
  /** Keep traces with at least one span of this service. */
  service?: string;
  /** Keep at most this many traces (the most recent ones, like Jaeger's search). */
  limit?: number;
}

const PROGRESS_EVERY = 10_000;
const MAX_REASONS = 50;

/**
 * Gathers spans from any number of records/files into traces. Spans of one trace may arrive from
 * several files (one per service) in any order; traces are assembled only in `finish()`.
 */
export class TraceCollector {
  private readonly byTrace = new Map<string, Span[]>();
  private readonly traceWarnings = new Map<string, string[]>();
  private readonly warnings: string[] = [];
  private spans = 0;
  private nextProgress = PROGRESS_EVERY;
  skippedCount = 0;
  readonly reasons: string[] = [];
  /** Traces already selected by time on a server (Jaeger search): since/until are not applied again. */
  readonly timeFiltered = new Set<string>();

  constructor(private readonly opts: CollectorOptions = {}) {}

  get spanCount(): number {
    return this.spans;
  }

  add(span: Span): void {
    let list = this.byTrace.get(span.traceId);
    if (list === undefined) {
      list = [];
      this.byTrace.set(span.traceId, list);
    } else if (list.length > 0) {
      // Share one string instance per trace id.
      span.traceId = list[0]!.traceId;
    }
    list.push(span);
    this.spans++;
    if (this.spans >= this.nextProgress) {
      this.nextProgress += PROGRESS_EVERY;
      this.opts.onProgress?.(this.spans);
    }
  }

  addTraceWarnings(traceId: string, warnings: readonly string[]): void {
    if (warnings.length === 0) return;
    const list = this.traceWarnings.get(traceId);
    if (list) list.push(...warnings);
    else this.traceWarnings.set(traceId, [...warnings]);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  skip(reason: string, count = 1): void {
    this.skippedCount += count;
    if (this.reasons.length < MAX_REASONS) this.reasons.push(reason);
    else if (this.reasons.length === MAX_REASONS) this.reasons.push('… further reasons omitted');
  }

  /** Merge another collector's skips and warnings (used when a file is folded into a larger load). */
  absorb(other: { skippedCount: number; reasons: readonly string[] }): void {
    this.skippedCount += other.skippedCount;
    for (const r of other.reasons) if (this.reasons.length <= MAX_REASONS) this.reasons.push(r);
  }

  finish(): LoadResult {
    const { since, until, service, limit } = this.opts;
    let traces: Trace[] = [];
    let duplicatesDropped = 0;
    for (const [traceId, spans] of this.byTrace) {
      const warnings = this.traceWarnings.get(traceId) ?? [];
      duplicatesDropped += assembleInPlace(spans, warnings);
      if (spans.length === 0) continue;
      const traceStart = spans[0]!.start;
      const byTime = !this.timeFiltered.has(traceId);
      if (byTime && since !== undefined && traceStart < since) continue;
      if (byTime && until !== undefined && traceStart >= until) continue;
      if (service !== undefined && !spans.some((s) => s.service === service)) continue;
      const trace: Trace = { traceId, spans };
      if (warnings.length > 0) trace.warnings = warnings;
      traces.push(trace);
    }
    this.byTrace.clear();
    traces.sort((a, b) => a.spans[0]!.start - b.spans[0]!.start);
    if (limit !== undefined && limit >= 0 && traces.length > limit) traces = traces.slice(traces.length - limit);
    const result: LoadResult = {
      traces,
      spanCount: traces.reduce((n, t) => n + t.spans.length, 0),
      skipped: { count: this.skippedCount, reasons: this.reasons },
    };
    if (duplicatesDropped > 0) result.duplicatesDropped = duplicatesDropped;
    if (this.warnings.length > 0) result.warnings = this.warnings;
    return result;
  }
}

/**
 * Turn one trace's spans, in arrival order, into the model's trace: stable-sorted by start time,
 * duplicate span ids resolved, parent ids sharing the parent's string.
 *
 * Duplicate span ids: an exact copy (same start, duration, name, service and parent — the same span
 * exported twice) is dropped; a different span reusing an id is kept and renamed `<id>_1`, `<id>_2`, …
 * in arrival order, as Jaeger UI does, with a warning on the span and the trace. References to the
 * id keep pointing at the first occurrence. Returns how many copies were dropped.
 */
export function assembleInPlace(spans: Span[], traceWarnings: string[]): number {
  const byId = new Map<string, Span>();
  const renames = new Map<string, number>();
  let dropped = 0;
  let w = 0;
  for (let r = 0; r < spans.length; r++) {
    const span = spans[r]!;
    const first = byId.get(span.spanId);
    if (first !== undefined) {
      if (isSameSpan(first, span)) {
        dropped++;
        continue;
      }
      const original = span.spanId;
      let k = renames.get(original) ?? 0;
      do k++;
      while (byId.has(`${original}_${k}`));
      renames.set(original, k);
      span.spanId = `${original}_${k}`;
      const message = `duplicate span id ${original}: this occurrence renamed ${span.spanId}`;
      (span.warnings ??= []).push(message);
      traceWarnings.push(message);
    }
    byId.set(span.spanId, span);
    spans[w++] = span;
  }
  spans.length = w;
  for (const span of spans) {
    if (span.parentSpanId === undefined) continue;
    const parent = byId.get(span.parentSpanId);
    if (parent !== undefined) span.parentSpanId = parent.spanId;
  }
  // Array.prototype.sort is stable, so equal start times keep arrival order.
  spans.sort((a, b) => a.start - b.start);
  return dropped;
}

function isSameSpan(a: Span, b: Span): boolean {
  return (
    a.start === b.start &&
    a.duration === b.duration &&
    a.name === b.name &&
    a.service === b.service &&
    a.parentSpanId === b.parentSpanId
  );
}

/** Build a trace from spans (tests and converters): duplicate ids resolved and spans sorted as loaders do. */
export function assembleTrace(traceId: string, spans: Span[]): Trace {
  const warnings: string[] = [];
  const list = [...spans];
  assembleInPlace(list, warnings);
  const trace: Trace = { traceId, spans: list };
  if (warnings.length > 0) trace.warnings = warnings;
  return trace;
}
