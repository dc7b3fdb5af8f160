import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { BAGGAGE_TO_ATTRIBUTE, ML_CONTEXT_KEYS } from './attributes';
import type { MLContext } from './types';

/** The ML and business members of the W3C baggage in `ctx` (default: the active context). */
export function getMLContext(ctx: Context = context.active()): MLContext {
  const out: MLContext = {};
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return out;
  for (const key of ML_CONTEXT_KEYS) {
    const entry = baggage.getEntry(key);
    if (entry !== undefined && entry.value !== '') out[key] = entry.value;
  }
  return out;
}

/**
 * Runs `fn` with `values` added to the baggage, so every span started inside
 * it and every request it sends downstream carries them. Empty or undefined
 * values are skipped. The span already active is annotated too, since the
 * baggage processor only sees spans that start later.
 */
export function withMLContext<T>(values: MLContext, fn: () => T): T {
  const active = context.active();
  let baggage = propagation.getBaggage(active) ?? propagation.createBaggage();
  const span = trace.getSpan(active);
  const recording = span?.isRecording() === true;
  for (const key of ML_CONTEXT_KEYS) {
    const value = values[key];
    if (value === undefined || value === '') continue;
    baggage = baggage.setEntry(key, { value });
    if (recording) span!.setAttribute(BAGGAGE_TO_ATTRIBUTE[key], value);
  }
  return context.with(propagation.setBaggage(active, baggage), fn);
}
