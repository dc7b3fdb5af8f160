import type { LoadResult } from '../model';
import { TraceCollector, type CollectorOptions } from './collector';
import { RecordError } from './errors';
import { JaegerConverter } from './jaeger';
import { isObject, type Json } from './normalize';
import { OtlpConverter } from './otlp';
import { OtlpLineScanner } from './fast/otlp-scan';
import { JaegerTraceScanner } from './fast/jaeger-scan';
import { isZipkinSpan, ZipkinConverter } from './zipkin';


/** The formats a JSON value can be recognized as, by its content. */
export type RecordKind =
  | 'otlp' // ExportTraceServiceRequest {resourceSpans}
  | 'jaeger-v3' // {result: {resourceSpans}}
  | 'jaeger-v3-error' // {error: {grpcCode, httpCode, message}}
  | 'jaeger-envelope' // Query API v1 {data: [trace…]}
  | 'jaeger-trace' // {spans: […], processes?}
  | 'jaeger-span' // a single span with traceID/spanID
  | 'tempo-batches' // Tempo's trace by id {batches: [resourceSpans…]}
  | 'zipkin' // Zipkin v2: an array of spans {traceId, id, …}
  | 'array' // traces, spans or OTLP documents
  | 'unknown';

export function recordKind(v: unknown): RecordKind {
  if (Array.isArray(v)) return v.length > 0 && v.every(isZipkinSpan) ? 'zipkin' : 'array';
  if (!isObject(v)) return 'unknown';
  if (Array.isArray(v.resourceSpans)) return 'otlp';
  if (Array.isArray(v.batches)) return 'tempo-batches';
  if (isObject(v.result)) return 'jaeger-v3';
  if ('data' in v && (Array.isArray(v.data) || v.data === null)) return 'jaeger-envelope';
  if (Array.isArray(v.spans)) return 'jaeger-trace';
  if (isObject(v.error) && !('spanID' in v)) return 'jaeger-v3-error';
  if (('spanID' in v || 'spanId' in v) && ('traceID' in v || 'traceId' in v)) return 'jaeger-span';
  return 'unknown';
}

/** Converters for one load: they share the collector and the resource caches. */
export class Ingest {
  readonly otlp: OtlpConverter;
  readonly jaeger: JaegerConverter;
  readonly zipkin: ZipkinConverter;
  /** The fast path for OTLP/JSON lines (absent when turned off: every line through JSON.parse). */
  readonly otlpLines: OtlpLineScanner | undefined;
  /** The fast path for the traces of a Jaeger JSON document (absent when turned off). */
  readonly jaegerTraces: JaegerTraceScanner | undefined;
  constructor(readonly collector: TraceCollector, opts: { fastPath?: boolean } = {}) {
    this.otlp = new OtlpConverter(collector);
    this.jaeger = new JaegerConverter(collector);
    this.zipkin = new ZipkinConverter(collector);
    this.otlpLines = opts.fastPath === false ? undefined : new OtlpLineScanner(this.otlp);
    this.jaegerTraces = opts.fastPath === false ? undefined : new JaegerTraceScanner(this.jaeger, collector);
  }

  /** Convert one parsed JSON value of any supported format; throws RecordError when it is none of them. */
  record(v: unknown, where: string): void {
    switch (recordKind(v)) {
      case 'otlp':
        this.otlp.addRequest(v, where);
        return;
      case 'jaeger-v3': {
        const result = (v as Json).result;
        if (isObject(result) && !Array.isArray(result.resourceSpans)) {
          const keys = Object.keys(result);
          if (keys.length === 0) return; // an empty result: no traces
          throw new RecordError(`a Jaeger API v3 response without spans (result has ${keys.map((k) => JSON.stringify(k)).join(', ')})`);
        }
        this.otlp.addRequest(result, where);
        return;
      }
      case 'jaeger-v3-error': {
        const err = (v as Json).error as Json;
        // A 404-style "not found" chunk means no traces; anything else is worth surfacing.
        if (err.httpCode === 404 || err.grpcCode === 5) return;
        throw new RecordError(`Jaeger API error: ${String(err.message ?? JSON.stringify(err))}`);
      }
      case 'jaeger-envelope': {
        const doc = v as Json;
        const data = Array.isArray(doc.data) ? doc.data : [];
        for (let i = 0; i < data.length; i++) this.element(data[i], `${where} data[${i}]`);
        this.envelopeErrors(doc.errors, where);
        return;
      }
      case 'jaeger-trace':
        this.jaeger.addTrace(v, where);
        return;
      case 'jaeger-span':
        this.jaeger.addSpan(v, where);
        return;
      case 'tempo-batches':
        this.otlp.addRequest({ resourceSpans: (v as Json).batches }, where);
        return;
      case 'zipkin':
        this.zipkin.addSpans(v as unknown[], where);
        return;
      case 'array': {
        const arr = v as unknown[];
        for (let i = 0; i < arr.length; i++) this.element(arr[i], `${where} [${i}]`);
        return;
      }
      default:
        throw new RecordError(describeUnknown(v));
    }
  }

  /** An element of a list: a failure is skipped with its reason, not fatal for the list. */
  element(v: unknown, where: string): void {
    try {
      this.record(v, where);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      this.collector.skip(`${where}: ${err.message}`);
    }
  }

  envelopeErrors(errors: unknown, where: string): void {
    if (!Array.isArray(errors)) return;
    for (const e of errors) {
      const msg = isObject(e) ? `${String(e.msg ?? e.message ?? JSON.stringify(e))}${e.traceID ? ` (trace ${String(e.traceID)})` : ''}` : String(e);
      this.collector.warn(`${where}: source reported: ${msg}`);
    }
  }
}

function describeUnknown(v: unknown): string {
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 6);
    return `not a trace format mltrace reads (an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ') || 'none'}; expected OTLP resourceSpans, Tempo's {batches:[…]}, a Jaeger {data:[…]}, a trace {spans:[…]}, a v3 {result:…} or a Zipkin v2 span array)`;
  }
  return `not a trace format mltrace reads (a JSON ${v === null ? 'null' : typeof v})`;
}

function convert(doc: unknown, opts: CollectorOptions, use: (ingest: Ingest) => void): LoadResult {
  const collector = new TraceCollector(opts);
  use(new Ingest(collector));
  return collector.finish();
}

/** Pure converter: an OTLP/JSON `ExportTraceServiceRequest` (or a v3 `{result: …}` body, or an array of either). */
export function fromOtlp(doc: unknown, opts: CollectorOptions = {}): LoadResult {
  return convert(doc, opts, (ingest) => {
    const kind = recordKind(doc);
    if (kind !== 'otlp' && kind !== 'jaeger-v3' && kind !== 'array') throw new RecordError('not OTLP/JSON (no resourceSpans)');
    ingest.record(doc, 'otlp');
  });
}

/** Pure converter: Jaeger JSON — a `{data: […]}` envelope, a bare trace, an array of traces or of spans. */
export function fromJaegerJson(doc: unknown, opts: CollectorOptions = {}): LoadResult {
  return convert(doc, opts, (ingest) => {
    const kind = recordKind(doc);
    if (kind !== 'jaeger-envelope' && kind !== 'jaeger-trace' && kind !== 'jaeger-span' && kind !== 'array') {
      throw new RecordError('not Jaeger JSON (no data or spans array)');
    }
    ingest.record(doc, 'jaeger');
  });
}

/** Pure converter for any supported JSON value, detected by content. */
export function fromJson(doc: unknown, opts: CollectorOptions = {}): LoadResult {
  return convert(doc, opts, (ingest) => ingest.record(doc, 'json'));
}
