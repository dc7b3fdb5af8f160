// The undici instrumentation must not duplicate a traceparent the caller set by
// hand: two headers reach the server joined into one invalid value, and the
// downstream trace is orphaned. Real undici, real sockets, real SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { request } from 'undici';
import { setupInMemoryTracing } from './support';
import { MltraceUndiciInstrumentation } from '../src/instrumentations/undici';
import { getTracer } from '../src/index';

const { exporter, provider } = setupInMemoryTracing();
const unregister = registerInstrumentations({ instrumentations: [new MltraceUndiciInstrumentation()], tracerProvider: provider });

interface Seen {
  traceparents: string[];
  baggages: string[];
}
let server: Server;
let url = '';
let last: Seen = { traceparents: [], baggages: [] };

function headerValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === name) out.push(req.rawHeaders[i + 1]!);
  return out;
}

before(async () => {
  server = createServer((req, res) => {
    last = { traceparents: headerValues(req, 'traceparent'), baggages: headerValues(req, 'baggage') };
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
after(async () => {
  unregister();
  await new Promise((r) => server.close(r));
});

async function get(headers: Record<string, string>): Promise<void> {
  const res = await request(url, { headers });
  await res.body.text();
}

function clientSpans() {
  return exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
}

function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

test('without hand-set headers the instrumentation injects one traceparent for its client span', async () => {
  exporter.reset();
  await getTracer().startActiveSpan('caller', async (caller) => {
    await get({});
    caller.end();
  });
  assert.equal(last.traceparents.length, 1);
  const [client] = clientSpans();
  assert.equal(traceIdOf(last.traceparents[0]), client?.spanContext().traceId);
  assert.equal(last.traceparents[0]?.split('-')[2], client?.spanContext().spanId);
});

test('a traceparent injected by hand from the active context: exactly one header, same trace, correct parent', async () => {
  exporter.reset();
  let callerSpanId = '';
  let callerTraceId = '';
  await getTracer().startActiveSpan('caller', async (caller) => {
    callerSpanId = caller.spanContext().spanId;
    callerTraceId = caller.spanContext().traceId;
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    propagation.inject(context.active(), headers);
    assert.ok(headers['traceparent']);
    await get(headers);
    caller.end();
  });
  assert.equal(last.traceparents.length, 1, `traceparent headers received: ${JSON.stringify(last.traceparents)}`);
  assert.equal(traceIdOf(last.traceparents[0]), callerTraceId);
  const [client] = clientSpans();
  assert.equal(client?.spanContext().traceId, callerTraceId);
  assert.equal(client?.parentSpanContext?.spanId, callerSpanId);
  assert.equal(last.traceparents[0]?.split('-')[2], client?.spanContext().spanId);
});

test('a hand-set traceparent of another trace (forwarded, odd casing) wins over the active context', async () => {
  exporter.reset();
  const foreignTrace = 'a'.repeat(32);
  const foreignSpan = 'b'.repeat(16);
  await getTracer().startActiveSpan('unrelated', async (span) => {
    await get({ Traceparent: `00-${foreignTrace}-${foreignSpan}-01` });
    span.end();
  });
  assert.equal(last.traceparents.length, 1);
  assert.equal(traceIdOf(last.traceparents[0]), foreignTrace);
  const [client] = clientSpans();
  assert.equal(client?.parentSpanContext?.spanId, foreignSpan);
});

test('hand-set baggage is merged with the active baggage into one header', async () => {
  const active = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ model_version: { value: 'v2' }, region: { value: 'eu-west' } }));
  await context.with(active, () => get({ baggage: 'region=ap-south,priority=high' }));
  assert.equal(last.baggages.length, 1);
  const members = Object.fromEntries(last.baggages[0]!.split(',').map((m) => m.split('=') as [string, string]));
  assert.deepEqual(members, { model_version: 'v2', region: 'ap-south', priority: 'high' });
});

test('global fetch (Node\'s bundled undici) gets the same treatment', async () => {
  exporter.reset();
  await getTracer().startActiveSpan('caller', async (caller) => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    await (await fetch(url, { headers })).text();
    caller.end();
    assert.equal(traceIdOf(last.traceparents[0]), caller.spanContext().traceId);
  });
  assert.equal(last.traceparents.length, 1);
  assert.equal(trace.getActiveSpan(), undefined);
});
