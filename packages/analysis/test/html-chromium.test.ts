/**
 * Renders the HTML report in real headless Chromium (Debian's `chromium`, which CI installs)
 * and checks the charts are drawn and the page logs no errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { analyze } from '../src/analyses/analyze';
import { renderHtml } from '../src/report/html';
import { generateTraces } from '../src/synthetic/generator';
import { makeTrace } from './trace-builders';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Without Chromium these tests are skipped with one line saying how to enable them;
 * under CI=true they run regardless, so a CI machine without Chromium fails here.
 */
const SKIP =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? false
    : `Chromium not found at ${CHROMIUM}: browser tests skipped (apt-get install -y chromium, or set CHROMIUM_PATH; CI=true requires them)`;

async function render(html: string) {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const dir = mkdtempSync(join(tmpdir(), 'mltrace-html-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const charts = await page.$$eval('svg.chart', (els) =>
      els.map((e) => ({ name: e.getAttribute('data-chart'), shapes: e.querySelectorAll('rect,line,path').length, width: e.getBoundingClientRect().width })),
    );
    const tables = await page.$$eval('table', (els) => els.length);
    const scripts = await page.$$eval('script', (els) => els.length);
    const links = await page.$$eval('a.trace', (els) => els.map((a) => a.getAttribute('href') ?? ''));
    const toc = await page.$$eval('nav.toc a', (els) => els.map((a) => a.getAttribute('href')));
    const anchors = await page.$$eval('section[id]', (els) => els.map((e) => `#${e.id}`));
    const header = await page.$eval('header', (e) => e.textContent ?? '');
    const recommendations = await page.$$eval('article.rec', (els) => els.map((e) => e.textContent ?? ''));
    // Anything that would load or point outside the file, other than the trace links (only followed when clicked).
    const outside = await page.$$eval('[src], link, object, iframe, embed, a[href]:not(.trace), [style*="url("]', (els) =>
      els.filter((e) => !(e.tagName === 'A' && (e.getAttribute('href') ?? '').startsWith('#'))).map((e) => e.outerHTML.slice(0, 120)),
    );
    // Per table row with an "example traces" column: the ids shown and the links in that cell.
    const exampleCells = await page.$$eval('table', (els) =>
      els.flatMap((table) => {
        const col = [...table.querySelectorAll('thead th')].findIndex((th) => th.textContent === 'example traces');
        if (col < 0) return [];
        return [...table.querySelectorAll('tbody tr')].map((tr) => {
          const td = tr.children[col];
          return { text: td?.textContent ?? '', links: [...(td?.querySelectorAll('a.trace') ?? [])].map((a) => ({ href: a.getAttribute('href') ?? '', text: a.textContent ?? '' })) };
        });
      }),
    );
    return { charts, tables, scripts, problems, requests, links, toc, anchors, header, recommendations, outside, exampleCells };
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the HTML report in headless Chromium', { skip: SKIP }, () => {
  test('the HTML report renders its charts in headless Chromium without console errors or network', { timeout: 60_000 }, async () => {
    const traces = generateTraces({ traces: 200, seed: 3, faults: { flakyPostprocess: 0.1, droppedContext: true } });
    const r = await render(renderHtml(analyze(traces, { compare: { key: 'ml.model.version', a: 'v1', b: 'v2' } })));
    const names = r.charts.map((c) => c.name).sort();
    assert.deepEqual(names, ['critical-path-by-service', 'dependency-graph', 'errors-over-time', 'latency-histogram', 'latency-over-time', 'slice-comparison', 'throughput-over-time']);
    for (const c of r.charts) {
      assert.ok(c.shapes > 2, `${c.name} draws shapes (${c.shapes})`);
      assert.ok(c.width > 100, `${c.name} is visible`);
    }
    assert.ok(r.tables > 10);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.requests, []);
  });

  test('a malicious span name stays text in the browser', { timeout: 60_000 }, async () => {
    const evil = makeTrace([
      { id: 'r', service: 'gateway', name: '<script>alert("x")</script>', kind: 'server', start: 0, duration: 100 },
      { id: 'c', parent: 'r', service: '<img src=x onerror=alert(1)>', name: '</svg><script>alert(2)</script>', kind: 'server', start: 10, duration: 10 },
    ]);
    const r = await render(renderHtml(analyze([evil])));
    assert.equal(r.scripts, 0, 'no script element reached the DOM');
    assert.deepEqual(r.problems, []);
    assert.equal(r.charts.length, 7);
  });

  test('the report leads into the traces: header, contents, readable recommendations, trace ids linked to Jaeger', { timeout: 60_000 }, async () => {
    const traces = generateTraces({ traces: 200, seed: 5, faults: { flakyPostprocess: 0.2, nPlusOne: true } });
    const ids = new Set(traces.map((t) => t.traceId));
    const report = analyze(traces);
    const r = await render(renderHtml(report, { source: ['traces/'], version: '9.9.9', jaegerUrl: 'http://jaeger.example:16686/' }));
    assert.match(r.header, /source\s*traces\//);
    assert.match(r.header, /mltrace\s*9\.9\.9/);
    assert.match(r.header, /time window\s*\d{4}-\d\d-\d\dT.* → \d{4}-/);
    assert.deepEqual(r.toc, r.anchors, 'the contents list every section, in order');
    assert.equal(r.recommendations.length, report.recommendations.length);
    for (const text of r.recommendations) {
      assert.match(text, /Estimated gain: /);
      assert.match(text, /Example traces: [0-9a-f]{32}/);
    }
    assert.match(r.recommendations.join('\n'), /mean round trips per request/, 'evidence in words');
    assert.ok(r.links.length > 0);
    for (const href of r.links) {
      const m = /^http:\/\/jaeger\.example:16686\/trace\/([0-9a-f]{32})$/.exec(href);
      assert.ok(m, href);
      assert.ok(ids.has(m[1] as string), `${href} names a trace of the data`);
    }
    // Every example-trace cell of every table: each id shown is a link to that trace under --jaeger-url.
    assert.ok(r.exampleCells.length > 20, `${r.exampleCells.length} rows with examples`);
    for (const cell of r.exampleCells) {
      const shown = cell.text.split(', ').filter(Boolean);
      assert.ok(shown.length > 0, 'the row names a trace');
      assert.deepEqual(
        cell.links.map((l) => l.href),
        shown.map((id: string) => `http://jaeger.example:16686/trace/${id}`),
      );
    }
    assert.deepEqual(r.outside, [], 'one self-contained file: nothing loaded from or linked outside it but the trace links');
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.requests, [], 'nothing is fetched: the links are only followed when clicked');
});
});
