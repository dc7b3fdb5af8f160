import { propagation, type Baggage, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_USER_AGENT_SYNTHETIC_TYPE,
  USER_AGENT_SYNTHETIC_TYPE_VALUE_BOT,
  USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST,
} from '../semconv';
import { BAGGAGE_TO_ATTRIBUTE, SYNTHETIC_BAGGAGE_KEY } from '../attributes';

const MAPPING = Object.entries(BAGGAGE_TO_ATTRIBUTE);
const SYNTHETIC_TYPES: ReadonlySet<string> = new Set([USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST, USER_AGENT_SYNTHETIC_TYPE_VALUE_BOT]);

type Pairs = ReadonlyArray<readonly [attribute: string, value: string]>;
const NONE: Pairs = [];

/**
 * The attributes one baggage yields, kept on the baggage itself. Baggage is
 * immutable and every span of a request (in each hop) shares one instance, so
 * it is read once per request, not once per span. A symbol-keyed property
 * costs far less than a WeakMap here (measured: a WeakMap cache was slower
 * than reading the entries again).
 */
const PAIRS = Symbol('mltrace baggage attributes');
type Cached = Baggage & { [PAIRS]?: Pairs };

function attributesOf(baggage: Cached): Pairs {
  const cached = baggage[PAIRS];
  if (cached !== undefined) return cached;
  const found: Array<readonly [string, string]> = [];
  for (const [key, attribute] of MAPPING) {
    const value = baggage.getEntry(key)?.value;
    if (value) found.push([attribute, value]);
  }
  const synthetic = baggage.getEntry(SYNTHETIC_BAGGAGE_KEY)?.value;
  if (synthetic !== undefined && SYNTHETIC_TYPES.has(synthetic)) found.push([ATTR_USER_AGENT_SYNTHETIC_TYPE, synthetic]);
  const pairs = found.length > 0 ? found : NONE;
  try {
    baggage[PAIRS] = pairs;
  } catch {
    // A frozen baggage implementation: no cache, still correct.
  }
  return pairs;
}

/**
 * Copies the ML and business members of W3C baggage onto every span as it
 * starts (`model_version` → `ml.model.version`, …), so each service's spans
 * can be sliced by model, experiment or segment without the code setting them;
 * and the load generator's `synthetic_type=test` member as semconv
 * `user_agent.synthetic.type`. Only these fixed members are copied: arbitrary
 * baggage is never turned into span attributes. An attribute the code already
 * set when it started the span wins: it knows better than the inherited
 * context (e.g. the model version a request body asked for). Spans that are
 * not recorded (sampled out) are skipped.
 */
export class BaggageAttributesSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (!span.isRecording()) return;
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    const pairs = attributesOf(baggage);
    for (let i = 0; i < pairs.length; i++) {
      const [attribute, value] = pairs[i]!;
      if (span.attributes[attribute] === undefined) span.setAttribute(attribute, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
