import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startOtlpSink } from '../src';

test('the OTLP sink counts the bytes and the spans per scope that the real OTLP/HTTP protobuf exporter sends', async (t) => {
  const sink = await startOtlpSink();
  t.after(() => sink.close());
  const provider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: sink.endpoint }), maxExportBatchSize: 7, scheduledDelayMillis: 10 })],
  });
  const a = provider.getTracer('scope-a');
  const b = provider.getTracer('scope-b');
  for (let i = 0; i < 20; i++) a.startSpan(`a-${i}`, { attributes: { 'ml.model.version': 'v2', i } }).end();
  for (let i = 0; i < 5; i++) b.startSpan(`b-${i}`).end();
  await provider.forceFlush();
  await provider.shutdown();
  const tally = sink.tally();
  assert.equal(tally.spans, 25);
  assert.deepEqual(tally.byScope, { 'scope-a': 20, 'scope-b': 5 });
  assert.equal(tally.badRequests, 0);
  // Several batches of protobuf, each well over the bare span names.
  assert.ok(tally.bytes > 25 * 20, `bytes ${tally.bytes}`);
  sink.reset();
  assert.equal(sink.tally().spans, 0);
});

test('a body that is not protobuf is refused and counted, not crashed on', async (t) => {
  const sink = await startOtlpSink();
  t.after(() => sink.close());
  const res = await fetch(sink.endpoint, { method: 'POST', body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]) });
  assert.equal(res.status, 400);
  assert.equal(sink.tally().badRequests, 1);
});

test('metrics and logs (what a default SDK sends too) are accepted and not counted as spans', async (t) => {
  const sink = await startOtlpSink();
  t.after(() => sink.close());
  for (const path of ['/v1/metrics', '/v1/logs']) {
    const res = await fetch(`${sink.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0x00]) });
    assert.equal(res.status, 200, path);
  }
  assert.deepEqual(sink.tally(), { bytes: 0, spans: 0, byScope: {}, byService: {}, badRequests: 0 });
});
