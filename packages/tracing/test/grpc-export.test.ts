// OTEL_EXPORTER_OTLP_PROTOCOL=grpc: a real service process exports over OTLP/gRPC
// to a real gRPC receiver that decodes what arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOtlpGrpcReceiver, stopProcess } from '@mltrace/testkit';
import { post, SERVER, startApp } from './preload-support';

test('OTLP over gRPC: the spans of two traced apps arrive at a gRPC receiver, decoded, in one trace', async (t) => {
  const receiver = await startOtlpGrpcReceiver();
  t.after(() => receiver.close());
  const env = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint };
  const b = await startApp('app-b.js', { ...env, OTEL_SERVICE_NAME: 'app-b' });
  t.after(() => stopProcess(b.child));
  const a = await startApp('app-a.js', { ...env, OTEL_SERVICE_NAME: 'app-a', B_URL: b.url });
  t.after(() => stopProcess(a.child));

  await post(`${a.url}/v1/call`, { baggage: 'model_version=v2' });
  // SIGTERM flushes the batch processor through the gRPC exporter before the process exits.
  await Promise.all([stopProcess(a.child), stopProcess(b.child)]);
  assert.equal((await a.exited).code, 0, a.stderr());
  assert.doesNotMatch(a.stderr() + b.stderr(), /not supported|grpc.*warn/i, 'no protocol warning');

  assert.ok(receiver.requests() >= 2, `one Export call per process at least, got ${receiver.requests()}`);
  const aServer = receiver.spans.find((s) => s.serviceName === 'app-a' && s.kind === SERVER && s.name === 'POST /v1/call');
  assert.ok(aServer, `got ${receiver.spans.map((s) => `${s.serviceName}:${s.kind}:${s.name}`).join(', ')}`);
  assert.match(aServer.traceId, /^[0-9a-f]{32}$/);
  const bServer = receiver.spans.find((s) => s.serviceName === 'app-b' && s.kind === SERVER && s.traceId === aServer.traceId);
  assert.ok(bServer, 'B\'s server span arrived in the same trace');
  assert.equal(bServer.attributes['ml.model.version'], 'v2', 'the ML baggage crossed the wire as an attribute');
  assert.equal(bServer.attributes['http.request.method'], 'POST');
});
