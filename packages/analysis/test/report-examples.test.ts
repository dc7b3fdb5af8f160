/**
 * "The report leads into the traces": every table row and finding that stands for traces names
 * example traces, and each example really belongs to its row's group (a slice's example carries
 * that slice's value, an operation's example holds a span of that operation, …). The ids are
 * linked from --jaeger-url in the HTML and Markdown reports, and the JSON carries what the tables show.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Span, Trace } from '../src/model';
import { analyze, type AnalysisReport } from '../src/analyses/analyze';
import { backendOf } from '../src/analyses/backends';
import { errorType } from '../src/analyses/errors';
import { sliceValue } from '../src/analyses/slices';
import { failsTrace, traceFacts } from '../src/analyses/trace-facts';
import { traceUrl } from '../src/report/format';
import { renderHtml } from '../src/report/html';
import { renderMarkdown } from '../src/report/markdown';
import { buildSections, EXAMPLE_TRACES } from '../src/report/sections';
import { renderText } from '../src/report/text';
import { generateTraces } from '../src/synthetic/generator';

const traces = generateTraces({
  traces: 400,
  seed: 11,
  faults: { flakyPostprocess: 0.15, nPlusOne: true, slowSlices: [{ when: { 'ml.model.version': 'v2', 'business.customer_segment': 'enterprise' }, extraMs: 60 }] },
});
const byId = new Map(traces.map((t) => [t.traceId, t]));
const report = analyze(traces);
const JAEGER = 'http://jaeger.example:16686/';

function trace(id: string): Trace {
  const t = byId.get(id);
  assert.ok(t, `${id} is a trace of the data`);
  return t;
}

/** Asserts the row has examples and each satisfies `belongs`. */
function examplesBelong(what: string, ids: readonly string[], belongs: (t: Trace) => boolean): void {
  assert.ok(ids.length > 0, `${what}: has example traces`);
  for (const id of ids) assert.ok(belongs(trace(id)), `${what}: example ${id} belongs to the row`);
}

const hasSpan = (t: Trace, p: (s: Span) => boolean) => t.spans.some(p);
const failing = (t: Trace) => t.spans.filter((s) => failsTrace(traceFacts(t), s));

test('the data exercises every table with examples (failures, slices, slow slices, backends)', () => {
  assert.ok(report.errors.failedTraces > 10);
  assert.ok(report.errors.coOccurrence.length > 0);
  assert.ok(report.slices.byKey.length >= 3);
  assert.ok(report.slices.slowSlices.length > 0);
  assert.ok(report.dependencies.edges.some((e) => e.kind === 'database'));
});

test('each slice value names its slowest traces, and they carry that value', () => {
  for (const k of report.slices.byKey)
    for (const v of k.values) {
      examplesBelong(`${k.key}=${v.value}`, v.exampleTraceIds, (t) => sliceValue(t, k.key) === v.value);
      // The slowest of the slice, slowest first: no trace of the value is slower than the first example.
      const group = traces.filter((t) => sliceValue(t, k.key) === v.value);
      const e2e = (id: string) => traceFacts(trace(id)).e2e;
      assert.equal(e2e(v.exampleTraceIds[0] ?? ''), Math.max(...group.map((t) => traceFacts(t).e2e)), `${k.key}=${v.value}: the slowest first`);
      assert.ok(v.exampleTraceIds.length === Math.min(2, group.length) && new Set(v.exampleTraceIds).size === v.exampleTraceIds.length);
    }
  for (const s of report.slices.slowSlices)
    examplesBelong(s.label, s.exampleTraceIds, (t) => Object.entries(s.conditions).every(([k, v]) => sliceValue(t, k) === v));
  // A separator's examples are slow traces (≥ the threshold) with its worst value.
  const sep = report.slices.separators;
  assert.ok(sep.slow.some((x) => x.rate > 0) && sep.failed.some((x) => x.rate > 0), 'the data has slow and failed separators to check');
  for (const x of sep.slow) if (x.rate > 0) examplesBelong(`slow ${x.key}=${x.value}`, x.exampleTraceIds, (t) => (sliceValue(t, x.key) ?? '(unset)') === x.value && traceFacts(t).e2e >= sep.slowThresholdUs);
  for (const x of sep.failed) if (x.rate > 0) examplesBelong(`failed ${x.key}=${x.value}`, x.exampleTraceIds, (t) => (sliceValue(t, x.key) ?? '(unset)') === x.value && traceFacts(t).failed);
});

test('per-service and per-operation rows name a trace holding that service or operation', () => {
  const p = report.performance;
  for (const s of p.byService) examplesBelong(`service ${s.service}`, s.exampleTraceIds, (t) => hasSpan(t, (x) => x.service === s.service));
  for (const o of p.byOperation) {
    examplesBelong(`operation ${o.service}: ${o.operation}`, o.exampleTraceIds, (t) => hasSpan(t, (x) => x.service === o.service && x.name === o.operation));
    // The operation's longest span is in its example.
    const longest = Math.max(...traces.flatMap((t) => t.spans.filter((x) => x.service === o.service && x.name === o.operation).map((x) => x.duration)));
    assert.ok(hasSpan(trace(o.exampleTraceIds[0] ?? ''), (x) => x.service === o.service && x.name === o.operation && x.duration === longest));
  }
  for (const b of report.bottlenecks.ranked) examplesBelong(`bottleneck ${b.operation}`, [b.exampleTraceId], (t) => hasSpan(t, (x) => x.service === b.service && x.name === b.operation));
  for (const s of report.selfTime.byService) examplesBelong(`self time ${s.service}`, s.exampleTraceIds, (t) => hasSpan(t, (x) => x.service === s.service));
  for (const s of report.criticalPath.byService) examplesBelong(`critical path ${s.service}`, s.exampleTraceIds, (t) => (traceFacts(t).cpByService.get(s.service) ?? 0) > 0);
});

test('error rows name failed traces with that failure', () => {
  const e = report.errors;
  for (const x of e.byType) examplesBelong(`error type ${x.type}`, x.exampleTraceIds, (t) => traceFacts(t).failed && failing(t).some((s) => errorType(s) === x.type));
  for (const x of e.byService) examplesBelong(`failing ${x.service}`, x.exampleTraceIds, (t) => traceFacts(t).failed && failing(t).some((s) => s.service === x.service));
  for (const x of e.coOccurrence) examplesBelong(`${x.a} + ${x.b}`, x.exampleTraceIds, (t) => [x.a, x.b].every((svc) => failing(t).some((s) => s.service === svc)));
  for (const x of e.origins) examplesBelong(`origin ${x.operation}`, x.exampleTraceIds, (t) => traceFacts(t).failed && hasSpan(t, (s) => s.service === x.service && s.name === x.operation));
});

test('each dependency edge names a trace with a call from its caller to its callee, its longest call first', () => {
  for (const edge of report.dependencies.edges) {
    const calls = (t: Trace) =>
      t.spans.filter((s, i) => {
        if (edge.kind !== 'service') return s.service === edge.from && backendOf(s)?.name === edge.to;
        const p = traceFacts(t).parent[i] ?? -1;
        return s.service === edge.to && p >= 0 && t.spans[p]?.service === edge.from;
      });
    examplesBelong(`${edge.from}→${edge.to}`, edge.exampleTraceIds, (t) => calls(t).length > 0);
    if (edge.kind === 'database') {
      const longest = (ts: readonly Trace[]) => Math.max(...ts.flatMap((t) => calls(t).map((s) => s.duration)));
      assert.equal(longest([trace(edge.exampleTraceIds[0] ?? '')]), longest(traces), `${edge.from}→${edge.to}: the longest call's trace first`);
    }
  }
});

test('every table with a trace column fills it, and the JSON carries what the tables show', () => {
  const sections = buildSections(report, { topN: 50 });
  const withExamples = sections.flatMap((s) => s.tables.filter((t) => t.traceColumn !== undefined).map((t) => `${s.id}/${t.title ?? ''}`));
  for (const expected of ['performance/Per service', 'bottlenecks/', 'critical-path/Per service', 'self-time/', 'errors/By type', 'errors/By service', 'errors/Co-occurrence', 'dependencies/', 'slices/Slow slices', 'slices/ml.model.version', 'slices/Attributes separating']) {
    assert.ok(
      withExamples.some((w) => w.startsWith(expected)),
      `${expected} has an example-trace column (${withExamples.join('; ')})`,
    );
  }
  for (const s of sections)
    for (const t of s.tables) {
      if (t.traceColumn === undefined) continue;
      assert.equal(t.columns[t.traceColumn], EXAMPLE_TRACES);
      for (const row of t.rows) for (const id of (row[t.traceColumn] ?? '').split(', ')) trace(id);
    }
  // The tables read nothing the JSON leaves out: built from the JSON, they are the same.
  const json = JSON.parse(JSON.stringify(report)) as AnalysisReport;
  assert.deepEqual(buildSections(json, { topN: 50 }), sections);
});

test('Markdown: trace ids are code, linked to --jaeger-url when given; recommendations link their examples', () => {
  const plain = renderMarkdown(report);
  const linked = renderMarkdown(report, { jaegerUrl: JAEGER });
  const first = report.slices.byKey[0]?.values[0]?.exampleTraceIds[0] ?? '';
  assert.ok(plain.includes(`\`${first}\``));
  assert.ok(!plain.includes('](http'), 'no link without a Jaeger URL');
  assert.ok(linked.includes(`[\`${first}\`](${traceUrl(JAEGER, first)})`));
  assert.equal(traceUrl(JAEGER, first), `http://jaeger.example:16686/trace/${first}`);
  const rec = report.recommendations[0];
  assert.ok(rec, 'a recommendation fired');
  const examples = linked.split('\n').find((l) => l.startsWith('   examples: '));
  assert.ok(examples?.includes(`[\`${rec.examples.traceIds[0]}\`](http://jaeger.example:16686/trace/${rec.examples.traceIds[0]})`), examples);
  // Every link points at a trace of the data, under the given URL.
  const links = [...linked.matchAll(/\]\(([^)]*)\)/g)].map((m) => m[1] ?? '');
  assert.ok(links.length > 20);
  for (const l of links) trace(/^http:\/\/jaeger\.example:16686\/trace\/([0-9a-f]{32})$/.exec(l)?.[1] ?? `not a trace link: ${l}`);
  // A trace id a code span cannot hold stays text, escaped; one with link-breaking characters is percent-encoded.
  const odd = analyze([{ ...structuredClone(traces[0] as Trace), traceId: 'a`b c)' }].map((t) => ({ ...t, spans: t.spans.map((s) => ({ ...s, traceId: t.traceId })) })));
  const md = renderMarkdown(odd, { jaegerUrl: JAEGER });
  assert.ok(md.includes('[a\\`b c)](http://jaeger.example:16686/trace/a%60b%20c%29)'), md.split('\n').find((l) => l.includes('a\\`b')));
});

test('HTML: every example id in a table is a link built from --jaeger-url; the text report lists the same ids', () => {
  const html = renderHtml(report, { jaegerUrl: JAEGER });
  const text = renderText(report);
  for (const v of report.slices.byKey.flatMap((k) => k.values))
    for (const id of v.exampleTraceIds) {
      assert.ok(html.includes(`href="http://jaeger.example:16686/trace/${id}"`), id);
      assert.ok(text.includes(id), id);
    }
  for (const o of report.performance.byOperation.slice(0, 10)) assert.ok(html.includes(`href="http://jaeger.example:16686/trace/${o.exampleTraceIds[0]}"`));
  assert.ok(!renderHtml(report).includes('href="http'), 'no link without a Jaeger URL');
});
