// Span navigation helpers for the end-to-end tests.
import type { ExportedSpan } from '@mltrace/stack';
export { readExportedSpans } from '@mltrace/stack';
export type { ExportedSpan } from '@mltrace/stack';

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

/** One trace's spans with navigation helpers. */
export class Trace {
  private readonly byId: Map<string, ExportedSpan>;
  constructor(readonly spans: ExportedSpan[]) {
    this.byId = new Map(spans.map((s) => [s.spanId, s]));
  }
  get services(): string[] {
    return [...new Set(this.spans.map((s) => s.serviceName))].sort();
  }
  parent(span: ExportedSpan): ExportedSpan | undefined {
    return this.byId.get(span.parentSpanId);
  }
  /** Whether `ancestor` is on the parent chain of `span`. */
  isUnder(span: ExportedSpan, ancestor: ExportedSpan): boolean {
    for (let p = this.parent(span); p; p = this.parent(p)) if (p.spanId === ancestor.spanId) return true;
    return false;
  }
  find(pred: (s: ExportedSpan) => boolean): ExportedSpan[] {
    return this.spans.filter(pred);
  }
  /** The HTTP server span of `service` (the first, if the service was called more than once). */
  server(service: string): ExportedSpan | undefined {
    return this.spans.find((s) => s.serviceName === service && s.kind === SpanKind.SERVER);
  }
}

export function traceOf(spans: ExportedSpan[], traceId: string): Trace {
  return new Trace(spans.filter((s) => s.traceId === traceId));
}
