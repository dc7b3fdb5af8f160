import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** A span as read back from the file exporter's OTLP/JSON lines, flattened for assertions and reports. */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  serviceName: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

function anyValue(v: OtlpAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return undefined;
}

function attrs(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

/** Reads every `*.jsonl` file in `dir` (ExportTraceServiceRequest per line) into flat spans. */
export function readExportedSpans(dir: string): ExportedSpan[] {
  if (!existsSync(dir)) return [];
  const spans: ExportedSpan[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl') || f.endsWith('.json'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const req = JSON.parse(line) as { resourceSpans?: any[] };
      for (const rs of req.resourceSpans ?? []) {
        const resAttrs = attrs(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              kind: s.kind,
              serviceName: String(resAttrs[ATTR_SERVICE_NAME] ?? ''),
              startTimeUnixNano: String(s.startTimeUnixNano),
              endTimeUnixNano: String(s.endTimeUnixNano),
              status: s.status ?? {},
              attributes: attrs(s.attributes),
              events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attrs(e.attributes) })),
            });
          }
        }
      }
    }
  }
  return spans;
}

/** Waits until `predicate(readExportedSpans(dir))` holds, for exporters that flush on a timer. */
export async function waitForSpans(
  dir: string,
  predicate: (spans: ExportedSpan[]) => boolean,
  timeoutMs = 10_000,
): Promise<ExportedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = readExportedSpans(dir);
    if (predicate(spans)) return spans;
    if (Date.now() > deadline) throw new Error(`spans in ${dir} did not satisfy the condition within ${timeoutMs} ms (${spans.length} spans)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Spans in the file exporter's OTLP/JSON lines under `dir` (every `*.jsonl`), counted without
 * flattening them. A line still being written is skipped; it is counted next time.
 */
export function countExportedSpans(dir: string): number {
  if (!existsSync(dir)) return 0;
  let count = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const req = JSON.parse(line) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
        for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) count += ss.spans?.length ?? 0;
      } catch {
        // incomplete line
      }
    }
  }
  return count;
}
