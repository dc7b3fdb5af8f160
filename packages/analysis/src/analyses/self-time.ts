import type { Span, Trace } from '../model';

interface Interval {
  start: number;
  duration: number;
}

/**
 * Self time with Jaeger UI's semantics (compute-span-self-time.ts): the span's duration minus the
 * length of the union of its DIRECT children's intervals, each clipped to the span. Children outside
 * the span count for nothing; span kind and FOLLOWS_FROM do not matter; the result is floored at 0.
 * Children may come in any order (they are sorted here).
 */
export function selfTime(span: Interval, children: readonly Interval[]): number {
  if (children.length === 0) return Math.max(0, span.duration);
  const spanStart = span.start;
  const spanEnd = span.start + span.duration;
  const sorted = isSortedByStart(children) ? children : [...children].sort((a, b) => a.start - b.start);
  let covered = 0;
  let runStart = NaN;
  let runEnd = NaN;
  for (const child of sorted) {
    const start = Math.max(child.start, spanStart);
    const end = Math.min(child.start + child.duration, spanEnd);
    if (end <= start) continue;
    if (Number.isNaN(runStart)) {
      runStart = start;
      runEnd = end;
    } else if (start <= runEnd) {
      if (end > runEnd) runEnd = end;
    } else {
      covered += runEnd - runStart;
      runStart = start;
      runEnd = end;
    }
  }
  if (!Number.isNaN(runStart)) covered += runEnd - runStart;
  return Math.max(0, span.duration - covered);
}

function isSortedByStart(list: readonly Interval[]): boolean {
  let previous = -Infinity;
  for (const x of list) {
    if (x.start < previous) return false;
    previous = x.start;
  }
  return true;
}

/** Parent span id → its direct children, in trace order (i.e. by start time). Orphans are listed under the missing parent's id. */
export function childrenIndex(trace: Trace): Map<string, Span[]> {
  const index = new Map<string, Span[]>();
  for (const span of trace.spans) {
    if (span.parentSpanId === undefined) continue;
    const list = index.get(span.parentSpanId);
    if (list) list.push(span);
    else index.set(span.parentSpanId, [span]);
  }
  return index;
}

/** Self time (µs) of every span of the trace, keyed by span id. */
export function selfTimes(trace: Trace): Map<string, number> {
  const index = childrenIndex(trace);
  const result = new Map<string, number>();
  for (const span of trace.spans) {
    result.set(span.spanId, selfTime(span, index.get(span.spanId) ?? []));
  }
  return result;
}
