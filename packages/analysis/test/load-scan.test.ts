/**
 * The OTLP line scanner (src/load/otlp-scan.ts) must give exactly what JSON.parse + the converter
 * give, or decline the line. Every case loads the same file both ways and compares the whole result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFile } from '../src/load';
import type { LoadResult } from '../src/model';
import { TraceCollector } from '../src/load/collector';
import { Ingest } from '../src/load/detect';
import { analyze } from '../src/analyses/analyze';
import { traceStream, writeOtlpLines } from '../src/synthetic/generator';

type Json = Record<string, unknown>;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const kv = (key: string, value: Json): Json => ({ key, value });

function span(i: number, extra: Json = {}): Json {
  return {
    traceId: `${'ab'.repeat(15)}${(i % 3).toString(16).padStart(2, '0')}`,
    spanId: (0x1000 + i).toString(16).padStart(16, '0'),
    parentSpanId: i % 4 === 0 ? '' : (0x1000 + i - 1).toString(16).padStart(16, '0'),
    name: `op-${i % 5}`,
    kind: (i % 5) + 1,
    startTimeUnixNano: `${1_767_225_600_000_000 + i * 1000}123`,
    endTimeUnixNano: `${1_767_225_600_000_000 + i * 1000 + 250}456`,
    attributes: [
      kv('ml.model.version', { stringValue: i % 2 ? 'v1' : 'v2' }),
      kv('business.region', { stringValue: 'eu-west' }),
      kv('http.response.status_code', { intValue: '200' }),
      kv('ml.prediction.confidence.mean', { doubleValue: 0.5 + i / 1000 }),
      kv('cache.hit', { boolValue: i % 3 === 0 }),
    ],
    status: i % 7 === 0 ? { code: 2, message: 'boom' } : { code: 0 },
    ...extra,
  };
}

function request(spans: Json[], service = 'gateway', extra: Json = {}): Json {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', { stringValue: service }), kv('process.pid', { intValue: 42 })] },
        scopeSpans: [{ scope: { name: 'test', version: '1' }, spans }],
        ...extra,
      },
    ],
  };
}

const line = (doc: Json): string => JSON.stringify(doc);

/** Lines the scanner converts itself. */
const FAST: Record<string, string> = {
  plain: line(request([span(1), span(2), span(3), span(4)])),
  'several resources and scopes': line({
    resourceSpans: [
      { resource: { attributes: [kv('service.name', { stringValue: 'a' })] }, scopeSpans: [{ spans: [span(1)] }, { scope: {}, spans: [span(2)] }, { spans: [] }, 7, { noSpans: true }] },
      { resource: { attributes: [] }, scopeSpans: [{ spans: [span(3)] }] },
    ],
  }),
  whitespace: JSON.stringify(request([span(1), span(2)]), null, '\t').replace(/\n/g, ' ') + ' \r',
  'keys in another order': line(request([{ ...Object.fromEntries(Object.entries(span(5)).reverse()), attributes: [{ value: { stringValue: 'x' }, key: 'k' }] }])),
  'ids in other spellings': line(request([span(1, { traceId: 'ABCDEF0123456789ABCDEF0123456789', spanId: 'FF', parentSpanId: '0000000000000ABC' })])),
  'kind and status as names': line(request([span(1, { kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'bad "gateway"' } }), span(2, { kind: 9, status: { code: 1, message: '' } })])),
  'every value type': line(
    request([
      span(1, {
        attributes: [
          kv('i.num', { intValue: 42 }),
          kv('i.neg', { intValue: '-42' }),
          kv('i.zeros', { intValue: '007' }),
          kv('i.big', { intValue: '9007199254740993' }),
          kv('i.odd', { intValue: '12abc' }),
          kv('d.nan', { doubleValue: 'NaN' }),
          kv('d.inf', { doubleValue: '-Infinity' }),
          kv('d.exp', { doubleValue: 1e-7 }),
          kv('d.neg', { doubleValue: -0.5 }),
          kv('d.int', { doubleValue: 3 }),
          kv('b.str', { boolValue: 'true' }),
          kv('b.false', { boolValue: false }),
          kv('bytes', { bytesValue: 'aGVsbG8=' }),
          kv('arr', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }, { boolValue: true }, { arrayValue: { values: [] } }] } }),
          kv('map', { kvlistValue: { values: [kv('x', { stringValue: 'y' })] } }),
          kv('empty', {}),
          kv('unknown', { fooValue: 1 }),
          { key: 'no value' },
          { value: { stringValue: 'no key' } },
          kv('long', { stringValue: 'x'.repeat(300) }),
        ],
      }),
    ]),
  ),
  'escapes and unicode': line(
    request([
      span(1, { name: 'a"b\\c/é\n\u2028', attributes: [kv('q"uote', { stringValue: 'tab\there' }), kv('café', { stringValue: 'naïve ☕ 𝄞' }), kv('ctl', { stringValue: '\u0001' })] }),
      span(2, { name: 'café ☕' }),
    ]),
  ),
  'events and links': line(
    request([
      span(1, {
        events: [{ timeUnixNano: '1767225600000000500000', name: 'exception', attributes: [kv('exception.type', { stringValue: 'Boom' })] }],
        links: [{ traceId: 'cd'.repeat(16), spanId: 'ef'.repeat(8), attributes: [] }],
      }),
      span(2, { events: [], links: [] }),
    ]),
  ),
  'numbers for times, no parent, unknown keys': line(
    request([span(1, { startTimeUnixNano: 1_767_225_600_000_000_000, endTimeUnixNano: 1_767_225_600_000_999_999, flags: 257, traceState: 'a=b', droppedAttributesCount: 0, parentSpanId: undefined })]),
  ),
  'tiny times': line(request([span(1, { startTimeUnixNano: '000', endTimeUnixNano: '12' })])),
  'empty attributes and status': line(request([span(1, { attributes: [], status: {} }), span(2, { attributes: [{}] })])),
  'more top-level keys': line({ ...request([span(1)]), partialSuccess: { rejectedSpans: '0', errorMessage: '' } }),
  'no spans': line({ resourceSpans: [] }),
};

/** Lines it leaves to JSON.parse and the converter (invalid, unusual or not OTLP). */
const DECLINED: Record<string, string> = {
  'trailing comma': line(request([span(1)])).replace(/}]}]}$/, '},]}]}'),
  truncated: line(request([span(1)])).slice(0, 200),
  'raw control character in a string': line(request([span(1, { name: 'a' })])).replace('"name":"a"', '"name":"a\tb"'),
  'bad escape': line(request([span(1, { name: 'a' })])).replace('"name":"a"', '"name":"a\\x"'),
  'leading zero': line(request([span(1)])).replace('"kind":2', '"kind":02'),
  'duplicate key': line(request([span(1)])).replace('"name":"op-1"', '"name":"op-1","name":"op-2"'),
  'resource after the spans': JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span(1)] }], resource: { attributes: [kv('service.name', { stringValue: 's' })] } }] }),
  'old scope name': JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, instrumentationLibrarySpans: [{ spans: [span(1)] }] }] }),
  'missing trace id': line(request([span(1, { traceId: undefined }), span(2)])),
  'bad start time': line(request([span(1, { startTimeUnixNano: 'soon' }), span(2)])),
  'end before start': line(request([span(1, { endTimeUnixNano: '1000' })])),
  'no start time': line(request([span(1, { startTimeUnixNano: '0' })])),
  'two kinds in one value': line(request([span(1, { attributes: [kv('x', { stringValue: 'a', intValue: '1' })] })])),
  'null name': line(request([span(1, { name: null })])),
  'a Jaeger trace': JSON.stringify({ traceID: 'ab', spans: [{ traceID: 'ab', spanID: 'cd', operationName: 'op', startTime: 1, duration: 2, tags: [] }] }),
  'byte order mark': `\uFEFF${line(request([span(1)]))}`,
  'resourceSpans not first': JSON.stringify({ x: 1, ...request([span(1)]) }),
};

async function loadBothWays(file: string): Promise<[LoadResult, LoadResult]> {
  const fast = await loadFile(file, { parallel: { threads: 1 } });
  const reference = await loadFile(file, { parallel: { threads: 1 }, fastPath: false });
  return [fast, reference];
}

function scans(text: string): boolean {
  const ingest = new Ingest(new TraceCollector());
  return ingest.otlpLines!.scan(Buffer.from(text)) !== undefined;
}

for (const [name, text] of Object.entries(FAST)) {
  test(`scanner converts "${name}" exactly as JSON.parse + the converter`, async (t) => {
    assert.ok(scans(text), 'the scanner should take this line itself');
    const file = join(tempDir(t), 'lines.jsonl');
    writeFileSync(file, `${text}\n`);
    const [fast, reference] = await loadBothWays(file);
    assert.deepStrictEqual(fast, reference);
    assert.equal(fast.skipped.count, 0);
  });
}

for (const [name, text] of Object.entries(DECLINED)) {
  test(`scanner declines "${name}" and the general path's result stands`, async (t) => {
    assert.equal(scans(text), false, 'the scanner should leave this line to JSON.parse');
    const file = join(tempDir(t), 'lines.jsonl');
    // A good line around it: declining one line must not disturb the others.
    writeFileSync(file, `${FAST.plain}\n${text}\n${FAST['events and links']}\n`);
    const [fast, reference] = await loadBothWays(file);
    assert.deepStrictEqual(fast, reference);
  });
}

test('repeated attribute texts (the memo) give the same spans and the same full report as JSON.parse', async (t) => {
  const file = join(tempDir(t), 'synthetic.jsonl');
  const stream = traceStream({ traces: 600, seed: 9, entities: [2, 6], faults: { nPlusOne: true, flakyPostprocess: 0.1, coldModel: true } });
  await writeOtlpLines(stream, file, 37);
  const [fast, reference] = await loadBothWays(file);
  assert.ok(fast.spanCount > 9000);
  assert.deepStrictEqual(fast, reference);
  assert.equal(JSON.stringify(analyze(fast.traces)), JSON.stringify(analyze(reference.traces)));
});
