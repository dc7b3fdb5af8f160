// In-process SDK for unit tests: the real NodeTracerProvider (AsyncLocalStorage
// context), mltrace's propagator and baggage processor, spans kept in memory.
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BaggageAttributesSpanProcessor } from '../src/processors/baggage-attributes';
import { createPropagator } from '../src/propagation/composite';

export function setupInMemoryTracing(): { exporter: InMemorySpanExporter; provider: NodeTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [new BaggageAttributesSpanProcessor(), new SimpleSpanProcessor(exporter)],
  });
  provider.register({ propagator: createPropagator() });
  return { exporter, provider };
}
