import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  propagation,
  ROOT_CONTEXT,
  type Baggage,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BAGGAGE_MAX_TOTAL_BYTES } from './baggage-limits';

function headerLength(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  return Array.isArray(value) ? value.reduce((n, v) => n + v.length, 0) : value.length;
}

/** A core propagator plus a debug line when it drops a header (core drops them silently). */
abstract class ExplainingPropagator implements TextMapPropagator {
  constructor(protected readonly inner: TextMapPropagator) {}

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

/** How many distinct `baggage` header values each process keeps parsed (see BaggagePropagator). */
export const BAGGAGE_CACHE_ENTRIES = 256;

const BAGGAGE_HEADER = 'baggage';
/** The header value a baggage instance serializes to, kept on the (immutable) instance itself. */
const SERIALIZED = Symbol('mltrace serialized baggage');
type WithSerialized = Baggage & { [SERIALIZED]?: string };

/**
 * W3C `baggage` from @opentelemetry/core (>= 2.8.0 parses within the spec's
 * limits: 180 members, 4096 bytes per member, 8192 bytes in all), parsed and
 * serialized at most once per distinct value:
 * - extract: the Baggage parsed from a header value is kept (up to
 *   BAGGAGE_CACHE_ENTRIES values, oldest out first), so a value seen before costs one
 *   Map lookup instead of a parse (≈ 4 µs for the lab's 9 members, on every hop of
 *   every request, sampled or not). Baggage is immutable, so requests with the same
 *   header share one instance, which also lets the baggage processor's per-instance
 *   cache hit across requests. ML context is low-cardinality (model versions,
 *   segments, regions, arms): few distinct values.
 * - inject: the header value is kept on the baggage instance, so a request that
 *   calls several services serializes its baggage once (≈ 1.6 µs a time).
 * The result is the same as core's on every call; only the debug line about a
 * dropped or oversized header is written once per distinct value.
 */
export class BaggagePropagator extends ExplainingPropagator {
  private readonly parsed = new Map<string, Baggage | null>();

  constructor() {
    super(new W3CBaggagePropagator());
  }

  override extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, BAGGAGE_HEADER);
    // Several header lines (rare: node joins repeated headers) and oversized values are not kept.
    if (typeof raw !== 'string' || raw.length > BAGGAGE_MAX_TOTAL_BYTES) return super.extract(context, carrier, getter);
    if (raw === '') return context;
    let baggage = this.parsed.get(raw);
    if (baggage === undefined) {
      baggage = propagation.getBaggage(super.extract(ROOT_CONTEXT, { [BAGGAGE_HEADER]: raw }, defaultTextMapGetter)) ?? null;
      if (this.parsed.size >= BAGGAGE_CACHE_ENTRIES) this.parsed.delete(this.parsed.keys().next().value as string);
      this.parsed.set(raw, baggage);
    }
    return baggage === null ? context : propagation.setBaggage(context, baggage);
  }

  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(context) as WithSerialized | undefined;
    if (!baggage || isTracingSuppressed(context)) return;
    let value = baggage[SERIALIZED];
    if (value === undefined) {
      const out: Record<string, string> = {};
      this.inner.inject(context, out, defaultTextMapSetter);
      value = out[BAGGAGE_HEADER] ?? '';
      try {
        baggage[SERIALIZED] = value;
      } catch {
        // A frozen baggage implementation: serialized again next time, still correct.
      }
    }
    if (value.length > 0) setter.set(carrier, BAGGAGE_HEADER, value);
  }

  protected explain(unchanged: boolean, carrier: unknown, getter: TextMapGetter): void {
    const raw = getter.get(carrier, BAGGAGE_HEADER);
    if (raw === undefined) return;
    if (unchanged) diag.debug('mltrace: ignored a baggage header with no valid member');
    else if (headerLength(raw) > BAGGAGE_MAX_TOTAL_BYTES) diag.debug(`mltrace: baggage header over ${BAGGAGE_MAX_TOTAL_BYTES} bytes; members past the limit were dropped`);
  }
}
