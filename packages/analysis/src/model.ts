/**
 * The normalized in-memory trace model every loader produces and every analysis reads.
 *
 * Times are integer microseconds since the Unix epoch (Jaeger's unit; OTLP nanoseconds are
 * divided by 1000). Strings that repeat across spans (service, operation, attribute keys and
 * common values) are interned by the loaders so a million spans stay compact.
 */

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCode = 'unset' | 'ok' | 'error';
export type AttributeValue = string | number | boolean | Array<string | number | boolean>;
export type Attributes = Record<string, AttributeValue>;

export interface SpanReference {
  /** CHILD_OF/FOLLOWS_FROM come from Jaeger; LINK from OTLP links. */
  type: 'CHILD_OF' | 'FOLLOWS_FROM' | 'LINK';
  traceId: string;
  spanId: string;
}

export interface SpanEvent {
  time: number;
  name: string;
  attributes: Attributes;
}

export interface Span {
  /** Lower-case hex, 32 chars (Jaeger 16-char ids are left-padded with zeros). */
  traceId: string;
  /** Lower-case hex, 16 chars. */
  spanId: string;
  /**
   * Parent span id within the same trace, or undefined for a root (or a span whose parent reference
   * points at another trace). It is kept even when that parent is absent from the loaded data, so an
   * orphan is a span with `parentSpanId` set that no span of its trace carries (see `isOrphan`).
   * Chosen like Jaeger UI: OTLP `parentSpanId`, else the first in-trace CHILD_OF, else the first in-trace FOLLOWS_FROM.
   */
  parentSpanId: string | undefined;
  references: SpanReference[];
  name: string;
  service: string;
  kind: SpanKind;
  /** µs since epoch. */
  start: number;
  /** µs. */
  duration: number;
  status: StatusCode;
  statusMessage?: string;
  /**
   * Span attributes. Loaded data is read-only: equal attribute sets (and empty ones) are mostly one
   * shared, frozen object (per loading thread; a set with a unique-ish value such as a confidence is
   * built per span), so never mutate them (copy first).
   */
  attributes: Attributes;
  /** Resource attributes, shared (same frozen object) by all spans of one process. */
  resource: Attributes;
  events: SpanEvent[];
  /** Loader warnings attached to this span (e.g. clock skew adjusted, duplicate id). */
  warnings?: string[];
}

export interface Trace {
  traceId: string;
  /** Sorted by start time; the sort is stable, so ties keep input order (file order, then line order). */
  spans: Span[];
  /** Trace-level warnings (Jaeger `warnings`, duplicate span ids renamed, ...). */
  warnings?: string[];
}

/** What a loader returns: the traces it could read and a count of what it could not. */
export interface LoadResult {
  traces: Trace[];
  spanCount: number;
  skipped: {
    /** Records (lines, documents, spans) that were malformed and left out. */
    count: number;
    /** Human-readable reasons naming file and line/offset, first N only. */
    reasons: string[];
  };
  /** Spans dropped because an identical copy (same id, start, duration, name, service) was already loaded. */
  duplicatesDropped?: number;
  /** Envelope-level warnings and errors reported by the source (e.g. Jaeger's `errors`), not tied to one span. */
  warnings?: string[];
}

/** Helpers analyses share. */
export function spanEnd(span: Span): number {
  return span.start + span.duration;
}

export function isError(span: Span): boolean {
  return span.status === 'error';
}

/** True when the span names a parent in its own trace that the loaded data does not contain. */
export function isOrphan(span: Span, spanIds: ReadonlySet<string> | ReadonlyMap<string, unknown>): boolean {
  return span.parentSpanId !== undefined && !spanIds.has(span.parentSpanId);
}
