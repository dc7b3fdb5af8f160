import { context, defaultTextMapGetter, propagation, ROOT_CONTEXT, type Baggage } from '@opentelemetry/api';
import { createPropagator, isTracingActive, type MLContext, type MLContextKey } from '@mltrace/tracing';
import { GwInvalidBaggageError } from './errors';

/**
 * The trust boundary of the ML context: the gateway is the public entry, so it decides which
 * baggage members of a caller travel on. Only these are taken from outside, each within its
 * limits; a value outside them is a 400 GW_INVALID_BAGGAGE naming the member. Every other member
 * (including `model_name`, `feature_version` and `data_batch_id`, which the services set from
 * what they actually used) is dropped here: not sent downstream, not copied onto their spans.
 * `experiment_id`, `experiment_arm` and `model_version` are also set by the gateway itself when it
 * assigns an A/B arm (see pipeline.ts). README "Baggage: what the gateway accepts" documents it.
 */
export const CALLER_BAGGAGE: Readonly<Partial<Record<MLContextKey | 'synthetic_type', MemberRule>>> = {
  model_version: token(64),
  experiment_id: token(64),
  experiment_arm: token(64),
  // The post-processor's `segment` field allows 32 characters.
  customer_segment: token(32),
  region: token(32),
  product_area: token(64),
  // Acts on sampling (config/sampling-strategies.json keeps every priority=high trace): kept from
  // outside on purpose (the load generator and the demo use it), but only these three values.
  priority: oneOf(['low', 'normal', 'high']),
  // The load generator's marker of synthetic traffic (user_agent.synthetic.type).
  synthetic_type: oneOf(['test', 'bot']),
};

interface MemberRule {
  valid(value: string): boolean;
  /** What a valid value is, for the error message. */
  expected: string;
}

function token(maxLength: number): MemberRule {
  const pattern = new RegExp(`^[A-Za-z0-9._:-]{1,${maxLength}}$`);
  return { valid: (v) => pattern.test(v), expected: `1 to ${maxLength} characters of A-Z a-z 0-9 . _ : -` };
}

function oneOf(values: readonly string[]): MemberRule {
  return { valid: (v) => values.includes(v), expected: `one of ${values.join(', ')}` };
}

/** What the gateway goes on with: the accepted members, as ML context and as the baggage to propagate. */
export interface AcceptedBaggage {
  readonly ml: Readonly<MLContext>;
  readonly baggage: Baggage;
}

/** Reads the legacy X-ML-*, X-Business-* and X-Baggage-* headers too, as the tracing preload does. */
const untracedPropagator = createPropagator();

/**
 * The caller's baggage. With the tracing preload it is in the active context already; without it
 * (the untraced baseline) the headers are read here with the same propagator (W3C `baggage` and
 * the legacy X-ML-* headers), so routing by model version and segment is the same either way.
 */
export function callerBaggage(headers: Record<string, string | string[] | undefined>): Baggage | undefined {
  if (isTracingActive()) return propagation.getBaggage(context.active());
  return propagation.getBaggage(untracedPropagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
}

const NONE_ACCEPTED: AcceptedBaggage = Object.freeze({ ml: Object.freeze({}), baggage: propagation.createBaggage() });

/**
 * What was accepted from each caller Baggage, by identity. The propagator hands out one immutable
 * Baggage per distinct header value (its parse cache), and ML context is low-cardinality: a
 * repeated header is checked and copied once, and the same accepted Baggage going downstream keeps
 * its serialized header (serialized once, not per request). A WeakMap: it holds nothing the
 * propagator's cache has let go. Refusals are not kept; they throw every time.
 */
const acceptedOf = new WeakMap<Baggage, AcceptedBaggage>();

/** Keeps the members of CALLER_BAGGAGE; throws GwInvalidBaggageError for the first value outside its limits. The result is frozen (shared). */
export function acceptBaggage(baggage: Baggage | undefined): AcceptedBaggage {
  if (!baggage) return NONE_ACCEPTED;
  const known = acceptedOf.get(baggage);
  if (known) return known;
  const ml: MLContext = {};
  let accepted = propagation.createBaggage();
  for (const [key, entry] of baggage.getAllEntries()) {
    // An empty value is no value, as getMLContext reads it.
    if (!Object.hasOwn(CALLER_BAGGAGE, key) || entry.value === '') continue;
    const rule = CALLER_BAGGAGE[key as keyof typeof CALLER_BAGGAGE] as MemberRule;
    if (!rule.valid(entry.value)) throw new GwInvalidBaggageError(key, rule.expected, describeValue(entry.value));
    accepted = accepted.setEntry(key, { value: entry.value });
    if (key !== 'synthetic_type') ml[key as MLContextKey] = entry.value;
  }
  const result: AcceptedBaggage = Object.freeze({ ml: Object.freeze(ml), baggage: accepted });
  acceptedOf.set(baggage, result);
  return result;
}

/** A short, printable rendering of a rejected value (it may be long or hold control characters). */
function describeValue(value: string): string {
  const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value.length > 40 ? `${shown} (${value.length} characters)` : shown;
}
