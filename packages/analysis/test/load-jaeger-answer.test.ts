/**
 * The fast path for Jaeger API v3 search answers (jaeger-live.ts readSearchAnswer): an answer read
 * whole, line by line, its OTLP requests through the file loader's byte scanner, against the plain
 * path (`fastPath: false`: the document splitter and JSON.parse). Same traces, same spans, same
 * skipped records, on pipeline-shaped traces, Jaeger's own answer snapshot, lines the scanner
 * declines, answers that are not lines of `{"result":…}`, and an answer larger than the buffer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadJaeger, type JaegerLiveOptions } from '../src/load';
import { OtlpLineScanner } from '../src/load/fast/otlp-scan';
import type { LoadResult } from '../src/model';
import { toOtlpRequest, traceStream } from '../src/synthetic/generator';
import { REFERENCE } from './helpers';

const UNTIL = Date.UTC(2026, 0, 1, 12) * 1000;
const SINCE = UNTIL - 60_000_000;

/** A fake Jaeger whose one service answers every search with `answer` (within the window: once). */
async function jaeger(t: { after: (fn: () => Promise<void>) => void }, answer: string): Promise<string> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.writeHead(200, { 'content-type': 'application/json' });
    if (url.pathname === '/api/v3/services') return res.end(JSON.stringify({ services: ['gateway'] }));
    // Streamed in small pieces, as a large answer arrives.
    for (let i = 0; i < answer.length; i += 7000) res.write(answer.slice(i, i + 7000));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function essence(r: LoadResult): string {
  const spans = r.traces.flatMap((t) => t.spans.map((s) => JSON.stringify([t.traceId, s.spanId, s.parentSpanId, s.name, s.service, s.kind, s.status, s.start, s.duration, s.attributes, s.events ?? null])));
  return JSON.stringify({ spans, skipped: r.skipped ?? null, spanCount: r.spanCount });
}

/** Loads `answer` both ways; returns how many OTLP requests the scanner took on the fast one. */
async function bothWays(t: { after: (fn: () => Promise<void>) => void }, answer: string, opts: JaegerLiveOptions = {}): Promise<{ scanned: number; result: LoadResult }> {
  const base = await jaeger(t, answer);
  // The window is one slice, asked once: no paging, no deduplication in the way.
  const common = { since: SINCE, until: UNTIL, pageSize: 100_000 };
  const plain = await loadJaeger(base, { ...common, fastPath: false });
  const scan = OtlpLineScanner.prototype.scan;
  let scanned = 0;
  OtlpLineScanner.prototype.scan = function (this: OtlpLineScanner, line: Buffer) {
    const spans = scan.call(this, line);
    if (spans !== undefined) scanned++;
    return spans;
  };
  try {
    const fast = await loadJaeger(base, { ...common, ...opts });
    assert.equal(essence(fast), essence(plain));
    return { scanned, result: fast };
  } finally {
    OtlpLineScanner.prototype.scan = scan;
  }
}

/** `{"result":…}` lines of pipeline-shaped synthetic traces, `perLine` traces to a line. */
function resultLines(traces: number, perLine: number): string {
  const all = [...traceStream({ traces, seed: 5, startTime: SINCE + 1_000_000, faults: { flakyPostprocess: 0.1, coldModel: true } })];
  const lines: string[] = [];
  for (let i = 0; i < all.length; i += perLine) lines.push(JSON.stringify({ result: toOtlpRequest(all.slice(i, i + perLine).flatMap((tr) => tr.spans)) }));
  return lines.join('\n');
}

test('a one-line page of pipeline traces (as Jaeger v2 answers) goes through the scanner and loads as the plain path does', async (t) => {
  const { scanned, result } = await bothWays(t, resultLines(200, 200));
  assert.equal(scanned, 1, 'the one line through the scanner');
  assert.equal(result.traces.length, 200);
});

test('several lines, a CRLF, blank lines: each line through the scanner, the same result', async (t) => {
  const { scanned } = await bothWays(t, resultLines(60, 7).replace('\n', '\r\n') + '\n\n');
  assert.equal(scanned, 9);
});

test("Jaeger's own FindTraces answer, on one line: the same spans both ways", async (t) => {
  const snapshot = JSON.stringify(JSON.parse(readFileSync(join(REFERENCE, 'formats', 'jaeger', 'query-apiv3-snapshots', 'FindTraces.json'), 'utf8')));
  const { result } = await bothWays(t, snapshot);
  assert.ok(result.spanCount > 0);
});

test('a line the scanner declines (pre-1.0 `instrumentationLibrarySpans`) is parsed, the others still scanned; the same result', async (t) => {
  const good = resultLines(10, 5).split('\n');
  const odd = good[0]!.replaceAll('"scopeSpans"', '"instrumentationLibrarySpans"');
  assert.notEqual(odd, good[0]);
  const { scanned, result } = await bothWays(t, [odd, good[1]].join('\n'));
  assert.equal(scanned, 1);
  assert.equal(result.traces.length, 10);
});

test('answers that are not lines of {"result":…} (pretty-printed, an error, an empty result) take the document path: the same result', async (t) => {
  const pretty = JSON.stringify(JSON.parse(resultLines(5, 5)), null, 2);
  assert.equal((await bothWays(t, pretty)).scanned, 0);
  const error = JSON.stringify({ error: { httpCode: 500, message: 'storage unavailable' } });
  assert.equal((await bothWays(t, error)).scanned, 0);
  assert.equal((await bothWays(t, '{"result":{}}')).scanned, 0);
});

test('an answer larger than maxBufferedAnswer is streamed through the document path: the same result', async (t) => {
  const { scanned, result } = await bothWays(t, resultLines(40, 40), { maxBufferedAnswer: 10_000 });
  assert.equal(scanned, 0);
  assert.equal(result.traces.length, 40);
});
