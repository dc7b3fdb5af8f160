/**
 * Zipkin v2 JSON and Tempo's {"batches": …} on the reference files (formats-to-add/ until they move
 * to formats/, so both places are looked in). Expected values are read from the raw files.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/analyses/analyze';
import { loadSources } from '../src/load';
import type { Span } from '../src/model';
import { readJson, REFERENCE } from './helpers';

/** A reference file by its name under formats/ (where it belongs once read) or formats-to-add/. */
function reference(rel: string): string {
  for (const dir of ['formats', 'formats-to-add']) {
    const p = join(REFERENCE, dir, rel);
    if (existsSync(p)) return p;
  }
  throw new Error(`reference file ${rel} is in neither formats/ nor formats-to-add/`);
}

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const ZIPKIN = ['messaging.json', 'skew.json', 'yelp.json', 'smartthings-mobile-web-install.json'];

for (const name of ZIPKIN) {
  test(`zipkin ${name}: every record a span, shared client/server ids separated as Jaeger does`, async () => {
    const raw = readJson<ZipkinSpan[]>(reference(join('zipkin', name)));
    const { traces, spanCount, skipped } = await loadSources([reference(join('zipkin', name))]);
    assert.equal(skipped.count, 0);
    // Records without a timestamp are fragments merged into the record of the same id that has one.
    assert.equal(spanCount, raw.filter((r) => r.timestamp !== undefined).length);
    assert.deepEqual(traces.map((t) => t.traceId).sort(), [...new Set(raw.map((s) => s.traceId.padStart(32, '0')))].sort());
    const spans = traces.flatMap((t) => t.spans);
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), [...new Set(raw.map((s) => s.localEndpoint?.serviceName ?? 'unknown_service'))].sort());
    // Ids shared by a CLIENT and SERVER records: each such SERVER record becomes a new span whose parent is the client half.
    const clientIds = new Set(raw.filter((s) => s.kind === 'CLIENT').map((s) => s.id));
    const sharedServers = raw.filter((s) => s.kind === 'SERVER' && clientIds.has(s.id));
    const maxId = raw.reduce((m, s) => (BigInt(`0x${s.id}`) > m ? BigInt(`0x${s.id}`) : m), 0n);
    const newIds = sharedServers.map((_, k) => (maxId + BigInt(k + 1)).toString(16).padStart(16, '0'));
    const byId = new Map<string, Span[]>();
    for (const s of spans) byId.set(s.spanId, [...(byId.get(s.spanId) ?? []), s]);
    // Several server halves of one id (retries answered by the same id): as in Jaeger, all but the
    // last become children of the last one's new id, which is the client half's child.
    const lastNew = new Map<string, string>();
    sharedServers.forEach((r, k) => lastNew.set(r.id, newIds[k] as string));
    sharedServers.forEach((r, k) => {
      const server = byId.get(newIds[k] as string)?.[0];
      assert.ok(server, `server half of ${r.id} renamed to ${newIds[k]}`);
      assert.equal(server.kind, 'server');
      assert.equal(server.name, r.name ?? '');
      assert.equal(server.start, r.timestamp);
      assert.equal(server.parentSpanId, lastNew.get(r.id) === newIds[k] ? r.id.padStart(16, '0') : lastNew.get(r.id));
    });
    // A record that named a shared id as its parent is now a child of the (last) server half.
    const renamedRecords = new Set(sharedServers);
    const children = raw.filter((r) => !renamedRecords.has(r) && r.timestamp !== undefined && r.parentId !== undefined && lastNew.has(r.parentId) && lastNew.get(r.parentId) !== r.id);
    for (const r of children) {
      const s = (byId.get(r.id.padStart(16, '0')) ?? []).find((x) => x.start === r.timestamp && x.name === (r.name ?? ''));
      assert.ok(s, `${r.id} kept its id`);
      assert.equal(s.parentSpanId, lastNew.get(r.parentId as string), `${r.name} under the server half`);
    }
    // Error tags are error statuses.
    assert.equal(spans.filter((s) => s.status === 'error').length, raw.filter((r) => r.tags?.error !== undefined).length);
  });
}

test('zipkin skew.json: the shared "post" RPC becomes client → server → async, as in Jaeger UI', async () => {
  const { traces } = await loadSources([reference('zipkin/skew.json')]);
  const t = traces[0];
  assert.ok(t);
  const server = t.spans.find((s) => s.service === 'serviceb' && s.name === 'post');
  const client = t.spans.find((s) => s.service === 'servicea' && s.name === 'post');
  const async = t.spans.find((s) => s.name === 'async');
  assert.equal(client?.spanId, '74280ae0c10d8062');
  // bf396325699c84bf is the largest id of the trace: the server half gets the next one.
  assert.equal(server?.spanId, 'bf396325699c84c0');
  assert.equal(server?.parentSpanId, '74280ae0c10d8062');
  assert.equal(async?.parentSpanId, 'bf396325699c84c0');
  // The dependency servicea → serviceb is one call (client → server), not a self-loop.
  const deps = analyze(traces).dependencies.edges.map((e) => `${e.from}->${e.to}:${e.calls}`);
  assert.deepEqual(deps, ['servicea->serviceb:1']);
});

test('zipkin smartthings: a 1,041-record production trace is one 5-minute trace of 957 spans (84 records are timeless fragments)', async () => {
  const raw = readJson<ZipkinSpan[]>(reference('zipkin/smartthings-mobile-web-install.json'));
  const { traces, spanCount } = await loadSources([reference('zipkin/smartthings-mobile-web-install.json')]);
  assert.equal(traces.length, 1);
  assert.equal(raw.length, 1041);
  assert.equal(spanCount, 1041 - raw.filter((r) => r.timestamp === undefined).length);
  const t = traces[0];
  assert.ok(t);
  assert.equal(t.traceId, '000000000000000014b60fd9ae504820');
  const start = Math.min(...raw.map((r) => r.timestamp ?? Infinity));
  const end = Math.max(...raw.map((r) => (r.timestamp ?? 0) + (r.duration ?? 0)));
  const report = analyze(traces);
  assert.equal(report.performance.latency.max, end - start);
  assert.equal(report.dependencies.services.length, 16);
  assert.deepEqual(report.dependencies.expected, []);
});

test("tempo batches: Tempo's trace-by-id JSON is OTLP under `batches`", async () => {
  const raw = readJson<{ batches: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string; parentSpanId: string; name: string; startTimeUnixNano: string; endTimeUnixNano: string }> }> }> }>(reference('tempo-batches.json'));
  const rawSpan = raw.batches[0]?.scopeSpans[0]?.spans[0];
  assert.ok(rawSpan);
  const { traces, spanCount } = await loadSources([reference('tempo-batches.json')]);
  assert.equal(spanCount, 1);
  const span = traces[0]?.spans[0];
  assert.equal(span?.traceId, rawSpan.traceId.toLowerCase());
  assert.equal(span?.spanId, rawSpan.spanId.toLowerCase());
  assert.equal(span?.parentSpanId, rawSpan.parentSpanId.toLowerCase());
  assert.equal(span?.name, rawSpan.name);
  assert.equal(span?.service, 'my.service');
  assert.equal(span?.kind, 'server');
  assert.equal(span?.duration, (Number(BigInt(rawSpan.endTimeUnixNano) - BigInt(rawSpan.startTimeUnixNano)) / 1000));
});
