import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { readExportedSpans } from '@mltrace/testkit';
import { FileSpanExporter, traceFileName } from '../src/exporters/file-exporter';
import { CountingBatchSpanProcessor, SpanCounters } from '../src/processors/counting-batch-processor';

function makeSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'file-test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
  });
  const tracer = provider.getTracer('t');
  const parent = tracer.startSpan('parent', { attributes: { 'ml.input.shape': [2, 12], ok: true } });
  const child = tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, parent));
  child.end();
  parent.end();
  return memory.getFinishedSpans();
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

test('file exporter appends one OTLP/JSON ExportTraceServiceRequest per line, with hex ids', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const exporter = new FileSpanExporter({ dir: join(dir, 'nested'), serviceName: '@scope/svc name', pid: 4242 });
  assert.equal(exporter.path, join(dir, 'nested', '_scope_svc_name-4242.jsonl'));
  const spans = makeSpans();
  assert.equal((await exportOnce(exporter, spans)).code, ExportResultCode.SUCCESS);
  assert.equal((await exportOnce(exporter, spans.slice(0, 1))).code, ExportResultCode.SUCCESS);
  await exporter.shutdown();

  const lines = readFileSync(exporter.path, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const req = JSON.parse(lines[0]!) as { resourceSpans: Array<{ resource: { attributes: unknown[] }; scopeSpans: Array<{ spans: any[] }> }> };
  const raw = req.resourceSpans[0]!.scopeSpans[0]!.spans;
  assert.equal(raw.length, 2);
  for (const s of raw) {
    assert.match(s.traceId, /^[0-9a-f]{32}$/);
    assert.match(s.spanId, /^[0-9a-f]{16}$/);
    assert.match(String(s.startTimeUnixNano), /^\d{19}$/);
  }
  const child = raw.find((s) => s.name === 'child');
  const parent = raw.find((s) => s.name === 'parent');
  assert.equal(child.parentSpanId, parent.spanId);
  assert.equal(parent.parentSpanId, undefined);

  // The shared reader (used by every end-to-end test) understands the file.
  const flat = readExportedSpans(join(dir, 'nested'));
  assert.equal(flat.length, 3);
  assert.equal(flat[0]?.serviceName, 'file-test');
  assert.deepEqual(flat.find((s) => s.name === 'parent')?.attributes['ml.input.shape'], [2, 12]);

  // After shutdown an export fails instead of pretending.
  assert.equal((await exportOnce(exporter, spans)).code, ExportResultCode.FAILED);
});

test('an unwritable traces dir fails the export (and is counted as dropped)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-file-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  const counters = new SpanCounters();
  const failures: Array<Error | undefined> = [];
  const processor = new CountingBatchSpanProcessor(new FileSpanExporter({ dir: join(blocker, 'traces'), serviceName: 's' }), counters, { scheduledDelayMillis: 10 }, (e) => failures.push(e));
  for (const span of makeSpans()) processor.onEnd(span);
  await processor.forceFlush().catch(() => {});
  assert.equal(counters.snapshot().droppedExportFailed, 2);
  assert.equal(counters.snapshot().exported, 0);
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]?.message), /ENOTDIR|EEXIST/);
});

/** An exporter whose batches stay in flight until the test settles them. */
class GateExporter implements SpanExporter {
  pending: Array<{ n: number; done: (r: ExportResult) => void }> = [];
  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    this.pending.push({ n: spans.length, done });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

test('queue overflow and failed exports are counted, successes too', async () => {
  const gate = new GateExporter();
  const counters = new SpanCounters();
  const processor = new CountingBatchSpanProcessor(gate, counters, { maxQueueSize: 5, maxExportBatchSize: 5, scheduledDelayMillis: 60_000, exportTimeoutMillis: 60_000 });
  const spans = makeSpans();
  const end = (n: number) => {
    for (let i = 0; i < n; i++) processor.onEnd(spans[i % spans.length]!);
  };
  end(5); // a full batch goes to the exporter at once and stays in flight
  assert.equal(gate.pending.length, 1);
  assert.equal(counters.inFlight, 5);
  end(7); // queue holds 5 more while the export is busy; 2 are dropped
  assert.equal(processor.queued(), 5);
  assert.equal(counters.snapshot().droppedQueueFull, 2);

  gate.pending[0]!.done({ code: ExportResultCode.FAILED, error: new Error('collector down') });
  assert.equal(counters.snapshot().droppedExportFailed, 5);
  assert.equal(counters.inFlight, 0);

  const flushed = processor.forceFlush().catch(() => {});
  await new Promise((r) => setImmediate(r));
  const next = gate.pending.at(-1)!;
  assert.equal(next.n, 5);
  next.done({ code: ExportResultCode.SUCCESS });
  await flushed;
  assert.deepEqual(counters.snapshot(), { exported: 5, droppedQueueFull: 2, droppedExportFailed: 5, droppedAtShutdown: 0, dropped: 7 });

  // Spans that end after shutdown began are counted, not silently ignored.
  await processor.shutdown();
  end(1);
  assert.equal(counters.snapshot().droppedAtShutdown, 1);
});

test('traceFileName keeps the service readable and the name safe', () => {
  assert.equal(traceFileName('gateway', 12), 'gateway-12.jsonl');
  assert.equal(traceFileName('../../etc', 1), '.._.._etc-1.jsonl');
});
