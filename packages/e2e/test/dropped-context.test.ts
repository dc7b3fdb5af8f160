// The gateway's `dropped-context` scenario, seen in the exported traces: postprocess ends up in a
// trace of its own, without the request's baggage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSystem, type RunningSystem } from '@mltrace/stack';
import { readExportedSpans, SpanKind, traceOf } from './traces';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-dropped-'));
let system: RunningSystem | undefined;

after(async () => {
  await system?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('dropped-context: postprocess is cut off into a separate trace with no ML context', async () => {
  const tracesDir = join(tmp, 'traces');
  system = await startSystem({
    ports: 'auto',
    redis: 'memory',
    scenario: 'dropped-context',
    tracesDir,
    logsDir: join(tmp, 'logs'),
    serviceEnv: { 'feature-store': { FEATURE_MEMORY_CUSTOMERS: '200' } },
    env: { OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_SDK_DISABLED: undefined },
  });
  const traceIds: string[] = [];
  for (const entity of ['cust-00001', 'cust-00002']) {
    const res = await fetch(`${system.urls.gateway}/v1/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', baggage: 'model_version=v1,customer_segment=premium' },
      body: JSON.stringify({ entities: [entity] }),
    });
    assert.equal(res.status, 200, 'the scenario breaks the trace, not the request');
    traceIds.push(res.headers.get('x-trace-id') ?? '');
  }
  await system.stop();
  const spans = readExportedSpans(tracesDir);

  for (const traceId of traceIds) {
    const t = traceOf(spans, traceId);
    assert.deepEqual(t.services, ['feature-store', 'gateway', 'inference'], 'postprocess is missing from the request trace');
    // The gateway's own client span to postprocess is the root of a new trace.
    const port = Number(new URL(system.urls.postprocess).port);
    const orphanClient = spans.find((s) => s.serviceName === 'gateway' && s.kind === SpanKind.CLIENT && s.attributes['server.port'] === port && s.traceId !== traceId && s.parentSpanId === '');
    assert.ok(orphanClient, 'a root client span to postprocess in another trace');
  }
  const post = spans.filter((s) => s.serviceName === 'postprocess' && s.kind === SpanKind.SERVER);
  assert.equal(post.length, 2);
  for (const s of post) {
    assert.ok(!traceIds.includes(s.traceId));
    assert.equal(s.attributes['business.customer_segment'], undefined, 'no baggage reached postprocess');
    assert.equal(s.attributes['ml.model.version'], undefined);
  }
});
