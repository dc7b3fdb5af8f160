// End to end: the four services as separate processes with the tracing preload, a private seeded
// redis-server, requests with W3C baggage, and assertions on the spans the file exporter wrote.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasRedisServer } from '@mltrace/stack';
import { startSystem, type RunningSystem } from '@mltrace/stack';
import { FILE_TRACING_ENV } from './file-tracing-env';
import { readExportedSpans, SpanKind, StatusCode, traceOf, type ExportedSpan } from './traces';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-e2e-'));
const tracesDir = join(tmp, 'traces');
let system: RunningSystem;

interface Sent {
  status: number;
  body: any;
  traceId: string;
  traceresponse: string | null;
}

async function send(body: unknown, baggage: string, traceparent?: string): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json', baggage };
  if (traceparent) headers.traceparent = traceparent;
  const res = await fetch(`${system.urls.gateway}/v1/predict`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.json(), traceId: res.headers.get('x-trace-id') ?? '', traceresponse: res.headers.get('traceresponse') };
}

const ENTERPRISE = 'model_version=v2,customer_segment=enterprise,region=eu-west,priority=high,experiment_id=e2e';
const CONSUMER = 'model_version=v1,customer_segment=consumer,region=us-east,priority=low';
const callerSpanId = randomBytes(8).toString('hex');
const callerTraceId = randomBytes(16).toString('hex');

let enterprise: Sent;
let consumer: Sent;
let assigned: Sent;
let invalid: Sent;
let downstreamDown: Sent;
let spans: ExportedSpan[];

before(async () => {
  assert.ok(hasRedisServer(), 'the end-to-end test needs the redis-server binary');
  system = await startSystem({
    ports: 'auto',
    redis: 'private',
    seedCustomers: 1000,
    tracesDir,
    logsDir: join(tmp, 'logs'),
    // Whatever the developer's shell says, these runs export spans to files and choose no sampler:
    // the stack's default, config/sampling-strategies.json (every service at 1.0), applies.
    env: FILE_TRACING_ENV,
  });
  enterprise = await send({ entities: ['cust-00001', 'cust-00002'] }, ENTERPRISE);
  consumer = await send({ entities: ['cust-00003'] }, CONSUMER, `00-${callerTraceId}-${callerSpanId}-01`);
  assigned = await send({ entities: ['cust-00004'] }, 'customer_segment=smb,region=ap-south');
  invalid = await send({ entities: [] }, ENTERPRISE);
  await system.stopService('inference');
  downstreamDown = await send({ entities: ['cust-00005'] }, ENTERPRISE);
  // stop() ends every process with SIGTERM; each flushes its spans before exiting.
  await system.stop();
  spans = readExportedSpans(tracesDir);
});

after(async () => {
  await system?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const CONTEXT_ATTRIBUTES = {
  'ml.model.version': 'v2',
  'business.customer_segment': 'enterprise',
  'business.region': 'eu-west',
  'business.priority': 'high',
  'ml.experiment.id': 'e2e',
};

test('responses: predictions, request_id = x-trace-id, W3C traceresponse', () => {
  assert.equal(enterprise.status, 200, JSON.stringify(enterprise.body));
  assert.equal(enterprise.body.predictions.length, 2);
  assert.equal(enterprise.body.model.version, 'v2');
  assert.equal(enterprise.body.request_id, enterprise.traceId);
  assert.match(enterprise.traceresponse ?? '', new RegExp(`^00-${enterprise.traceId}-[0-9a-f]{16}-01$`));
  // A caller's traceparent is continued, not replaced.
  assert.equal(consumer.status, 200);
  assert.equal(consumer.traceId, callerTraceId);
});

test('one trace per request spanning all four services, parented hop by hop', () => {
  const t = traceOf(spans, enterprise.traceId);
  assert.deepEqual(t.services, ['feature-store', 'gateway', 'inference', 'postprocess']);
  const root = t.server('gateway');
  assert.ok(root, 'gateway server span');
  assert.equal(root.parentSpanId, '', 'the gateway server span is the root');
  // The stack's default sampler (the repository's strategies file) decided, and says so on the root.
  assert.equal(typeof root.attributes['mltrace.sampling.rule'], 'string', JSON.stringify(root.attributes));
  assert.equal(root.attributes['mltrace.sampling.probability'], 1);
  assert.equal(root.attributes['http.response.status_code'], 200);
  assert.equal(enterprise.traceresponse, `00-${enterprise.traceId}-${root.spanId}-01`, 'traceresponse names the server span');
  for (const service of ['feature-store', 'inference', 'postprocess']) {
    const servers = t.find((s) => s.serviceName === service && s.kind === SpanKind.SERVER);
    assert.ok(servers.length >= 1, `${service} server span`);
    for (const server of servers) {
      const client = t.parent(server);
      assert.ok(client, `${service} server span has its parent in the trace`);
      assert.equal(client.serviceName, 'gateway');
      assert.equal(client.kind, SpanKind.CLIENT);
      assert.equal(client.attributes['server.port'], Number(new URL(system.urls[service as 'inference']).port));
      assert.ok(t.isUnder(client, root), `${service} client span under the gateway server span`);
    }
  }
  // The feature lookup and the profile enrichment: two feature-store calls.
  assert.equal(t.find((s) => s.serviceName === 'feature-store' && s.kind === SpanKind.SERVER).length, 2);
  // The caller's span is the parent of the gateway span in the continued trace.
  assert.equal(traceOf(spans, consumer.traceId).server('gateway')?.parentSpanId, callerSpanId);
});

test('ioredis spans under the feature-store server span', () => {
  const t = traceOf(spans, enterprise.traceId);
  const redis = t.find((s) => s.serviceName === 'feature-store' && s.kind === SpanKind.CLIENT && (s.attributes['db.system.name'] ?? s.attributes['db.system']) === 'redis');
  assert.ok(redis.length >= 1, 'redis client spans');
  for (const r of redis) {
    const server = t.find((s) => s.serviceName === 'feature-store' && s.kind === SpanKind.SERVER).find((s) => t.isUnder(r, s));
    assert.ok(server, `redis span ${r.name} under a feature-store server span`);
  }
});

test('the model-prediction span: model name, version, input shape, confidence', () => {
  const t = traceOf(spans, enterprise.traceId);
  const [prediction, ...more] = t.find((s) => s.attributes['ml.operation.type'] === 'model_prediction');
  assert.ok(prediction, 'model_prediction span');
  assert.equal(more.length, 0);
  assert.equal(prediction.serviceName, 'inference');
  assert.ok(t.isUnder(prediction, t.server('inference')!));
  assert.equal(prediction.attributes['ml.model.name'], enterprise.body.model.name);
  assert.equal(prediction.attributes['ml.model.version'], 'v2');
  assert.deepEqual(prediction.attributes['ml.input.shape'], [2, 12]);
  const confidence = Number(prediction.attributes['ml.prediction.confidence.mean'] ?? prediction.attributes['ml.prediction.confidence']);
  const answered = enterprise.body.predictions.map((p: { confidence: number }) => p.confidence);
  assert.ok(Math.abs(confidence - answered.reduce((a: number, b: number) => a + b, 0) / answered.length) < 1e-3, `span confidence ${confidence} vs answered ${answered}`);
});

test('the ML context from baggage is on every span of the trace', () => {
  const t = traceOf(spans, enterprise.traceId);
  assert.ok(t.spans.length >= 12, `${t.spans.length} spans`);
  for (const s of t.spans) {
    for (const [key, value] of Object.entries(CONTEXT_ATTRIBUTES)) {
      assert.equal(s.attributes[key], value, `${s.serviceName} '${s.name}' ${key}`);
    }
  }
  const other = traceOf(spans, consumer.traceId);
  for (const s of other.spans) assert.equal(s.attributes['business.customer_segment'], 'consumer', `${s.serviceName} '${s.name}'`);
});

test('an experiment arm assigned by the gateway travels downstream as baggage', () => {
  assert.equal(assigned.status, 200);
  const t = traceOf(spans, assigned.traceId);
  const version = assigned.body.model.version;
  assert.ok(['v1', 'v2'].includes(version));
  assert.equal(t.server('gateway')?.attributes['ml.model.version'], version, 'the gateway root span carries the assignment');
  for (const service of ['inference', 'postprocess', 'feature-store']) {
    const server = t.server(service);
    assert.equal(server?.attributes['ml.model.version'], version, service);
    assert.equal(server?.attributes['ml.experiment.arm'], version, service);
    assert.equal(server?.attributes['business.region'], 'ap-south', service);
  }
});

test('a 400 for an invalid body: server span status unset (semconv), the rejection recorded on it under the code the caller got, without a stack', () => {
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.code, 'GW_INVALID_REQUEST');
  const t = traceOf(spans, invalid.traceId);
  assert.deepEqual(t.services, ['gateway'], 'nothing called downstream');
  const server = t.server('gateway')!;
  assert.equal(server.attributes['http.response.status_code'], 400);
  assert.equal(invalid.traceresponse, `00-${invalid.traceId}-${server.spanId}-01`, 'error answers carry traceresponse too');
  // HTTP semconv: 4xx is the caller's error, so a SERVER span leaves its status unset.
  assert.equal(server.status.code ?? StatusCode.UNSET, StatusCode.UNSET);
  assert.equal(server.attributes['error.type'], 'GW_INVALID_REQUEST', 'the code sent to the caller, not fastify\'s own');
  const events = server.events.filter((e) => e.name === 'exception');
  assert.equal(events.length, 1, 'one exception event');
  assert.equal(events[0]!.attributes['exception.type'], 'GW_INVALID_REQUEST');
  assert.match(String(events[0]!.attributes['exception.message']), /entities/);
  assert.equal(events[0]!.attributes['exception.stacktrace'], undefined, 'a 4xx is no bug: no stack');
});

test('a stopped downstream service: 503 naming it, ERROR on the failing hop in the same trace', () => {
  assert.equal(downstreamDown.status, 503, JSON.stringify(downstreamDown.body));
  assert.equal(downstreamDown.body.code, 'GW_DEPENDENCY_UNAVAILABLE');
  assert.match(downstreamDown.body.message, /^inference is unavailable/);
  const t = traceOf(spans, downstreamDown.traceId);
  assert.deepEqual(t.services, ['feature-store', 'gateway'], 'the hop before the failure is in the trace, inference is not');
  const root = t.server('gateway')!;
  assert.equal(root.attributes['http.response.status_code'], 503);
  assert.equal(root.status.code, StatusCode.ERROR);
  const port = Number(new URL(system.urls.inference).port);
  const hop = t.find((s) => s.kind === SpanKind.CLIENT && s.attributes['server.port'] === port);
  assert.equal(hop.length, 1, 'one client span to inference (no retries)');
  assert.equal(hop[0]!.status.code, StatusCode.ERROR);
  assert.ok(t.isUnder(hop[0]!, root));
});

