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
    return { charts, tables, scripts, problems, requests };
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
    assert.deepEqual(names, ['critical-path-by-service', 'dependency-graph', 'latency-histogram', 'slice-comparison']);
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
    assert.equal(r.charts.length, 4);
  });
});
