import { propagation, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BAGGAGE_TO_ATTRIBUTE } from '../attributes';

const MAPPING = Object.entries(BAGGAGE_TO_ATTRIBUTE);

/**
 * Copies the ML and business members of W3C baggage onto every span as it
 * starts (`model_version` → `ml.model.version`, …), so each service's spans
 * can be sliced by model, experiment or segment without the code setting them.
 * Only the fixed members in BAGGAGE_TO_ATTRIBUTE are copied: arbitrary baggage
 * is never turned into span attributes. An attribute the code already set when
 * it started the span wins: it knows better than the inherited context (e.g. the
 * model version a request body asked for).
 */
export class BaggageAttributesSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const [key, attribute] of MAPPING) {
      const entry = baggage.getEntry(key);
      if (entry !== undefined && entry.value !== '' && span.attributes[attribute] === undefined) {
        span.setAttribute(attribute, entry.value);
      }
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
