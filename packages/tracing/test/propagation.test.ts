import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ROOT_CONTEXT,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  TraceFlags,
  diag,
  DiagLogLevel,
  type Context,
} from '@opentelemetry/api';
import { suppressTracing, W3CBaggagePropagator } from '@opentelemetry/core';
import { createPropagator } from '../src/propagation/composite';
import { BAGGAGE_CACHE_ENTRIES } from '../src/propagation/w3c';
import { BAGGAGE_MAX_MEMBERS, BAGGAGE_MAX_TOTAL_BYTES, limitBaggageMembers } from '../src/propagation/baggage-limits';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const propagator = createPropagator();

function extract(headers: Record<string, string | string[]>): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}
function inject(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  return carrier;
}
function baggageOf(ctx: Context): Record<string, string> {
  return Object.fromEntries((propagation.getBaggage(ctx)?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
}
function withSpanAndBaggage(members: Record<string, string>): Context {
  const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: false });
  let bag = propagation.createBaggage();
  for (const [k, v] of Object.entries(members)) bag = bag.setEntry(k, { value: v });
  return propagation.setBaggage(ctx, bag);
}

test('W3C traceparent and baggage survive inject → extract', () => {
  const headers = inject(withSpanAndBaggage({ model_version: 'v2', customer_segment: 'enterprise', note: 'a b,c;d=é' }));
  assert.equal(headers['traceparent'], `00-${TRACE_ID}-${SPAN_ID}-01`);
  assert.ok(headers['baggage']?.includes('model_version=v2'));
  const ctx = extract(headers);
  const sc = trace.getSpanContext(ctx);
  assert.equal(sc?.traceId, TRACE_ID);
  assert.equal(sc?.spanId, SPAN_ID);
  assert.equal(sc?.isRemote, true);
  assert.deepEqual(baggageOf(ctx), { model_version: 'v2', customer_segment: 'enterprise', note: 'a b,c;d=é' });
});

test('inject writes the compatibility X-headers and they alone restore the context', () => {
  const headers = inject(withSpanAndBaggage({ model_version: 'v3', experiment_id: 'exp-1', region: 'eu-west', priority: 'high', tenant: 'acme co' }));
  assert.equal(headers['x-trace-id'], TRACE_ID);
  assert.equal(headers['x-span-id'], SPAN_ID);
  assert.equal(headers['x-ml-model-version'], 'v3');
  assert.equal(headers['x-ml-experiment-id'], 'exp-1');
  assert.equal(headers['x-business-region'], 'eu-west');
  assert.equal(headers['x-business-priority'], 'high');
  assert.equal(headers['x-baggage-tenant'], 'acme%20co');
  const onlyX = Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-')));
  const ctx = extract(onlyX);
  assert.equal(trace.getSpanContext(ctx)?.traceId, TRACE_ID);
  assert.equal(trace.getSpanContext(ctx)?.spanId, SPAN_ID);
  assert.deepEqual(baggageOf(ctx), { model_version: 'v3', experiment_id: 'exp-1', region: 'eu-west', priority: 'high', tenant: 'acme co' });
});

test('legacy tutorial-style headers (title case, 64-bit trace id) are read', () => {
  // Names as Node delivers them (lower-cased); values as the tutorial's client writes them.
  const ctx = extract({
    'x-trace-id': 'A3CE929D0E0E4736',
    'x-span-id': '00F067AA0BA902B7',
    'x-parent-span-id': '',
    'x-ml-feature-version': 'fv-9',
    'x-business-customer-segment': 'smb',
    'x-baggage-user': 'u-1',
  });
  const sc = trace.getSpanContext(ctx);
  assert.equal(sc?.traceId, '0000000000000000a3ce929d0e0e4736');
  assert.equal(sc?.spanId, SPAN_ID);
  assert.equal(sc?.traceFlags, TraceFlags.SAMPLED);
  assert.deepEqual(baggageOf(ctx), { feature_version: 'fv-9', customer_segment: 'smb', user: 'u-1' });
});

test('X-* members in a carrier with title-case names (not lower-cased by Node) are read; other names are not', () => {
  const ctx = extract({ 'X-ML-Model-Version': 'v7', 'X-Business-Region': 'eu-west', 'X-Baggage-Tenant': 'acme', Xml: 'no', 'x': 'no', 'Content-Type': 'application/json' });
  assert.deepEqual(baggageOf(ctx), { model_version: 'v7', region: 'eu-west', tenant: 'acme' });
});

test('W3C headers win over X-headers and uber-trace-id; baggage members merge, W3C winning per key', () => {
  const ctx = extract({
    'uber-trace-id': `1111111111111111:2222222222222222:0:1`,
    'x-trace-id': 'cccccccccccccccccccccccccccccccc',
    'x-span-id': 'dddddddddddddddd',
    'x-ml-model-version': 'from-x',
    'x-business-region': 'ap-south',
    traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
    baggage: 'model_version=from-w3c',
  });
  assert.equal(trace.getSpanContext(ctx)?.traceId, TRACE_ID);
  assert.deepEqual(baggageOf(ctx), { model_version: 'from-w3c', region: 'ap-south' });
});

test('Jaeger uber-trace-id is accepted (extract only) and never written', () => {
  const ctx = extract({ 'uber-trace-id': 'a3ce929d0e0e4736:f067aa0ba902b7:0:1' });
  const sc = trace.getSpanContext(ctx);
  assert.equal(sc?.traceId, '0000000000000000a3ce929d0e0e4736');
  assert.equal(sc?.spanId, '00f067aa0ba902b7');
  assert.equal(sc?.traceFlags, TraceFlags.SAMPLED);
  const unsampled = trace.getSpanContext(extract({ 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:0` }));
  assert.equal(unsampled?.traceFlags, TraceFlags.NONE);
  assert.equal(inject(ctx)['uber-trace-id'], undefined);
});

test('malformed headers are ignored without throwing', () => {
  const bad: Array<Record<string, string | string[]>> = [
    { traceparent: 'garbage' },
    { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` },
    // Two traceparent headers reach a Node server joined into one value: invalid, so the trace is orphaned.
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01, 00-${TRACE_ID}-${SPAN_ID}-01` },
    { 'uber-trace-id': 'zz:yy:0:1' },
    { 'uber-trace-id': '%E0%A4%A' },
    { 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}` },
    { 'x-trace-id': 'not-hex', 'x-span-id': SPAN_ID },
    { 'x-trace-id': TRACE_ID, 'x-span-id': '0000000000000000' },
    { 'x-trace-id': TRACE_ID },
  ];
  for (const headers of bad) {
    const ctx = extract(headers);
    assert.equal(trace.getSpanContext(ctx), undefined, JSON.stringify(headers));
  }
  const badBaggage: Array<Record<string, string>> = [{ baggage: '=,;;,=x' }, { baggage: 'k=%E0%A4%A' }, { 'x-ml-model-version': '%E0%A4%A' }];
  for (const headers of badBaggage) {
    assert.deepEqual(baggageOf(extract(headers)), {}, JSON.stringify(headers));
  }
  // One broken member does not take the good ones with it.
  assert.deepEqual(baggageOf(extract({ baggage: 'good=1,bad,also=2' })), { good: '1', also: '2' });
});

test('oversized baggage is cut to the W3C limits on extract and inject', () => {
  const many = Array.from({ length: 300 }, (_, i) => `k${i}=v`).join(',');
  const ctx = extract({ baggage: many });
  assert.equal(Object.keys(baggageOf(ctx)).length, BAGGAGE_MAX_MEMBERS);

  const huge = `big=${'x'.repeat(5000)},small=1`;
  assert.deepEqual(baggageOf(extract({ baggage: huge })), { small: '1' });

  const total = Array.from({ length: 10 }, (_, i) => `m${i}=${'y'.repeat(1500)}`).join(',');
  const cut = baggageOf(extract({ baggage: total }));
  assert.ok(Object.keys(cut).length > 0 && Object.keys(cut).length < 10);
  assert.ok(Object.entries(cut).reduce((n, [k, v]) => n + k.length + v.length + 2, 0) <= BAGGAGE_MAX_TOTAL_BYTES + 1);

  const xMany: Record<string, string> = {};
  for (let i = 0; i < 300; i++) xMany[`x-baggage-k${i}`] = 'v';
  assert.equal(Object.keys(baggageOf(extract(xMany))).length, BAGGAGE_MAX_MEMBERS);

  const out = inject(propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(
    Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, { value: 'z'.repeat(1500) }])),
  )));
  assert.ok((out['baggage'] ?? '').length <= BAGGAGE_MAX_TOTAL_BYTES);
  const xBytes = Object.entries(out).filter(([k]) => k.startsWith('x-baggage-')).reduce((n, [k, v]) => n + k.length - 10 + 1 + v.length, 0);
  assert.ok(xBytes <= BAGGAGE_MAX_TOTAL_BYTES, `x-baggage bytes ${xBytes}`);
});

test('limitBaggageMembers counts what it drops', () => {
  const r = limitBaggageMembers([['a', '1'], ['b', 'x'.repeat(5000)], ['c', '3']]);
  assert.deepEqual(r.accepted, [['a', '1'], ['c', '3']]);
  assert.equal(r.dropped, 1);
});

test('fields() lists the headers the propagator writes', () => {
  const f = propagator.fields();
  for (const name of ['traceparent', 'tracestate', 'baggage', 'x-trace-id', 'x-span-id', 'x-ml-model-version', 'x-business-region']) {
    assert.ok(f.includes(name), name);
  }
  assert.ok(!f.includes('uber-trace-id'));
});

test('ignored headers leave a debug line (OTEL_LOG_LEVEL=debug shows them)', () => {
  const lines: string[] = [];
  const collect = (msg: string) => lines.push(msg);
  diag.setLogger({ debug: collect, info: collect, warn: collect, error: collect, verbose: collect }, DiagLogLevel.DEBUG);
  try {
    extract({ traceparent: 'garbage', 'uber-trace-id': 'x:y:0:1', 'x-trace-id': 'nope', baggage: '===' });
  } finally {
    diag.disable();
  }
  for (const what of ['traceparent', 'uber-trace-id', 'X-Trace-Id', 'baggage']) {
    assert.ok(lines.some((l) => l.includes(what)), `${what} in ${JSON.stringify(lines)}`);
  }
});

test('writeXHeaders: false (the preload default) writes only W3C headers but still reads X-headers and uber-trace-id', () => {
  const readOnly = createPropagator(['tracecontext', 'baggage', 'jaeger', 'xheaders'], { writeXHeaders: false });
  const carrier: Record<string, string> = {};
  readOnly.inject(withSpanAndBaggage({ model_version: 'v3', region: 'eu-west' }), carrier, defaultTextMapSetter);
  assert.deepEqual(Object.keys(carrier).sort(), ['baggage', 'traceparent']);
  assert.deepEqual(readOnly.fields().sort(), ['baggage', 'traceparent', 'tracestate']);
  const fromX = readOnly.extract(ROOT_CONTEXT, { 'x-trace-id': TRACE_ID, 'x-span-id': SPAN_ID, 'x-ml-model-version': 'v3' }, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(fromX)?.traceId, TRACE_ID);
  assert.deepEqual(baggageOf(fromX), { model_version: 'v3' });
  const fromJaeger = readOnly.extract(ROOT_CONTEXT, { 'uber-trace-id': `${TRACE_ID}:${SPAN_ID}:0:1` }, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(fromJaeger)?.spanId, SPAN_ID);
});

test('baggage is parsed once per distinct header value: the same instance, the same members as core parses', () => {
  const header = 'model_version=v2,customer_segment=enterprise,note=a%20b%2Cc;prop=1,bad member';
  const first = extract({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`, baggage: header });
  const second = extract({ baggage: header });
  assert.equal(propagation.getBaggage(second), propagation.getBaggage(first), 'one shared (immutable) instance');
  const core = new W3CBaggagePropagator().extract(ROOT_CONTEXT, { baggage: header }, defaultTextMapGetter);
  const members = (c: Context) => propagation.getBaggage(c)?.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]);
  assert.deepEqual(members(first), members(core));
  assert.equal(members(first)?.length, 3);
  assert.equal(trace.getSpanContext(first)?.traceFlags, TraceFlags.NONE, 'the traceparent is still read per request');
  assert.equal(trace.getSpanContext(second), undefined);
});

test('past BAGGAGE_CACHE_ENTRIES distinct values the oldest is parsed again, with the same result', () => {
  const values = Array.from({ length: BAGGAGE_CACHE_ENTRIES + 10 }, (_, i) => `data_batch_id=b-${i},region=eu-west`);
  const firstSeen = propagation.getBaggage(extract({ baggage: values[0]! }));
  for (const v of values) assert.equal(baggageOf(extract({ baggage: v }))['data_batch_id'], v.slice('data_batch_id='.length, v.indexOf(',')));
  const again = propagation.getBaggage(extract({ baggage: values[0]! }));
  assert.notEqual(again, firstSeen, 'evicted, parsed anew');
  assert.deepEqual(baggageOf(propagation.setBaggage(ROOT_CONTEXT, again!)), baggageOf(propagation.setBaggage(ROOT_CONTEXT, firstSeen!)));
  assert.equal(propagation.getBaggage(extract({ baggage: values.at(-1)! })), propagation.getBaggage(extract({ baggage: values.at(-1)! })));
});

test('baggage is serialized once per instance, as core serializes it; a changed baggage is a new instance with its own header', () => {
  const ctx = withSpanAndBaggage({ model_version: 'v2', note: 'a b,c;d=é' });
  const core: Record<string, string> = {};
  new W3CBaggagePropagator().inject(ctx, core, defaultTextMapSetter);
  assert.equal(inject(ctx)['baggage'], core['baggage']);
  assert.equal(inject(ctx)['baggage'], core['baggage'], 'the kept value, unchanged');
  const changed = propagation.setBaggage(ctx, propagation.getBaggage(ctx)!.setEntry('model_version', { value: 'v3' }));
  assert.equal(baggageOf(extract(inject(changed)))['model_version'], 'v3');
  assert.equal(inject(ctx)['baggage'], core['baggage'], 'the original instance keeps its own header');
  assert.equal(inject(suppressTracing(ctx))['baggage'], undefined, 'suppressed tracing writes no baggage, as core');
  const received = extract({ baggage: 'region=eu-west,priority=high' });
  assert.equal(inject(received)['baggage'], 'region=eu-west,priority=high', 'a received baggage goes on as it came');
});
