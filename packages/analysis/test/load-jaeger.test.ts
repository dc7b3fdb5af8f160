/**
 * Live Jaeger loading. No Jaeger server can run here, so each test starts a small local HTTP server
 * that answers like Jaeger's query service, replaying the reference API v3 / v1 sample files
 * (../shared/reference/formats/jaeger/...) or serving synthetic traces in those formats.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadError, loadFile, loadJaeger, loadSources } from '../src/load';
import { evenSlices, plannedSlices } from '../src/load/jaeger-live';
import type { LoadResult } from '../src/model';
import { REFERENCE } from './helpers';

const SNAPSHOTS = join(REFERENCE, 'formats', 'jaeger', 'query-apiv3-snapshots');
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');

type Handler = (url: URL, res: ServerResponse, req: IncomingMessage) => void;

async function serve(t: { after: (fn: () => Promise<void>) => void }, handler: Handler): Promise<{ base: string; requests: URL[] }> {
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push(url);
    handler(url, res, req);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function json(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
}

const NOT_FOUND_V3 = JSON.stringify({ error: { grpcCode: 5, httpCode: 404, message: 'trace not found', httpStatus: 'Not Found' } });

function essence(r: LoadResult): string[] {
  return r.traces.flatMap((t) => t.spans.map((s) => `${t.traceId} ${s.spanId} ${s.name} ${s.service} ${s.kind} ${s.status} ${s.start} ${s.duration}`));
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

test('API v3: replays FindTraces for the listed service; other windows answer 404 (no traces)', async (t) => {
  const found = read(SNAPSHOTS, 'FindTraces.json');
  const windowEnd = Date.UTC(2026, 0, 1, 12) * 1000;
  const { base, requests } = await serve(t, (url, res) => {
    if (url.pathname === '/api/v3/services') return json(res, 200, read(SNAPSHOTS, 'GetServices.json'));
    if (url.pathname === '/api/v3/traces') {
      const max = url.searchParams.get('query.startTimeMax')!;
      // Only the newest slice holds the trace.
      if (url.searchParams.get('query.serviceName') === 'foo' && Date.parse(max) * 1000 === windowEnd) return json(res, 200, found);
      return json(res, 404, NOT_FOUND_V3);
    }
    json(res, 404, '{}');
  });
  const result = await loadJaeger(base, { since: windowEnd - 3_600_000_000, until: windowEnd });
  const expected = await loadFile(join(SNAPSHOTS, 'FindTraces.json'));
  assert.deepEqual(essence(result), essence(expected));
  const searches = requests.filter((u) => u.pathname === '/api/v3/traces');
  assert.equal(searches.length, 4, 'one hour in 15-minute slices');
  for (const u of searches) {
    assert.equal(u.searchParams.get('query.serviceName'), 'foo');
    assert.equal(u.searchParams.get('query.service_name'), 'foo');
    assert.match(u.searchParams.get('query.startTimeMin')!, RFC3339);
    assert.match(u.searchParams.get('query.startTimeMax')!, RFC3339);
  }
  // Slices are contiguous: each one's min is the next one's max.
  const bounds = searches.map((u) => [Date.parse(u.searchParams.get('query.startTimeMin')!), Date.parse(u.searchParams.get('query.startTimeMax')!)]);
  for (let i = 1; i < bounds.length; i++) assert.equal(bounds[i]![1], bounds[i - 1]![0]);
});

/** A v3 `{result: …}` chunk holding one synthetic trace with `spans` spans starting at `startUs`. */
function v3Chunk(trace: number, startUs: number, spans = 2): string {
  const traceId = trace.toString(16).padStart(32, '0');
  return JSON.stringify({
    result: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'gateway' } }] },
          scopeSpans: [
            {
              scope: {},
              spans: Array.from({ length: spans }, (_, k) => ({
                traceId,
                spanId: (trace * 100 + k + 1).toString(16).padStart(16, '0'),
                parentSpanId: k === 0 ? '' : (trace * 100 + 1).toString(16).padStart(16, '0'),
                name: k === 0 ? 'POST /v1/predict' : 'child',
                kind: k === 0 ? 2 : 3,
                startTimeUnixNano: `${startUs + k}000`,
                endTimeUnixNano: `${startUs + 100}000`,
                status: {},
              })),
            },
          ],
        },
      ],
    },
  });
}

/**
 * A fake Jaeger v3 that knows `traces` under each of `services`: a search answers the newest
 * searchDepth traces overlapping its window (a trace is found by any slice overlapping its
 * start-100 µs window, like a search on any span), one {result} chunk per line; 404 when none.
 * `onPage` sees each search's service and how many traces it answered.
 */
function fakeV3(services: string[], traces: Array<{ id: number; start: number }>, onPage?: (service: string, count: number) => void): Handler {
  return (url, res) => {
    if (url.pathname === '/api/v3/services') return json(res, 200, JSON.stringify({ services }));
    const min = Date.parse(url.searchParams.get('query.startTimeMin')!) * 1000;
    const max = Date.parse(url.searchParams.get('query.startTimeMax')!) * 1000;
    const depth = Number(url.searchParams.get('query.searchDepth'));
    const hits = traces.filter((tr) => tr.start < max && tr.start + 100 >= min).slice(-depth);
    onPage?.(url.searchParams.get('query.serviceName')!, hits.length);
    if (hits.length === 0) return json(res, 404, NOT_FOUND_V3);
    res.writeHead(200, { 'content-type': 'application/json' });
    for (const tr of hits) res.write(v3Chunk(tr.id, tr.start) + '\n');
    res.end();
  };
}

test('API v3: a streamed answer of several {result} chunks; full slices are split (paging) and traces deduplicated', async (t) => {
  const until = Date.UTC(2026, 0, 1, 12) * 1000;
  const since = until - 3_600_000_000;
  // 40 traces spread over the hour; Jaeger returns at most searchDepth of the newest matching ones.
  const traces = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, start: since + 1_000_000 + i * 85_000_000 }));
  const { base, requests } = await serve(t, fakeV3(['gateway'], traces));
  const result = await loadJaeger(base, { since, until, pageSize: 5 });
  assert.equal(result.traces.length, 40);
  assert.equal(result.spanCount, 80);
  assert.equal(result.duplicatesDropped ?? 0, 0);
  const searches = requests.filter((u) => u.pathname === '/api/v3/traces');
  assert.ok(searches.length > 4, `full slices were split (${searches.length} requests)`);
  for (const tr of result.traces) assert.equal(tr.spans[1]!.parentSpanId, tr.spans[0]!.spanId);
});

test('API v3: every service after the first is fetched in slices planned from the traces already seen, with no page fetched for nothing', async (t) => {
  const until = Date.UTC(2026, 0, 1, 12) * 1000;
  const since = until - 60_000_000;
  // 300 requests in the last minute, each crossing both services (a pipeline's traces).
  const traces = Array.from({ length: 300 }, (_, i) => ({ id: i + 1, start: since + 1_000_000 + i * 190_000 }));
  const pages: Array<{ service: string; count: number }> = [];
  const { base } = await serve(t, fakeV3(['gateway', 'inference'], traces, (service, count) => pages.push({ service, count })));
  const result = await loadJaeger(base, { since, until, pageSize: 40 });
  assert.equal(result.traces.length, 300);
  const full = (service: string) => pages.filter((p) => p.service === service && p.count >= 40).length;
  const fetched = (service: string) => pages.filter((p) => p.service === service).reduce((n, p) => n + p.count, 0);
  assert.ok(full('gateway') > 0, 'the first service finds its way by full pages');
  assert.equal(full('inference'), 0, 'the second service is planned from what the first found: no full page');
  assert.equal(fetched('inference'), 300, 'each of its traces fetched once');
});

test('API v3: more than a page of traces per second (a busy pipeline) is fetched in slices under a second, each trace once', async (t) => {
  const until = Date.UTC(2026, 0, 1, 12) * 1000;
  const since = until - 10_000_000;
  // 600 traces a second for 1.5 s, as the capacity lab's closed loop gives on a fast machine; a
  // full 1.2 s slice used to be fetched again unsplit, for ever.
  const traces = Array.from({ length: 900 }, (_, i) => ({ id: i + 1, start: since + 4_000_000 + Math.floor(i * 1_666.67) }));
  const pages: number[] = [];
  const { base } = await serve(t, fakeV3(['gateway'], traces, (_service, count) => pages.push(count)));
  const result = await loadJaeger(base, { since, until, pageSize: 500 });
  assert.equal(result.traces.length, 900);
  assert.deepEqual(result.warnings ?? [], []);
  assert.ok(pages.length < 40, `${pages.length} searches`);
});

test('API v3: a full page within the shortest slice is kept, with a warning that names the service and the slice', async (t) => {
  const until = Date.UTC(2026, 0, 1, 12) * 1000;
  const since = until - 10_000_000;
  // 12 traces starting in the same 500 µs, pages of 5: no slice can hold fewer than a page.
  const traces = Array.from({ length: 12 }, (_, i) => ({ id: i + 1, start: since + 5_000_000 + i * 40 }));
  const { base } = await serve(t, fakeV3(['gateway'], traces));
  const result = await loadJaeger(base, { since, until, pageSize: 5 });
  assert.ok(result.traces.length >= 5 && result.traces.length < 12, `${result.traces.length} traces`);
  assert.ok(
    (result.warnings ?? []).some((w) => /^gateway: 5 traces \(a full page\) started within \d+ µs from 2026-01-01T11:59:55/.test(w)),
    (result.warnings ?? []).join('\n'),
  );
});

test('slices: even parts and planned parts are contiguous, newest first, and cover the slice exactly', () => {
  const check = (parts: Array<[number, number]>, from: number, to: number) => {
    assert.equal(parts[0]![1], to);
    assert.equal(parts.at(-1)![0], from);
    for (let i = 1; i < parts.length; i++) assert.equal(parts[i]![1], parts[i - 1]![0]);
    for (const [a, b] of parts) assert.ok(a < b);
  };
  check(evenSlices([0, 40_000_000], 4), 0, 40_000_000);
  assert.equal(evenSlices([0, 40_000_000], 4).length, 4);
  assert.equal(evenSlices([0, 1_500_000], 4).length, 4, 'a second and a half in four');
  assert.equal(evenSlices([0, 1_500], 4).length, 1, 'never shorter than a millisecond');
  const starts = Array.from({ length: 100 }, (_, i) => 10_000_000 + i * 200_000);
  const planned = plannedSlices([0, 60_000_000], starts, 25);
  check(planned, 0, 60_000_000);
  assert.equal(planned.length, 4, '100 seen starts, 25 per slice');
  for (const [a, b] of planned) assert.ok(starts.filter((s) => s >= a && s < b).length <= 25);
  assert.deepEqual(plannedSlices([0, 60_000_000], starts.slice(0, 10), 25), [[0, 60_000_000]], 'few enough: one slice');
});

test('falls back to the v1 API when /api/v3 is absent (µs parameters, {data: […]} envelope)', async (t) => {
  const v1Body = read(REFERENCE, 'formats', 'jaeger-ui', 'utils-fixtures', 'oltp2jaeger-multi-out.json');
  const { base, requests } = await serve(t, (url, res) => {
    if (url.pathname === '/api/services') return json(res, 200, JSON.stringify({ data: ['example-trace'], total: 1 }));
    if (url.pathname === '/api/traces') {
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      assert.ok(Number.isInteger(start) && Number.isInteger(end) && start < end);
      // Every slice "finds" the same trace: it must be kept once.
      return json(res, 200, v1Body);
    }
    json(res, 404, '404 page not found');
  });
  const until = Date.UTC(2026, 0, 1) * 1000;
  const result = await loadSources([base], { since: until - 1_800_000_000, until, service: 'example-trace' });
  const expected = await loadFile(join(REFERENCE, 'formats', 'jaeger-ui', 'utils-fixtures', 'oltp2jaeger-multi-out.json'));
  assert.deepEqual(essence(result), essence(expected));
  assert.equal(requests.filter((u) => u.pathname === '/api/traces').length, 2);
  assert.equal(requests.filter((u) => u.pathname === '/api/traces')[0]!.searchParams.get('service'), 'example-trace');
});

test('a server that is not Jaeger, or none at all, gives a clear LoadError', async (t) => {
  const { base } = await serve(t, (_url, res) => json(res, 404, 'nope'));
  await assert.rejects(loadJaeger(base), (err: unknown) => err instanceof LoadError && /not a Jaeger query service/.test(err.message));
  await assert.rejects(loadJaeger('http://127.0.0.1:9'), (err: unknown) => err instanceof LoadError && /unreachable/.test(err.message));
});
