// Shared by the sampling*.test.ts files: seeded ids, a manual clock, a real SDK tracer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@mltrace/dataset';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type Sampler } from '@opentelemetry/sdk-trace';

/** Seeded hex ids, so "random" trace ids, and thus every count asserted on, are reproducible. */
export function seededHex(seed: number): (chars: number) => string {
  const rnd = mulberry32(seed);
  return (chars) => Array.from({ length: chars }, () => Math.floor(rnd() * 16).toString(16)).join('');
}

export function seededTraceIds(seed: number, n: number): string[] {
  const hex = seededHex(seed);
  return Array.from({ length: n }, () => hex(32));
}

export interface ManualClock {
  now: () => number;
  advance: (ms: number) => void;
  set: (ms: number) => void;
}

export function manualClock(start = 1_000_000): ManualClock {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms), set: (ms) => void (t = ms) };
}

/** A real SDK tracer provider with the given sampler, seeded ids and an in-memory exporter. */
export function tracerWith(sampler: Sampler, seed = 1) {
  const hex = seededHex(seed);
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler,
    idGenerator: { generateTraceId: () => hex(32), generateSpanId: () => hex(16) },
    spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })],
  });
  return { tracer: provider.getTracer('sampling-test'), exporter, provider };
}

export function writeStrategies(content: unknown, name = 'strategies.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-sampling-'));
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** Collects warnings instead of printing them. */
export function warnings(): { warn: (m: string) => void; list: string[] } {
  const list: string[] = [];
  return { warn: (m) => void list.push(m), list };
}
