import { diag, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BAGGAGE_MAX_TOTAL_BYTES } from './baggage-limits';

function headerLength(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  return Array.isArray(value) ? value.reduce((n, v) => n + v.length, 0) : value.length;
}

/** A core propagator plus a debug line when it drops a header (core drops them silently). */
abstract class ExplainingPropagator implements TextMapPropagator {
  constructor(private readonly inner: TextMapPropagator) {}

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    this.inner.inject(context, carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const next = this.inner.extract(context, carrier, getter);
    this.explain(next === context, carrier, getter);
    return next;
  }

  fields(): string[] {
    return this.inner.fields();
  }

  protected abstract explain(unchanged: boolean, carrier: unknown, getter: TextMapGetter): void;
}

/** W3C `traceparent`/`tracestate` from @opentelemetry/core. */
export class TraceContextPropagator extends ExplainingPropagator {
  constructor() {
    super(new W3CTraceContextPropagator());
  }

  protected explain(unchanged: boolean, carrier: unknown, getter: TextMapGetter): void {
    if (!unchanged) return;
    const raw = getter.get(carrier, 'traceparent');
    if (raw !== undefined) diag.debug(`mltrace: ignored malformed traceparent header ${JSON.stringify(raw).slice(0, 200)}`);
  }
}

/**
 * W3C `baggage` from @opentelemetry/core (>= 2.8.0 parses within the spec's
 * limits: 180 members, 4096 bytes per member, 8192 bytes in all).
 */
export class BaggagePropagator extends ExplainingPropagator {
  constructor() {
    super(new W3CBaggagePropagator());
  }

  protected explain(unchanged: boolean, carrier: unknown, getter: TextMapGetter): void {
    const raw = getter.get(carrier, 'baggage');
    if (raw === undefined) return;
    if (unchanged) diag.debug('mltrace: ignored a baggage header with no valid member');
    else if (headerLength(raw) > BAGGAGE_MAX_TOTAL_BYTES) diag.debug(`mltrace: baggage header over ${BAGGAGE_MAX_TOTAL_BYTES} bytes; members past the limit were dropped`);
  }
}
