// instrumentation-ioredis under mltrace: a Redis command under an unsampled parent starts no span
// at all (the sampler is not even asked), under a sampled parent it is a child span as before.
// Real redis-server, real ioredis, real SDK with the default parent-based sampler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { hasRedisServer, startRedisServer } from '@mltrace/testkit';
import { setupInMemoryTracing } from './support';
import { MltraceIORedisInstrumentation } from '../src/instrumentations/ioredis';
import { getTracer } from '../src/index';

const { exporter, provider } = setupInMemoryTracing();
/** Every span the instrumentation starts, recording or not, goes through its request hook. */
let spansStarted = 0;
const instrumentation = new MltraceIORedisInstrumentation({
  requireParentSpan: true,
  followsParentSampling: true,
  requestHook: () => void spansStarted++,
});
const unregister = registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });
// Loaded after the instrumentation is registered, as the preload does it, so its require hook patches ioredis.
const Redis = require('ioredis') as typeof import('ioredis').default;

const skip = !hasRedisServer() && 'redis-server is not installed';
let redis: InstanceType<typeof Redis> | undefined;
let stopRedis: (() => Promise<void>) | undefined;

before(async () => {
  if (skip) return;
  const server = await startRedisServer();
  stopRedis = () => server.stop();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  await redis.set('mltrace:test:key', 'v');
});
after(async () => {
  unregister();
  redis?.disconnect();
  await stopRedis?.();
});

test('under an unsampled parent: the command runs, no span is started', { skip }, async () => {
  exporter.reset();
  spansStarted = 0;
  const parent = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true };
  const value = await context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => redis!.hmget('mltrace:test:key-hash', 'a', 'b'));
  assert.deepEqual(value, [null, null]);
  assert.equal(await context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => redis!.get('mltrace:test:key')), 'v');
  assert.equal(spansStarted, 0, 'no span, not even a non-recording one');
  assert.equal(exporter.getFinishedSpans().length, 0);
});

test('under a sampled parent: a CLIENT child span per command, as upstream', { skip }, async () => {
  exporter.reset();
  spansStarted = 0;
  await getTracer().startActiveSpan('request', async (span) => {
    assert.equal(await redis!.get('mltrace:test:key'), 'v');
    span.end();
  });
  const spans = exporter.getFinishedSpans();
  const get = spans.find((s) => s.name === 'get');
  const parent = spans.find((s) => s.name === 'request');
  assert.equal(get?.kind, SpanKind.CLIENT);
  assert.equal(get?.parentSpanContext?.spanId, parent?.spanContext().spanId);
  assert.equal(spansStarted, 1);
});

test('followsParentSampling off: upstream behaviour, a non-recording span under an unsampled parent', { skip }, async () => {
  exporter.reset();
  const upstream = new MltraceIORedisInstrumentation({ requireParentSpan: true, requestHook: () => void spansStarted++ });
  // Only its patch builder is compared, on a stand-in command: the module is patched once, by the instance above.
  spansStarted = 0;
  const sendCommand = (upstream as unknown as { _traceSendCommand(o: (cmd: object) => unknown): (this: object, cmd: object) => unknown })._traceSendCommand(() => 'sent');
  const parent = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true };
  const cmd = { name: 'get', args: ['k'], resolve: () => {}, reject: () => {} };
  const result = context.with(trace.setSpanContext(ROOT_CONTEXT, parent), () => sendCommand.call({ options: { host: 'h', port: 1 } }, cmd));
  assert.equal(result, 'sent');
  assert.equal(spansStarted, 1, 'upstream starts a (non-recording) span');
  assert.equal(exporter.getFinishedSpans().filter((s) => s.name === 'get').length, 0);
});
