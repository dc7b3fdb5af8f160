/**
 * One trace drawn as text, as Jaeger's timeline draws it: one row per span, indented under its
 * parent, with a bar over the trace's duration. `█` marks the time the span is on the critical
 * path (nothing else was holding the request up), `░` the rest of its time. For labs run without
 * Jaeger, and for the pictures in docs/workshop/.
 */
import { criticalPath, type Span, type Trace } from '@mltrace/analysis';

export interface WaterfallOptions {
  /** Bar width in characters (default 40). */
  width?: number;
  /** Also show each span's id and its parent's (what `traceparent` carries from hop to hop). */
  ids?: boolean;
}

function ms(us: number): string {
  const v = us / 1000;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** Spans in tree order (depth-first, children by start time) with their depth. */
function treeOrder(trace: Trace): Array<{ span: Span; depth: number }> {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of trace.spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const out: Array<{ span: Span; depth: number }> = [];
  const walk = (s: Span, depth: number): void => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.start - b.start)) walk(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.start - b.start)) walk(r, 0);
  return out;
}

export function traceDuration(trace: Trace): number {
  const start = Math.min(...trace.spans.map((s) => s.start));
  const end = Math.max(...trace.spans.map((s) => s.start + s.duration));
  return end - start;
}

export function renderWaterfall(trace: Trace, opts: WaterfallOptions = {}): string[] {
  const width = opts.width ?? 40;
  const t0 = Math.min(...trace.spans.map((s) => s.start));
  const total = Math.max(1, traceDuration(trace));
  const sections = criticalPath(trace);
  const cell = (i: number): number => t0 + ((i + 0.5) * total) / width;
  const rows = treeOrder(trace);
  const label = (r: { span: Span; depth: number }): string => `${'  '.repeat(r.depth)}${r.span.name}${r.span.status === 'error' ? ' ✗' : ''}`;
  const serviceWidth = Math.max(7, ...rows.map((r) => r.span.service.length));
  const labelWidth = Math.max(9, ...rows.map((r) => label(r).length));
  const lines = [
    `trace ${trace.traceId}: ${trace.spans.length} spans, ${ms(total)} ms   █ on the critical path   ░ waiting on something else`,
    '',
    `${'service'.padEnd(serviceWidth)}  ${'operation'.padEnd(labelWidth)}  ${'start'.padStart(6)}  ${'ms'.padStart(6)}  ${opts.ids ? `${'span id'.padEnd(16)}  ${'parent'.padEnd(16)}  ` : ''}|${'0'.padEnd(width - ms(total).length)}${ms(total)}|`,
  ];
  for (const r of rows) {
    const s = r.span;
    const mine = sections.filter((x) => x.spanId === s.spanId);
    let bar = '';
    for (let i = 0; i < width; i++) {
      const t = cell(i);
      const inSpan = t >= s.start && t < s.start + s.duration;
      const critical = mine.some((x) => t >= x.start && t < x.end);
      // A span shorter than one cell still shows where it is.
      const tiny = s.duration < total / width && Math.floor(((s.start - t0) / total) * width) === i;
      bar += critical ? '█' : inSpan || tiny ? '░' : ' ';
    }
    const idCols = opts.ids ? `${s.spanId}  ${(s.parentSpanId ?? '(root)').padEnd(16)}  ` : '';
    lines.push(`${s.service.padEnd(serviceWidth)}  ${label(r).padEnd(labelWidth)}  ${ms(s.start - t0).padStart(6)}  ${ms(s.duration).padStart(6)}  ${idCols}|${bar}|`);
  }
  return lines;
}

/** ML and business context of a span: the baggage the services copied onto it. */
export function contextAttributes(span: Span): Array<[string, string]> {
  return Object.entries(span.attributes)
    .filter(([k]) => k.startsWith('ml.') || k.startsWith('business.') || k.startsWith('experiment.'))
    .map(([k, v]) => [k, String(v)] as [string, string])
    .sort(([a], [b]) => a.localeCompare(b));
}
