import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LoadError, fromJaegerJson, fromOtlp, loadFile } from '../src/load';
import type { LoadResult, Span } from '../src/model';
import { REFERENCE, readJson } from './helpers';

const FORMATS = join(REFERENCE, 'formats');
const at = (...p: string[]) => join(FORMATS, ...p);

function allFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...allFiles(full));
    else if (name !== 'README.md') out.push(full);
  }
  return out;
}

/**
 * Files that are not loadable on purpose (formats/README.md): the anonymizer's negative inputs and API
 * responses that hold no spans. Each must fail with a LoadError naming the file and saying why.
 */
const INVALID: Record<string, RegExp> = {
  'jaeger/anonymizer-uiconv/trace_empty.json': /empty file/,
  'jaeger/anonymizer-uiconv/trace_invalid_json.json': /offset \d+ \(line 1\).*duration is not a number: "invalid"/,
  'jaeger/anonymizer-uiconv/trace_scan_error.json': /invalid JSON: unexpected "\]" in an array at offset 79 \(line 2\)/,
  'jaeger/anonymizer-uiconv/trace_wrong_format.json': /line 1.*startTime is missing/,
  'jaeger/query-apiv3-snapshots/FindTraceSummaries.json': /not a trace format.*"summaries"/,
  'jaeger/query-apiv3-snapshots/GetOperations.json': /not a trace format.*"operations"/,
  'jaeger/query-apiv3-snapshots/GetServices.json': /not a trace format.*"services"/,
  'jaeger/storage-integration-traces/queries.json': /not a trace format.*"Caption"/,
};

/** Independent oracle: the number of span records in a file, counted on the raw JSON. */
function rawSpanCount(file: string): number {
  const text = readFileSync(file, 'utf8');
  let docs: unknown[];
  try {
    docs = [JSON.parse(text)];
  } catch {
    docs = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  }
  const count = (v: unknown): number => {
    if (Array.isArray(v)) return v.reduce((n: number, e) => n + count(e), 0);
    if (typeof v !== 'object' || v === null) return 0;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.resourceSpans)) {
      return (o.resourceSpans as Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }>).reduce(
        (n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans?.length ?? 0), 0),
        0,
      );
    }
    if (o.result !== undefined) return count(o.result);
    if (Array.isArray(o.data)) return count(o.data);
    if (Array.isArray(o.spans)) return o.spans.length;
    return 'spanID' in o || 'spanId' in o ? 1 : 0;
  };
  return docs.reduce((n: number, d) => n + count(d), 0);
}

const ID_SUFFIX = /^(.*?)(_\d+)?$/;

function assertNormalized(result: LoadResult, file: string): void {
  for (const trace of result.traces) {
    assert.match(trace.traceId, /^[0-9a-f]{32}$/, `${file}: trace id`);
    const ids = new Set(trace.spans.map((s) => s.spanId));
    assert.equal(ids.size, trace.spans.length, `${file}: span ids unique after loading`);
    for (let i = 0; i < trace.spans.length; i++) {
      const s = trace.spans[i]!;
      assert.equal(s.traceId, trace.traceId);
      assert.match(ID_SUFFIX.exec(s.spanId)![1]!, /^[0-9a-f]{16}$/, `${file}: span id ${s.spanId}`);
      assert.ok(Number.isInteger(s.start) && Number.isInteger(s.duration) && s.duration >= 0, `${file}: µs integers`);
      assert.ok(s.service.length > 0);
      assert.equal(s.resource['service.name'], s.service, `${file}: service comes from the resource`);
      if (i > 0) assert.ok(trace.spans[i - 1]!.start <= s.start, `${file}: sorted by start`);
      if (s.parentSpanId !== undefined) assert.match(s.parentSpanId, /^[0-9a-f]{16}$/);
    }
  }
}

for (const file of allFiles(FORMATS)) {
  const name = relative(FORMATS, file);
  const invalid = INVALID[name];
  if (invalid) {
    test(`invalid on purpose, fails with a clear error: ${name}`, async () => {
      await assert.rejects(loadFile(file), (err: unknown) => {
        assert.ok(err instanceof LoadError, String(err));
        assert.ok(err.message.includes(file), `names the file: ${err.message}`);
        assert.match(err.message, invalid);
        return true;
      });
    });
    continue;
  }
  test(`loads every span of ${name}`, async () => {
    const result = await loadFile(file);
    assert.ok(result.traces.length >= 1);
    assert.equal(result.skipped.count, 0, result.skipped.reasons.join('\n'));
    assert.equal(result.spanCount + (result.duplicatesDropped ?? 0), rawSpanCount(file));
    assertNormalized(result, name);
  });
}

/** What must agree between two encodings of the same trace. */
function essence(result: LoadResult): string[] {
  return result.traces.flatMap((t) =>
    t.spans.map((s: Span) => [t.traceId, s.spanId, s.parentSpanId ?? '-', s.name, s.service, s.kind, s.start, s.duration, s.status].join(' ')),
  );
}

const PAIRS: Array<[string, string]> = [
  ['jaeger/query-http-transform/otlp2jaeger-in.json', 'jaeger/query-http-transform/otlp2jaeger-out.json'],
  ['jaeger-ui/utils-fixtures/otlp2jaeger-in.json', 'jaeger-ui/utils-fixtures/otlp2jaeger-out.json'],
  ['jaeger-ui/utils-fixtures/otlp2jaeger-multi-in.json.txt', 'jaeger-ui/utils-fixtures/otlp2jaeger-multi-in-combined.json'],
  ['jaeger-ui/utils-fixtures/otlp2jaeger-multi-in.json.txt', 'jaeger-ui/utils-fixtures/oltp2jaeger-multi-out.json'],
  ['jaeger/uimodel-json/domain_01.json', 'jaeger/uimodel-json/ui_01.json'],
  ['jaeger/uimodel-json/domain_es_01.json', 'jaeger/uimodel-json/es_01.json'],
];
for (const [a, b] of PAIRS) {
  test(`same trace in two formats loads the same: ${a} ≡ ${b}`, async () => {
    const [ra, rb] = await Promise.all([loadFile(at(a)), loadFile(at(b))]);
    assert.deepEqual(essence(ra), essence(rb));
    assert.ok(essence(ra).length > 0);
  });
}

test('ui_01: duplicate id renamed, cross-trace reference kept but not the parent, int64 beyond 2^53 kept as a string, warnings kept', async () => {
  const { traces } = await loadFile(at('jaeger', 'uimodel-json', 'ui_01.json'));
  const trace = traces[0]!;
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  assert.ok(byId.has('0000000000000002') && byId.has('0000000000000002_1'));
  assert.ok(trace.warnings?.includes('some trace warning'));
  assert.ok(trace.warnings?.some((w) => w.includes('duplicate span id 0000000000000002')));
  const ref = byId.get('0000000000000004')!;
  assert.deepEqual(ref.references.map((r) => r.type), ['CHILD_OF', 'CHILD_OF', 'FOLLOWS_FROM']);
  assert.equal(ref.references[0]!.traceId, '000000000000000000000000000000ff');
  assert.equal(ref.parentSpanId, '0000000000000002', 'the in-trace CHILD_OF wins over the earlier cross-trace one');
  assert.deepEqual(ref.warnings, ['some span warning']);
  const tagged = byId.get('0000000000000002_1')!;
  assert.equal(tagged.attributes['javascript_limit'], '9223372036854775222');
  assert.equal(tagged.attributes['peer.ipv4'], 23456);
  assert.equal(tagged.status, 'error');
  // Spans of one process share one resource object.
  const y = trace.spans.filter((s) => s.service === 'service-y');
  assert.ok(y.length >= 2 && y.every((s) => s.resource === y[0]!.resource));
});

test('opentelemetry-proto trace.json: upper-case hex ids are normalized, kind/status/links/events mapped', async () => {
  const raw = readJson<{ resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> }>(at('opentelemetry-proto', 'trace.json'));
  const rawSpan = raw.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  assert.match(String(rawSpan.traceId), /[A-F]/, 'the sample really is upper case');
  const { traces } = await loadFile(at('opentelemetry-proto', 'trace.json'));
  const span = traces[0]!.spans[0]!;
  assert.equal(span.traceId, String(rawSpan.traceId).toLowerCase());
  assert.equal(span.spanId, String(rawSpan.spanId).toLowerCase());
  assert.equal(span.parentSpanId, String(rawSpan.parentSpanId).toLowerCase());
  assert.equal(span.kind, 'server');
  assert.equal(span.service, 'my.service');
  assert.equal(span.duration, (Number(BigInt(String(rawSpan.endTimeUnixNano)) / 1000n) - Number(BigInt(String(rawSpan.startTimeUnixNano)) / 1000n)));
});

test('OTLP links become LINK references; int attributes given as strings become numbers', async () => {
  const { traces } = await loadFile(at('jaeger', 'storage-integration-traces', 'link_attributes_trace.json'));
  const links = traces.flatMap((t) => t.spans.flatMap((s) => s.references));
  assert.ok(links.length > 0);
  assert.ok(links.every((l) => l.type === 'LINK' && /^[0-9a-f]{32}$/.test(l.traceId)));
});

test('an OTLP span sent twice is kept once and counted as a duplicate', async () => {
  const result = await loadFile(at('jaeger', 'query-http-transform', 'otlp2jaeger-in.json'));
  assert.equal(result.spanCount, 1);
  assert.equal(result.duplicatesDropped, 1);
  // Its parent is not in the file: the parent id is kept, which makes it an orphan.
  assert.equal(result.traces[0]!.spans[0]!.parentSpanId, '909541b92cf05311');
});

test('Jaeger API v3 responses: {result: …} unwrapped, status and kind mapped', async () => {
  const { traces } = await loadFile(at('jaeger', 'query-apiv3-snapshots', 'FindTraces.json'));
  const span = traces[0]!.spans[0]!;
  assert.equal(span.name, 'foobar');
  assert.equal(span.kind, 'server');
  assert.equal(span.status, 'error');
});

test('pure converters: fromOtlp and fromJaegerJson on parsed documents', () => {
  const otlp = fromOtlp(readJson(at('jaeger', 'storage-integration-traces', 'example_trace.json')));
  assert.equal(otlp.spanCount, 5);
  assert.equal(new Set(otlp.traces[0]!.spans.map((s) => s.service)).size, 3);
  const jaeger = fromJaegerJson(readJson(at('jaeger-ui', 'utils-fixtures', 'oltp2jaeger-multi-out.json')));
  assert.equal(jaeger.traces.length, 1);
  assert.equal(jaeger.spanCount, 4);
  assert.throws(() => fromOtlp({ data: [] }), /not OTLP/);
  assert.throws(() => fromJaegerJson({ resourceSpans: [] }), /not Jaeger JSON/);
});
