import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze, REPORT_KEYS } from '../src/analyses/analyze';
import { renderHtml } from '../src/report/html';
import { renderMarkdown } from '../src/report/markdown';
import { renderText } from '../src/report/text';
import { generateTraces } from '../src/synthetic/generator';
import { makeTrace } from './trace-builders';

const traces = generateTraces({ traces: 300, seed: 5, faults: { flakyPostprocess: 0.2 } });
const report = analyze(traces, { compare: { key: 'ml.model.version', a: 'v1', b: 'v2' } });

test('analyze() has exactly the documented top-level keys and survives JSON', () => {
  assert.deepEqual(Object.keys(report).sort(), [...REPORT_KEYS].sort());
  const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  assert.equal((json.performance as { traces: number }).traces, 300);
});

test('text report: every section, aligned tables, units, the recommendation with its numbers', () => {
  const text = renderText(report);
  for (const title of ['Summary', 'Recommendations', 'Performance', 'Bottlenecks', 'Critical path', 'Self time', 'Errors', 'Service dependencies', 'Trace completeness', 'ML-context slices', 'Capacity']) {
    assert.ok(text.includes(`== ${title}`), `section ${title}`);
  }
  assert.match(text, /\[error-origin\] .* postprocess/);
  assert.match(text, /evidence: service postprocess; operation POST \/v1\/postprocess; error type PP_FLAKY_FAILURE/);
  assert.match(text, /examples: traces [0-9a-f]{32}/);
  assert.match(text, / ms/);
  // Aligned: in each table, the header and separator lines have the same length as every row's padded cells.
  const lines = text.split('\n');
  const sep = lines.findIndex((l) => /^ {2}─+( {2}─+)+$/.test(l));
  assert.ok(sep > 0);
  const widths = (lines[sep] as string).trim().split('  ').map((s) => s.length);
  const header = lines[sep - 1] as string;
  assert.equal(header.length <= (lines[sep] as string).length, true);
  assert.ok(widths.length >= 2);
  assert.ok(text.includes('Comparison: ml.model.version=v1 vs ml.model.version=v2'));
});

test('markdown report: pipe tables and escaped trace values', () => {
  const evil = makeTrace([{ id: 'r', service: 'gw|x', name: '<b>*bold*</b>', kind: 'server', start: 0, duration: 10 }]);
  const md = renderMarkdown(analyze([evil]));
  assert.ok(md.startsWith('# mltrace analysis'));
  assert.match(md, /\| --- \|/);
  assert.ok(md.includes('gw\\|x'));
  assert.ok(md.includes('&lt;b&gt;\\*bold\\*&lt;/b&gt;'));
  assert.ok(!md.includes('<b>'));
});

test('HTML report escapes every trace-derived value', () => {
  const name = '<script>alert(1)</script>';
  const evil = makeTrace([
    { id: 'r', service: 'gateway', name, kind: 'server', start: 0, duration: 100, attrs: { 'ml.model.version': '"><img src=x onerror=alert(2)>' } },
    { id: 'c', parent: 'r', service: '<svg onload=alert(3)>', name: 'x', kind: 'server', start: 10, duration: 10, status: 'error', attrs: { 'error.type': '<i>boom</i>' } },
  ]);
  const html = renderHtml(analyze([evil]));
  assert.ok(!html.includes('<script'), 'no script element');
  assert.ok(!html.includes('<img'), 'no injected img');
  assert.ok(!html.includes('<svg onload'), 'no injected svg');
  assert.ok(!html.includes('<i>boom'), 'no injected markup');
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
});

test('HTML report: NUL, CR and other control characters from span data never reach the page raw', () => {
  const raw = makeTrace([{ id: 'r', service: 'gate\u0000way', name: 'POST /v1/\r\u0007predict', kind: 'server', start: 0, duration: 100, attrs: { 'ml.model.version': 'v\u00001\r' } }]);
  const html = renderHtml(analyze([raw]));
  assert.doesNotMatch(html, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'no raw control character (tab and newline aside)');
  assert.ok(html.includes('gate\u2400way'), 'NUL shown as ␀');
  assert.ok(html.includes('POST /v1/\u240d\u2407predict'), 'CR and BEL shown as ␍ ␇');
});
