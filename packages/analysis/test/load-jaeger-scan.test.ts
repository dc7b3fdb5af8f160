/**
 * The Jaeger trace scanner (src/load/fast/jaeger-scan.ts) must give exactly what JSON.parse + the
 * Jaeger converter give, or decline the trace. Every case loads the same document both ways and
 * compares the whole result (spans, traces, warnings, skips and their reasons).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFile } from '../src/load';
import type { LoadResult } from '../src/model';
import { TraceCollector } from '../src/load/collector';
import { Ingest } from '../src/load/detect';
import { readTraceFile } from '../src/load/file';
import { analyze } from '../src/analyses/analyze';
import { traceStream, writeJaegerJson } from '../src/synthetic/generator';

type Json = Record<string, unknown>;

const REFERENCE = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'reference', 'formats');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-jaeger-scan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const TRACE = 'ab'.repeat(16);
const OTHER_TRACE = 'cd'.repeat(16);
const spanId = (i: number): string => (0x1000 + i).toString(16).padStart(16, '0');
const tag = (key: string, type: string, value: unknown): Json => ({ key, type, value });

function span(i: number, extra: Json = {}): Json {
  return {
    traceID: TRACE,
    spanID: spanId(i),
    flags: 1,
    operationName: `op-${i % 3}`,
    references: i === 0 ? [] : [{ refType: 'CHILD_OF', traceID: TRACE, spanID: spanId(0) }],
    startTime: 1_767_225_600_000_000 + i * 10,
    duration: 100 + i,
    tags: [tag('ml.model.version', 'string', i % 2 ? 'v1' : 'v2'), tag('http.response.status_code', 'int64', 200), tag('span.kind', 'string', i === 0 ? 'server' : 'client')],
    logs: [],
    processID: i % 2 ? 'p1' : 'p2',
    warnings: null,
    ...extra,
  };
}

const PROCESSES = {
  p1: { serviceName: 'gateway', tags: [tag('host.name', 'string', 'h1'), tag('pid', 'int64', 7)] },
  p2: { serviceName: 'inference', tags: [] },
};

function trace(spans: Json[], extra: Json = {}): Json {
  return { traceID: TRACE, spans, processes: PROCESSES, warnings: null, ...extra };
}

/**
 * An API v1 response, one trace per line, as a file the loader reads as one document: neither of its
 * first two lines is a JSON object by itself, which would make it JSON lines.
 */
function apiV1(traces: Json[]): string {
  return `{"data":\n[\n${traces.map((t) => JSON.stringify(t)).join(',\n')}\n],"total":0,"limit":0,"offset":0,"errors":null}\n`;
}

/** Traces the scanner converts itself. */
const FAST: Record<string, Json[]> = {
  plain: [trace([span(0), span(1), span(2), span(3)])],
  'follows-from, several parents, a reference into another trace first': [
    trace([
      span(0),
      span(1, { references: [{ refType: 'FOLLOWS_FROM', traceID: TRACE, spanID: spanId(0) }] }),
      span(2, {
        references: [
          { refType: 'CHILD_OF', traceID: OTHER_TRACE, spanID: spanId(9) },
          { refType: 'FOLLOWS_FROM', traceID: TRACE, spanID: spanId(1) },
          { refType: 'CHILD_OF', traceID: TRACE, spanID: spanId(0) },
        ],
      }),
      span(3, { references: [{ refType: 'follows_from', traceID: TRACE, spanID: spanId(2) }, { traceID: TRACE, spanID: spanId(1), refType: null }] }),
    ]),
  ],
  'tags of every type': [
    trace([
      span(0, {
        tags: [
          tag('s', 'string', 'x'),
          tag('i', 'int64', 42),
          tag('i.big', 'int64', '9007199254740993'),
          tag('i.str', 'int64', '12'),
          tag('f', 'float64', 0.25),
          tag('f.str', 'float64', '1e3'),
          tag('b', 'bool', true),
          tag('b.str', 'bool', 'true'),
          tag('bin', 'binary', 'AQIDBA=='),
          tag('upper', 'STRING', 'y'),
          tag('null', 'string', null),
          { key: 'untyped', value: 3 },
          tag('span.kind', 'string', 'producer'),
          tag('otel.status_code', 'string', 'ERROR'),
          tag('otel.status_description', 'string', 'it broke'),
          tag('error', 'bool', true),
          tag('123', 'string', 'an integer-like key'),
          tag('s', 'string', 'repeated key: the last wins'),
          tag('long', 'string', 'z'.repeat(300)),
        ],
      }),
      span(1, { tags: [tag('otel.status_code', 'string', 'ok'), tag('error', 'string', 'false')] }),
      span(2, { tags: [] }),
    ]),
  ],
  'logs, warnings and trace warnings': [
    trace(
      [
        span(0, { logs: [{ timestamp: 1_767_225_600_000_005, fields: [tag('event', 'string', 'retry'), tag('attempt', 'int64', 2)] }, { timestamp: 'never', fields: [] }] }),
        span(1, { warnings: ['clock skew adjusted'] }),
        span(2, { warnings: [] }),
      ],
      { warnings: ['trace warning'] },
    ),
  ],
  'ids in other spellings': [
    {
      traceID: '4b52eb0cabcb50a',
      spans: [span(0, { traceID: '4b52eb0cabcb50a', spanID: 'ABC' }), span(1, { traceID: '4b52eb0cabcb50a', spanID: 'not-hex!', references: [{ refType: 'CHILD_OF', traceID: '4b52eb0cabcb50a', spanID: 'ABC' }] })],
      processes: PROCESSES,
    },
  ],
  'base64 ids': [trace([span(0, { traceID: 'q83vASNFZ4mrze8BI0VniQ==', spanID: 'ASNFZ4mrze8=' })])],
  'duplicate spans and reused ids': [trace([span(0), span(1), span(1), span(2, { spanID: spanId(1) })])],
  'unicode and escapes': [trace([span(0, { operationName: 'a"b\\c/é\n\u2028 ☕ 𝄞', tags: [tag('q"uote', 'string', 'tab\there'), tag('café', 'string', 'naïve')] })])],
  'unknown and missing processes, inline process': [
    trace([span(0, { processID: 'p9' }), span(1, { processID: undefined }), span(2, { process: { serviceName: 'inline', tags: [tag('k', 'string', 'v')] } })]),
    trace([span(3)], { processes: undefined }),
  ],
  'keys in another order, unknown keys': [
    { warnings: null, processes: PROCESSES, spans: [Object.fromEntries(Object.entries(span(0, { extra: { nested: [1, 'two', null] } })).reverse())], traceID: TRACE, other: true },
  ],
  'no spans': [trace([])],
};

/** Traces it leaves to JSON.parse and the converter (invalid, unusual, or another variant). */
const DECLINED: Record<string, Json> = {
  'missing span id': trace([span(0, { spanID: undefined }), span(1)]),
  'negative duration': trace([span(0, { duration: -1 }), span(1)]),
  'start time as RFC 3339': trace([span(0, { startTime: '2026-01-01T00:00:00.000001Z', duration: '5000ns' })]),
  'start time as a string': trace([span(0, { startTime: '1767225600000000' })]),
  'domain-model tags': trace([span(0, { tags: [{ key: 'k', vType: 'INT64', vInt64: 5 }] })]),
  'camel-case ids': trace([{ ...span(0), traceId: TRACE }]),
  'a tag value that is an object': trace([span(0, { tags: [tag('o', 'string', { a: 1 })] })]),
  'processMap instead of processes': { traceID: TRACE, spans: [span(0)], processMap: PROCESSES },
  'trace warnings without spans': trace([], { warnings: ['empty'] }),
  'a span that is not an object': trace([span(0), 7 as unknown as Json]),
  'a reference without ids': trace([span(0, { references: [{ refType: 'CHILD_OF' }] })]),
  'OTLP inside': { resourceSpans: [], spans: [] },
};

async function loadBothWays(file: string): Promise<[LoadResult, LoadResult]> {
  const fast = await loadFile(file, { parallel: { threads: 1 } });
  const reference = await loadFile(file, { parallel: { threads: 1 }, fastPath: false });
  return [fast, reference];
}

/** How many traces of the file the scanner converted and declined. */
async function scanCounts(file: string): Promise<{ converted: number; declined: number }> {
  const ingest = new Ingest(new TraceCollector());
  await readTraceFile(file, ingest).catch(() => undefined);
  const scanner = ingest.jaegerTraces;
  assert.ok(scanner !== undefined);
  return { converted: scanner.converted, declined: scanner.declined };
}

for (const [name, traces] of Object.entries(FAST)) {
  test(`Jaeger scanner converts "${name}" exactly as JSON.parse + the converter`, async (t) => {
    const dir = tempDir(t);
    // The API v1 response, the UI's download of search results (an array of traces), and both pretty-printed.
    const files: Record<string, string> = {
      'api-v1.json': apiV1(traces),
      'ui-download.json': `[\n${traces.map((tr) => JSON.stringify(tr)).join(',\n')}\n]\n`,
      'pretty.json': JSON.stringify({ data: traces, total: 0, limit: 0, offset: 0, errors: null }, null, 2),
      'pretty-array.json': JSON.stringify(traces, null, '\t'),
    };
    for (const [base, text] of Object.entries(files)) {
      const file = join(dir, base);
      writeFileSync(file, text);
      const counts = await scanCounts(file);
      assert.deepEqual(counts, { converted: traces.length, declined: 0 }, `${base}: the scanner should take every trace itself`);
      const [fast, reference] = await loadBothWays(file);
      assert.deepStrictEqual(fast, reference, base);
      assert.equal(fast.skipped.count, 0, base);
    }
  });
}

for (const [name, declined] of Object.entries(DECLINED)) {
  test(`Jaeger scanner declines "${name}" and the plain path's result stands`, async (t) => {
    const file = join(tempDir(t), 'api-v1.json');
    // Good traces around it: declining one trace must not disturb the others.
    writeFileSync(file, apiV1([trace([span(0), span(1)]), declined, trace([span(2)], { traceID: OTHER_TRACE })]));
    const counts = await scanCounts(file);
    assert.ok(counts.declined >= 1, 'the scanner should leave this trace to JSON.parse');
    assert.equal(counts.converted, 2);
    const [fast, reference] = await loadBothWays(file);
    assert.deepStrictEqual(fast, reference);
  });
}

test('Jaeger scanner: \\u escapes in names, tag keys and values are decoded as JSON.parse decodes them', async (t) => {
  const file = join(tempDir(t), 'escapes.json');
  const text = apiV1([trace([span(0, { operationName: 'caf\u00e9 op', tags: [tag('caf\u00e9', 'string', 'na\u00efve \u2615'), tag('span.kind', 'string', 'server')] }), span(1)])]);
  // JSON.stringify writes these characters as they are; the file spells them as escapes.
  writeFileSync(file, text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  assert.match(readFileSync(file, 'utf8'), /caf\\u00e9 op/);
  assert.deepEqual(await scanCounts(file), { converted: 1, declined: 0 });
  const [fast, reference] = await loadBothWays(file);
  assert.deepStrictEqual(fast, reference);
  assert.equal(fast.traces[0]?.spans[0]?.name, 'caf\u00e9 op');
});

test('Jaeger scanner: envelope errors, an empty data list and a truncated document give what the plain path gives', async (t) => {
  const dir = tempDir(t);
  const good = JSON.stringify(trace([span(0), span(1)]));
  const texts = {
    'errors.json': `{"data":\n[\n${good}\n],"errors":[{"code":500,"msg":"storage timeout","traceID":"${TRACE}"}]}`,
    'empty.json': '{"data":[\n],"total":0}\n',
    'null-data.json': '{\n"data":null}\n',
    'truncated.json': `{"data":\n[\n${good},\n${good.slice(0, 300)}`,
    'concatenated.json': `${apiV1([trace([span(0)])])}\n${apiV1([trace([span(1)])])}`,
  };
  for (const [base, text] of Object.entries(texts)) {
    const file = join(dir, base);
    writeFileSync(file, text);
    const fast = await loadFile(file).catch((err: Error) => err.message);
    const reference = await loadFile(file, { fastPath: false }).catch((err: Error) => err.message);
    assert.deepStrictEqual(fast, reference, base);
  }
});

test('Jaeger scanner: traces split across read chunks and a synthetic export give the same spans and the same full report', async (t) => {
  const file = join(tempDir(t), 'synthetic.jaeger.json');
  // Over 1 MiB, so that traces fall across the reader's chunks (taken whole once captured).
  await writeJaegerJson(traceStream({ traces: 1200, seed: 5, entities: [2, 6], faults: { nPlusOne: true, flakyPostprocess: 0.1, coldModel: true } }), file);
  assert.ok(statSync(file).size > 2 << 20);
  const counts = await scanCounts(file);
  assert.deepEqual(counts, { converted: 1200, declined: 0 });
  const [fast, reference] = await loadBothWays(file);
  assert.ok(fast.spanCount > 15_000);
  assert.deepStrictEqual(fast, reference);
  assert.equal(JSON.stringify(analyze(fast.traces)), JSON.stringify(analyze(reference.traces)));
});

test('Jaeger scanner: the public Jaeger and Jaeger UI fixtures load exactly as on the plain path', async (t) => {
  const dir = tempDir(t);
  const files: string[] = [];
  const walk = (from: string): void => {
    for (const name of readdirSync(from).sort()) {
      const full = join(from, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.json(\.txt)?$/.test(name)) files.push(full);
    }
  };
  walk(join(REFERENCE, 'jaeger'));
  walk(join(REFERENCE, 'jaeger-ui'));
  assert.ok(files.length > 40);
  let converted = 0;
  for (const [i, file] of files.entries()) {
    const fast = await loadFile(file).catch((err: Error) => err.message);
    const reference = await loadFile(file, { fastPath: false }).catch((err: Error) => err.message);
    assert.deepStrictEqual(fast, reference, file);
    // Small fixtures are read whole as one JSON line; their traces as an API v1 response, one per line, take the element path.
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const traces = isJson(doc) && Array.isArray(doc.data) ? (doc.data as Json[]) : isJson(doc) && Array.isArray(doc.spans) ? [doc] : [];
    if (traces.length === 0) continue;
    const cut = join(dir, `fixture-${i}.json`);
    writeFileSync(cut, apiV1(traces));
    converted += (await scanCounts(cut)).converted;
    const [fastCut, referenceCut] = await loadBothWays(cut);
    assert.deepStrictEqual(fastCut, referenceCut, `${file} as an API v1 response`);
  }
  assert.ok(converted >= 4, `the scanner should take the UI-model traces of the fixtures itself (took ${converted})`);
});

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
