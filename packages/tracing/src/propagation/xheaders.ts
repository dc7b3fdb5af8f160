import {
  diag,
  isSpanContextValid,
  propagation,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { BAGGAGE_TO_ATTRIBUTE, ML_CONTEXT_KEYS, type MLContextKey } from '../attributes';
import { limitBaggageMembers } from './baggage-limits';

export const X_TRACE_ID = 'x-trace-id';
export const X_SPAN_ID = 'x-span-id';
export const X_PARENT_SPAN_ID = 'x-parent-span-id';
export const X_BAGGAGE_PREFIX = 'x-baggage-';
export const X_ML_PREFIX = 'x-ml-';
export const X_BUSINESS_PREFIX = 'x-business-';

/** Every X-* header this propagator reads begins with `x-` (in any case). */
function mayBeXHeader(name: string): boolean {
  return name.length > 2 && (name[0] === 'x' || name[0] === 'X') && name[1] === '-';
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const ZEROS = /^0+$/;
/** RFC 9110 token characters: what a header name may contain. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** model_version → x-ml-model-version, region → x-business-region (the namespace follows attributes.ts). */
const ML_KEY_TO_HEADER = new Map<MLContextKey, string>(
  ML_CONTEXT_KEYS.map((key) => [
    key,
    (BAGGAGE_TO_ATTRIBUTE[key].startsWith('business.') ? X_BUSINESS_PREFIX : X_ML_PREFIX) + key.replace(/_/g, '-'),
  ]),
);

/** True for every header name this propagator may write (used to find hand-set duplicates). */
export function isXHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === X_TRACE_ID || n === X_SPAN_ID || n === X_PARENT_SPAN_ID ||
    n.startsWith(X_BAGGAGE_PREFIX) || n.startsWith(X_ML_PREFIX) || n.startsWith(X_BUSINESS_PREFIX)
  );
}

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined ? undefined : v.trim();
}

/** Legacy clients send 64-bit trace ids too; W3C ids are 128-bit, so left-pad like Jaeger does. */
function normalizeTraceId(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const id = raw.toLowerCase();
  const padded = HEX16.test(id) ? id.padStart(32, '0') : id;
  return HEX32.test(padded) && !ZEROS.test(padded) ? padded : undefined;
}

/**
 * The header convention of older mltrace clients (the seed tutorial's
 * `MLTraceContext.propagate_to_headers`): `X-Trace-Id`, `X-Span-Id`,
 * `X-Parent-Span-Id`, `X-Baggage-<key>`, `X-ML-<key>`, `X-Business-<key>`.
 *
 * Extract: ids become a remote parent; since the convention has no sampled
 * flag, such a parent counts as sampled. The prefixed headers become baggage
 * members (`X-ML-Model-Version` → `model_version`, `X-Baggage-Foo` → `foo`)
 * within the W3C baggage limits. Inject (when enabled) writes the same headers so old
 * services downstream keep working. W3C headers take precedence when both
 * are present (see MltracePropagator).
 */
export class XHeadersPropagator implements TextMapPropagator {
  private readonly writes: boolean;

  /** `inject: false`: read the headers only (the preload's default, see createPropagator). */
  constructor(options: { inject?: boolean } = {}) {
    this.writes = options.inject ?? true;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    if (!this.writes || isTracingSuppressed(context)) return;
    const span = trace.getSpan(context);
    const sc = span?.spanContext();
    if (sc && isSpanContextValid(sc)) {
      setter.set(carrier, X_TRACE_ID, sc.traceId);
      setter.set(carrier, X_SPAN_ID, sc.spanId);
      // The SDK's Span exposes its parent; the API type does not promise it.
      const parent = (span as unknown as { parentSpanContext?: SpanContext }).parentSpanContext;
      if (parent?.spanId) setter.set(carrier, X_PARENT_SPAN_ID, parent.spanId);
    }
    const baggage = propagation.getBaggage(context);
    if (!baggage) return;
    const { accepted } = limitBaggageMembers(baggage.getAllEntries().map(([k, e]) => [k, e.value]));
    for (const [key, value] of accepted) {
      const header = ML_KEY_TO_HEADER.get(key as MLContextKey) ?? X_BAGGAGE_PREFIX + key.toLowerCase();
      // Header values must stay ASCII; percent-encoding is how baggage carries the rest.
      if (TOKEN.test(header)) setter.set(carrier, header, encodeURIComponent(value));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let next = context;
    const rawTraceId = first(getter.get(carrier, X_TRACE_ID));
    if (rawTraceId !== undefined) {
      const traceId = normalizeTraceId(rawTraceId);
      const spanId = first(getter.get(carrier, X_SPAN_ID))?.toLowerCase();
      if (traceId && spanId && HEX16.test(spanId) && !ZEROS.test(spanId)) {
        next = trace.setSpanContext(next, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
      } else {
        diag.debug(`mltrace: ignored malformed X-Trace-Id/X-Span-Id headers (${JSON.stringify(rawTraceId).slice(0, 100)})`);
      }
    }

    const members: Array<[string, string]> = [];
    for (const name of getter.keys(carrier)) {
      // Most headers are not ours: skip them before lowercasing (measured with callgrind: the
      // lowercasing and prefix tests of every header name were ≈ 5 000 instructions per request).
      if (!mayBeXHeader(name)) continue;
      const lower = name.toLowerCase();
      let key: string | undefined;
      if (lower.startsWith(X_ML_PREFIX)) key = lower.slice(X_ML_PREFIX.length).replace(/-/g, '_');
      else if (lower.startsWith(X_BUSINESS_PREFIX)) key = lower.slice(X_BUSINESS_PREFIX.length).replace(/-/g, '_');
      else if (lower.startsWith(X_BAGGAGE_PREFIX)) key = lower.slice(X_BAGGAGE_PREFIX.length);
      if (!key) continue;
      const raw = first(getter.get(carrier, name));
      if (!raw) continue;
      let value: string;
      try {
        value = decodeURIComponent(raw);
      } catch {
        diag.debug(`mltrace: ignored header ${name} with a malformed percent-encoding`);
        continue;
      }
      members.push([key, value]);
    }
    if (members.length === 0) return next;
    const { accepted, dropped } = limitBaggageMembers(members);
    if (dropped > 0) diag.debug(`mltrace: dropped ${dropped} X-Baggage/X-ML/X-Business headers over the W3C baggage limits`);
    let baggage = propagation.getBaggage(next) ?? propagation.createBaggage();
    for (const [key, value] of accepted) baggage = baggage.setEntry(key, { value });
    return propagation.setBaggage(next, baggage);
  }

  fields(): string[] {
    return this.writes ? [X_TRACE_ID, X_SPAN_ID, X_PARENT_SPAN_ID, ...ML_KEY_TO_HEADER.values()] : [];
  }
}
