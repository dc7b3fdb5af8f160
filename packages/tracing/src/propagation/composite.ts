import { diag, propagation, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import type { TracingConfig } from '../types';
import { JaegerExtractPropagator, UBER_TRACE_ID_HEADER } from './jaeger';
import { BaggagePropagator, TraceContextPropagator } from './w3c';
import { isXHeader, XHeadersPropagator } from './xheaders';

/**
 * Runs the parts in order, lowest precedence first: a later part that finds a
 * span context replaces an earlier one, and baggage members are merged with
 * later parts winning per key. The order used here is jaeger, xheaders,
 * tracecontext, baggage, so W3C headers stay primary. Any part that throws is
 * skipped with a debug line: a bad header must never fail a request.
 */
export class MltracePropagator implements TextMapPropagator {
  private readonly fieldList: string[];

  constructor(private readonly parts: TextMapPropagator[]) {
    this.fieldList = [...new Set(parts.flatMap((p) => p.fields()))];
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const part of this.parts) {
      try {
        part.inject(context, carrier, setter);
      } catch (err) {
        diag.debug(`mltrace: propagator inject failed: ${String(err)}`);
      }
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let ctx = context;
    for (const part of this.parts) {
      const before = propagation.getBaggage(ctx);
      let next: Context;
      try {
        next = part.extract(ctx, carrier, getter);
      } catch (err) {
        diag.debug(`mltrace: propagator extract failed: ${String(err)}`);
        continue;
      }
      const after = propagation.getBaggage(next);
      if (before && after && after !== before) {
        let merged = after;
        for (const [key, entry] of before.getAllEntries()) {
          if (!merged.getEntry(key)) merged = merged.setEntry(key, entry);
        }
        next = propagation.setBaggage(next, merged);
      }
      ctx = next;
    }
    return ctx;
  }

  fields(): string[] {
    return this.fieldList;
  }
}

export interface PropagatorOptions {
  /**
   * Write the X-* compatibility headers on outgoing requests (default: when
   * `names` includes `xheaders`). The preload sets it only when
   * OTEL_PROPAGATORS names `xheaders` explicitly: by default mltrace reads the
   * old headers but does not write them. Writing them put 11 more headers on
   * every hop for every downstream service to parse (≈ 20 µs per hop here).
   */
  writeXHeaders?: boolean;
}

/**
 * Builds the propagator from OTEL_PROPAGATORS names (default: all four).
 * Reading the compatibility formats costs well under a microsecond per
 * request when their headers are absent (one header lookup and a scan of the
 * header names), so they stay on for extraction.
 */
export function createPropagator(
  names: TracingConfig['propagators'] = ['tracecontext', 'baggage', 'jaeger', 'xheaders'],
  options: PropagatorOptions = {},
): MltracePropagator {
  const ordered: TextMapPropagator[] = [];
  if (names.includes('jaeger')) ordered.push(new JaegerExtractPropagator());
  if (names.includes('xheaders')) ordered.push(new XHeadersPropagator({ inject: options.writeXHeaders ?? true }));
  if (names.includes('tracecontext')) ordered.push(new TraceContextPropagator());
  if (names.includes('baggage')) ordered.push(new BaggagePropagator());
  return new MltracePropagator(ordered);
}

/** Header names a caller may have set by hand that the propagator also writes (or reads, for uber-trace-id). */
export function isPropagationHeader(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'traceparent' || n === 'tracestate' || n === 'baggage' || n === UBER_TRACE_ID_HEADER || isXHeader(n);
}
