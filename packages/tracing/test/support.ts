// In-process SDK for unit tests: the real TracerProvider with the AsyncLocalStorage
// context manager, mltrace's propagator and baggage processor, spans kept in memory.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { BaggageAttributesSpanProcessor } from '../src/processors/baggage-attributes';
import { createPropagator } from '../src/propagation/composite';

export function setupInMemoryTracing(): { exporter: InMemorySpanExporter; provider: TracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new BaggageAttributesSpanProcessor(), new SimpleSpanProcessor({ exporter })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(createPropagator());
  trace.setGlobalTracerProvider(provider);
  return { exporter, provider };
}
