// The undici client span starts in the context of the *call*, not of whatever request happened to
// free the pool connection that finally carries it; and a call cut by a deadline is an ERROR.
// Real undici Pool (1 connection, so every other call queues), real sockets, real SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncResource } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { setupInMemoryTracing } from './support';
import { MltraceUndiciInstrumentation } from '../src/instrumentations/undici';
import { getTracer } from '../src/index';

const { exporter, provider } = setupInMemoryTracing();
const instrumentation = new MltraceUndiciInstrumentation({ followsParentSampling: true });
const unregister = registerInstrumentations({ instrumentations: [instrumentation], tracerProvider: provider });
// Loaded after the instrumentation is registered, as the preload does it, so its require hook patches undici.
const undici = require('undici') as typeof import('undici');

let server: Server;
let origin = '';
/** The traceparent the server saw, per request path. */
const received = new Map<string, string>();
const receivedBaggage = new Map<string, string>();

before(async () => {
  server = createServer((req, res) => {
    received.set(req.url ?? '', String(req.headers.traceparent ?? ''));
    receivedBaggage.set(req.url ?? '', String(req.headers.baggage ?? ''));
    const delay = req.url?.startsWith('/hang') ? 5000 : 15;
    const timer = setTimeout(() => res.end('ok'), delay);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  unregister();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Six callers, each in its own trace, through one pool connection: five of them queue. */
async function concurrentCalls(): Promise<void> {
  exporter.reset();
  received.clear();
  const pool = new undici.Pool(origin, { connections: 1 });
  try {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        getTracer().startActiveSpan(`caller-${i}`, { root: true }, async (caller) => {
          const res = await pool.request({ path: `/call-${i}`, method: 'GET' });
          await res.body.text();
          caller.end();
        }),
      ),
    );
  } finally {
    await pool.close();
  }
}

function assertEachClientSpanUnderItsCaller(): void {
  const spans = exporter.getFinishedSpans();
  for (let i = 0; i < 6; i++) {
    const caller = spans.find((s) => s.name === `caller-${i}`);
    const client = spans.find((s) => s.kind === SpanKind.CLIENT && s.attributes['url.path'] === `/call-${i}`);
    assert.ok(caller && client, `caller-${i} and its client span were exported`);
    assert.equal(client.spanContext().traceId, caller.spanContext().traceId, `call ${i}: client span in its caller's trace`);
    assert.equal(client.parentSpanContext?.spanId, caller.spanContext().spanId, `call ${i}: client span is a child of its caller`);
    assert.equal(received.get(`/call-${i}`)?.split('-')[1], caller.spanContext().traceId, `call ${i}: the traceparent sent names its caller's trace`);
  }
}

test('calls queued in a Pool: each client span is a child of the span that made the call', async () => {
  await concurrentCalls();
  assertEachClientSpanUnderItsCaller();
});

/**
 * undici before 8 dispatched a queued call from the request that freed the connection, outside the
 * caller's async scope (undici 8 re-enters it with an AsyncResource). Emulated here by making that
 * AsyncResource run the dispatch in the current scope, as older undici did.
 */
async function withOldUndiciQueue(fn: () => Promise<void>): Promise<void> {
  const original = AsyncResource.prototype.runInAsyncScope;
  AsyncResource.prototype.runInAsyncScope = function (this: AsyncResource, f: (...a: unknown[]) => unknown, thisArg?: unknown, ...args: unknown[]) {
    if (this.constructor.name === 'QueuedRequest') return f.apply(thisArg, args);
    return original.call(this, f, thisArg, ...args);
  } as typeof original;
  try {
    await fn();
  } finally {
    AsyncResource.prototype.runInAsyncScope = original;
  }
}

test('the same with a queue that re-dispatches outside the caller\'s scope (undici < 8): the call context is restored', async () => {
  await withOldUndiciQueue(concurrentCalls);
  assertEachClientSpanUnderItsCaller();
});

test('that emulation does misfile spans without the dispatch wrapper (the test above can fail)', async () => {
  const base = Object.getPrototypeOf(undici.Client.prototype) as { dispatch: (...a: unknown[]) => unknown };
  const wrapped = base.dispatch;
  const unwrapped = (wrapped as unknown as { __original?: typeof wrapped }).__original;
  assert.ok(unwrapped, 'DispatcherBase.prototype.dispatch is wrapped by the instrumentation');
  base.dispatch = unwrapped;
  try {
    await withOldUndiciQueue(concurrentCalls);
  } finally {
    base.dispatch = wrapped;
  }
  assert.throws(assertEachClientSpanUnderItsCaller, /client span in its caller's trace|client span is a child of its caller/);
});

test('a call cut by a deadline (AbortSignal.timeout) is ERROR with error.type TimeoutError; a cancel is not', async () => {
  exporter.reset();
  const pool = new undici.Pool(origin, { connections: 2 });
  try {
    await assert.rejects(pool.request({ path: '/hang-deadline', method: 'GET', signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
    const controller = new AbortController();
    const cancelled = pool.request({ path: '/hang-cancel', method: 'GET', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(cancelled, { name: 'AbortError' });
  } finally {
    await pool.destroy();
  }
  const byPath = (p: string) => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.CLIENT && s.attributes['url.path'] === p);
  const deadline = byPath('/hang-deadline');
  assert.equal(deadline?.status.code, SpanStatusCode.ERROR);
  assert.equal(deadline?.attributes[ATTR_ERROR_TYPE], 'TimeoutError');
  assert.equal(deadline?.events.find((e) => e.name === 'exception')?.attributes?.['exception.type'], 'TimeoutError');
  const cancel = byPath('/hang-cancel');
  assert.ok(cancel, 'the cancelled call has its span');
  assert.notEqual(cancel.status.code, SpanStatusCode.ERROR);
  assert.equal(cancel.attributes[ATTR_ERROR_TYPE], undefined);
});

test('under an unsampled parent (parent-following sampler): no client span, the parent\'s context and the baggage go on', async () => {
  exporter.reset();
  const parent = { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true };
  const ctx = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, parent), propagation.createBaggage({ region: { value: 'eu-west' } }));
  const pool = new undici.Pool(origin, { connections: 1 });
  try {
    await context.with(ctx, async () => {
      const res = await pool.request({ path: '/unsampled', method: 'GET' });
      await res.body.text();
    });
  } finally {
    await pool.close();
  }
  assert.equal(received.get('/unsampled'), `00-${parent.traceId}-${parent.spanId}-00`, 'downstream follows the unsampled decision');
  assert.equal(receivedBaggage.get('/unsampled'), 'region=eu-west');
  assert.equal(exporter.getFinishedSpans().length, 0);
});
