import { diag, trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator } from '@opentelemetry/api';

export const UBER_TRACE_ID_HEADER = 'uber-trace-id';

const TRACE_ID = /^[0-9a-f]{1,32}$/;
const SPAN_ID = /^[0-9a-f]{1,16}$/;
const FLAGS = /^[0-9a-f]{1,2}$/;
const ZEROS = /^0+$/;

/**
 * Accepts Jaeger's `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`
 * from older Jaeger clients. Extract only: mltrace answers in W3C `traceparent`,
 * so it never writes this header.
 */
export class JaegerExtractPropagator implements TextMapPropagator {
  inject(): void {}

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, UBER_TRACE_ID_HEADER);
    const raw = Array.isArray(header) ? header[0] : header;
    if (raw === undefined) return context;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw).trim().toLowerCase();
    } catch {
      decoded = '';
    }
    const parts = decoded.split(':');
    const [traceId, spanId, , flags] = parts;
    if (
      parts.length !== 4 ||
      !traceId || !TRACE_ID.test(traceId) || ZEROS.test(traceId) ||
      !spanId || !SPAN_ID.test(spanId) || ZEROS.test(spanId) ||
      !flags || !FLAGS.test(flags)
    ) {
      diag.debug(`mltrace: ignored malformed uber-trace-id header ${JSON.stringify(raw).slice(0, 200)}`);
      return context;
    }
    return trace.setSpanContext(context, {
      traceId: traceId.padStart(32, '0'),
      spanId: spanId.padStart(16, '0'),
      traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
      isRemote: true,
    });
  }

  fields(): string[] {
    return [];
  }
}
