import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LoadError, loadFile, loadSources } from '../src/load';
import { JsonScanner, type ScanItem } from '../src/load/json-stream';
import { REFERENCE, listJson } from './helpers';

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

interface GenSpan {
  trace: number;
  span: number;
  parent?: number;
  name?: string;
  startUs: number;
  durUs: number;
  error?: boolean;
}

/** One OTLP/JSON ExportTraceServiceRequest line, as the file exporter writes it. */
function otlpLine(service: string, spans: GenSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'process.pid', value: { intValue: '42' } }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: spans.map((s) => ({
              traceId: hex(s.trace, 32),
              spanId: hex(s.span, 16),
              parentSpanId: s.parent === undefined ? '' : hex(s.parent, 16),
              name: s.name ?? 'op',
              kind: 2,
              startTimeUnixNano: `${s.startUs}000`,
              endTimeUnixNano: `${s.startUs + s.durUs}000`,
              attributes: [
                { key: 'ml.model.version', value: { stringValue: 'v1' } },
                { key: 'http.response.status_code', value: { intValue: '200' } },
              ],
              status: s.error ? { code: 2, message: 'boom' } : {},
            })),
          },
        ],
      },
    ],
  });
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('JSON lines with bad lines: good traces kept, each bad line skipped with file and line number', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'gateway-123.jsonl');
  const good1 = otlpLine('gateway', [{ trace: 1, span: 1, startUs: 1_000, durUs: 50 }]);
  const good2 = otlpLine('gateway', [{ trace: 2, span: 2, startUs: 2_000, durUs: 50 }]);
  const truncated = good2.slice(0, 80);
  const wrongShape = JSON.stringify({ hello: 'world' });
  const badSpan = otlpLine('gateway', [{ trace: 3, span: 3, startUs: 3_000, durUs: 5 }]).replace('"startTimeUnixNano":"3000000"', '"startTimeUnixNano":"soon"');
  writeFileSync(file, [good1, truncated, wrongShape, '', badSpan, good2, ''].join('\n'));
  const result = await loadFile(file);
  assert.deepEqual(result.traces.map((tr) => tr.traceId), [hex(1, 32), hex(2, 32)]);
  assert.equal(result.skipped.count, 3);
  assert.match(result.skipped.reasons[0]!, new RegExp(`${file}: line 2: invalid JSON`));
  assert.match(result.skipped.reasons[1]!, /line 3: not a trace format/);
  assert.match(result.skipped.reasons[2]!, /line 5 .*spans\[0\].*startTimeUnixNano is not a decimal nanosecond count: "soon"/);
});

test('a JSON document with a bad element keeps the others; the reason gives the offset', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'doc.json');
  const rs = (trace: number) => JSON.stringify(JSON.parse(otlpLine('svc', [{ trace, span: trace, startUs: trace * 1000, durUs: 10 }])).resourceSpans[0], null, 2);
  const text = `{\n  "resourceSpans": [\n${rs(1)},\n{"resource": {"attributes": [tru]}},\n${rs(2)}\n  ]\n}\n`;
  writeFileSync(file, text);
  const result = await loadFile(file);
  assert.equal(result.traces.length, 2);
  assert.equal(result.skipped.count, 1);
  const offset = text.indexOf('{"resource": {"attributes": [tru]');
  assert.match(result.skipped.reasons[0]!, new RegExp(`${file}: offset ${offset} \\(line \\d+\\): invalid JSON`));
});

test('a truncated JSON document yields the spans before the cut and names the offset', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'cut.json');
  const a = JSON.parse(otlpLine('svc', [{ trace: 1, span: 1, startUs: 1000, durUs: 10 }])).resourceSpans[0];
  const b = JSON.parse(otlpLine('svc', [{ trace: 2, span: 2, startUs: 2000, durUs: 10 }])).resourceSpans[0];
  const text = JSON.stringify({ resourceSpans: [a, b] }, null, 1);
  writeFileSync(file, text.slice(0, text.length - 40));
  const result = await loadFile(file);
  assert.equal(result.traces.length, 1);
  assert.equal(result.skipped.count, 1);
  assert.match(result.skipped.reasons[0]!, /unexpected end of input \(the document is truncated\) at offset \d+/);
  // A file that is nothing but garbage is an error, not an empty result.
  writeFileSync(file, '{"resourceSpans": [ {"x": 1} ');
  await assert.rejects(loadFile(file), (err: unknown) => err instanceof LoadError && err.message.includes(file));
});

test('a directory merges one trace across per-service files; empty files are ignored, non-trace files skipped', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'gateway-1.jsonl'), otlpLine('gateway', [{ trace: 7, span: 1, startUs: 1000, durUs: 100 }]) + '\n');
  writeFileSync(
    join(dir, 'sub', 'feature-store-2.jsonl'),
    otlpLine('feature-store', [{ trace: 7, span: 2, parent: 1, startUs: 1010, durUs: 30 }]) + '\n' + otlpLine('feature-store', [{ trace: 8, span: 9, startUs: 5000, durUs: 1 }]) + '\n',
  );
  writeFileSync(join(dir, 'inference-3.jsonl'), '');
  writeFileSync(join(dir, 'notes.txt'), 'not json at all\n');
  const result = await loadSources([dir]);
  assert.equal(result.traces.length, 2);
  const trace = result.traces.find((tr) => tr.traceId === hex(7, 32))!;
  assert.deepEqual(trace.spans.map((s) => s.service), ['gateway', 'feature-store']);
  assert.equal(trace.spans[1]!.parentSpanId, trace.spans[0]!.spanId);
  assert.equal(result.skipped.count, 1);
  assert.match(result.skipped.reasons[0]!, /notes\.txt/);
});

test('filters: since/until, service and limit select whole traces', async (t) => {
  const dir = tempDir(t);
  const lines: string[] = [];
  for (let i = 1; i <= 10; i++) {
    lines.push(otlpLine(i % 2 === 0 ? 'even' : 'odd', [{ trace: i, span: i, startUs: i * 1_000_000, durUs: 10 }]));
  }
  const file = join(dir, 'many.jsonl');
  writeFileSync(file, lines.join('\n'));
  const window = await loadFile(file, { since: 3_000_000, until: 6_000_000 });
  assert.deepEqual(window.traces.map((tr) => tr.spans[0]!.start), [3_000_000, 4_000_000, 5_000_000]);
  const even = await loadFile(file, { service: 'even' });
  assert.equal(even.traces.length, 5);
  assert.ok(even.traces.every((tr) => tr.spans.some((s) => s.service === 'even')));
  const newest = await loadFile(file, { limit: 2 });
  assert.deepEqual(newest.traces.map((tr) => tr.spans[0]!.start), [9_000_000, 10_000_000]);
});

test('progress is reported about every 10 000 spans', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'progress.jsonl');
  const lines: string[] = [];
  let id = 1;
  for (let line = 0; line < 25; line++) {
    const spans: GenSpan[] = [];
    for (let k = 0; k < 1000; k++, id++) spans.push({ trace: Math.ceil(id / 10), span: id, startUs: id, durUs: 1 });
    lines.push(otlpLine('svc', spans));
  }
  writeFileSync(file, lines.join('\n'));
  const calls: number[] = [];
  const result = await loadFile(file, { onProgress: (n) => calls.push(n) });
  assert.equal(result.spanCount, 25_000);
  assert.deepEqual(calls, [10_000, 20_000]);
});

/** In its own function so none of the generated text is still reachable when memory is measured. */
function writeBigFile(file: string, total: number): void {
  const lines: string[] = [];
  for (let base = 0; base < total; base += 500) {
    const spans: GenSpan[] = [];
    for (let k = 1; k <= 500; k++) {
      const id = base + k;
      const trace = Math.ceil(id / 8);
      const first = (trace - 1) * 8 + 1;
      spans.push({ trace, span: id, parent: id === first ? undefined : first, name: `op-${id % 7}`, startUs: 1_700_000_000_000_000 + id * 10, durUs: 100 + (id % 50) });
    }
    lines.push(otlpLine(`svc-${base % 4}`, spans));
  }
  writeFileSync(file, lines.join('\n'));
}

test('memory: loaded spans cost well under 1 KB each (strings interned, times numeric)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dir = tempDir(t);
  const file = join(dir, 'big.jsonl');
  const total = 100_000;
  writeBigFile(file, total);
  gc();
  const before = process.memoryUsage().heapUsed;
  const result = await loadFile(file);
  gc();
  const perSpan = (process.memoryUsage().heapUsed - before) / result.spanCount;
  assert.equal(result.spanCount, total);
  assert.ok(perSpan > 0 && perSpan < 1024, `${perSpan.toFixed(0)} bytes per span`);
  t.diagnostic(`${perSpan.toFixed(0)} bytes of heap per loaded span`);
  // Equal attribute sets are one shared, frozen object (loaded data is read-only).
  const [a, b] = [result.traces[0]!.spans[0]!, result.traces[1]!.spans[0]!];
  assert.equal(a.attributes, b.attributes);
  assert.ok(Object.isFrozen(a.attributes));
  // Interning: attribute objects of one process share the resource object.
  const first = result.traces[0]!.spans[0]!;
  assert.ok(result.traces.every((tr) => tr.spans.every((s) => s.service !== first.service || s.resource === first.resource)));
});

test('the streaming splitter gives the same items whatever the chunk boundaries', () => {
  // Items as text, so chunks cut inside a multi-byte character must still give the same strings.
  const scan = (text: string, size: number): Array<Omit<ScanItem, 'bytes'> & { text: string }> => {
    const items: Array<Omit<ScanItem, 'bytes'> & { text: string }> = [];
    const scanner = new JsonScanner({
      item: ({ bytes, ...rest }) => items.push({ ...rest, text: bytes.toString('utf8') }),
      valueEnd: () => items.push({ path: '<end>', text: '', offset: 0, line: 0 }),
    });
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size));
    scanner.end();
    return items;
  };
  const files = listJson(join(REFERENCE, 'formats')).filter((f) => !/trace_(empty|scan_error)/.test(f));
  files.push(join(REFERENCE, 'formats', 'jaeger-ui', 'utils-fixtures', 'otlp2jaeger-multi-in.json.txt'));
  // Escaped quotes and brackets inside strings, keys with escapes, literals at chunk ends.
  const tricky = '{"a\\"b": "x]}\\"{", "data": [1, true, null, {"k": "\\\\"}], "result": {"resourceSpans": [{}]}}\n[ -1.5e3 ]';
  for (const text of [tricky, ...files.map((f) => readFileSync(f, 'utf8'))]) {
    const whole = scan(text, text.length);
    assert.ok(whole.length > 0);
    for (const size of [1, 2, 3, 7, 64]) assert.deepEqual(scan(text, size), whole);
  }
  const items = scan(tricky, 5);
  assert.deepEqual(
    items.map((i) => [i.path, i.text]),
    [
      ['a"b', '"x]}\\"{"'],
      ['data[]', '1'],
      ['data[]', 'true'],
      ['data[]', 'null'],
      ['data[]', '{"k": "\\\\"}'],
      ['result.resourceSpans[]', '{}'],
      ['<end>', ''],
      ['[]', '-1.5e3'],
      ['<end>', ''],
    ],
  );
});

test('several sources are merged by trace id; a missing source is a clear error', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a.jsonl');
  const b = join(dir, 'b.json');
  writeFileSync(a, otlpLine('gateway', [{ trace: 5, span: 1, startUs: 100, durUs: 50 }]) + '\n');
  writeFileSync(b, JSON.stringify(JSON.parse(otlpLine('inference', [{ trace: 5, span: 2, parent: 1, startUs: 110, durUs: 20, error: true }])), null, 2));
  const result = await loadSources([a, b]);
  assert.equal(result.traces.length, 1);
  const [root, child] = result.traces[0]!.spans;
  assert.equal(child!.parentSpanId, root!.spanId);
  assert.equal(child!.status, 'error');
  assert.equal(child!.statusMessage, 'boom');
  assert.equal(child!.attributes['http.response.status_code'], 200);
  await assert.rejects(loadSources([join(dir, 'nope.json')]), (err: unknown) => err instanceof LoadError && /nope\.json: no such file/.test(err.message));
  await assert.rejects(loadSources([]), LoadError);
});
