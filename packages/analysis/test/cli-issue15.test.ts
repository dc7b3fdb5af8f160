/** The CLI options and small fixes of issue 15, end to end through the real CLI. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const MAIN = join(__dirname, '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'mltrace-cli15-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function mltrace(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Jaeger UI trace with the given trace id (any string) and two spans. */
function jaegerTrace(traceID: string, opts: { region?: string; start?: number; duration?: number } = {}) {
  const start = opts.start ?? 1_700_000_000_000_000;
  const d = opts.duration ?? 1000;
  return {
    traceID,
    spans: [
      { traceID, spanID: 'aaaaaaaaaaaaaaaa', operationName: 'GET /', references: [], startTime: start, duration: d, tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'region', type: 'string', value: opts.region ?? 'eu' }], logs: [], processID: 'p1' },
      { traceID, spanID: 'bbbbbbbbbbbbbbbb', operationName: 'SELECT', references: [{ refType: 'CHILD_OF', traceID, spanID: 'aaaaaaaaaaaaaaaa' }], startTime: start + 10, duration: d / 2, tags: [], logs: [], processID: 'p1' },
    ],
    processes: { p1: { serviceName: 'shop', tags: [] } },
  };
}

test('critical-path --trace finds an id that is not hex as the file has it, without lower-casing it', () => {
  const file = join(dir, 'opaque.json');
  writeFileSync(file, JSON.stringify({ data: [jaegerTrace('Order-42-XYZ'), jaegerTrace('order-43')] }));
  const r = mltrace('critical-path', file, '--trace', 'Order-42-XYZ');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { traces: Array<{ traceId: string }> };
  assert.deepEqual(out.traces.map((t) => t.traceId), ['Order-42-XYZ']);
});

test('critical-path --trace finds an id given as base64, as the Jaeger domain model writes it, and upper-case hex', () => {
  // Jaeger's domain fixture: traceId "AAAAAAAAAAAAAAAAAAAAEg==" is 0x12.
  const file = join(dir, 'hex.json');
  writeFileSync(file, JSON.stringify({ data: [jaegerTrace('0000000000000000000000000000abcd'), jaegerTrace('00000000000000000000000000000012')] }));
  const b64 = Buffer.from('00000000000000000000000000000012', 'hex').toString('base64');
  for (const id of [b64, '12', 'ABCD']) {
    const r = mltrace('critical-path', file, '--trace', id);
    assert.equal(r.code, 0, `${id}: ${r.stderr}`);
    assert.equal((JSON.parse(r.stdout) as { traces: unknown[] }).traces.length, 1, id);
  }
});

test('compare --where keeps only the matching traces of both sources', () => {
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const ids = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i.toString(16).padStart(31, '0')}`);
  writeFileSync(a, JSON.stringify({ data: [...ids('a', 12).map((id, i) => jaegerTrace(id, { region: i < 8 ? 'eu' : 'us', start: 1e15 + i * 1e6 }))] }));
  writeFileSync(b, JSON.stringify({ data: [...ids('b', 12).map((id, i) => jaegerTrace(id, { region: i < 5 ? 'eu' : 'us', start: 1e15 + i * 1e6, duration: 3000 }))] }));
  const r = mltrace('compare', a, b, '--where', 'region=eu', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const cmp = (JSON.parse(r.stdout) as { comparison: { a: { traces: number }; b: { traces: number } } }).comparison;
  assert.equal(cmp.a.traces, 8);
  assert.equal(cmp.b.traces, 5);
});

test('analyze --topology FILE: the configured expected edge is checked; a bad file is a usage error', () => {
  const file = join(dir, 'shop.json');
  writeFileSync(file, JSON.stringify({ data: [jaegerTrace('c'.repeat(32))] }));
  const topo = join(dir, 'topology.json');
  writeFileSync(topo, JSON.stringify({ entryService: 'shop', expectedEdges: ['shop->payments'] }));
  const r = mltrace('analyze', file, '--topology', topo, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { completeness: { topology: string; entryService: string }; dependencies: { expected: Array<{ from: string; to: string; status: string }> } };
  assert.equal(report.completeness.topology, 'configured');
  assert.deepEqual(report.dependencies.expected.map((e) => `${e.from}->${e.to}:${e.status}`), ['shop->payments:missing']);
  writeFileSync(topo, JSON.stringify({ entry: 'shop' }));
  const bad = mltrace('analyze', file, '--topology', topo);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown field\(s\) entry/);
});

test('exact duplicate spans are dropped with a word on stderr', () => {
  const t = jaegerTrace('d'.repeat(32));
  const file = join(dir, 'dup.json');
  writeFileSync(file, JSON.stringify({ data: [t, t] }));
  const r = mltrace('analyze', file, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /dropped 2 exact duplicate span\(s\)/);
});

test('analyze --jaeger-url must be a URL; with one, the HTML and Markdown reports link trace ids to it', () => {
  const file = join(dir, 'link.json');
  writeFileSync(file, JSON.stringify({ data: [jaegerTrace('e'.repeat(32))] }));
  assert.equal(mltrace('analyze', file, '--format', 'html', '--jaeger-url', 'jaeger:16686').code, 2);
  const r = mltrace('analyze', file, '--format', 'html', '--jaeger-url', 'http://127.0.0.1:16686');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /href="http:\/\/127\.0\.0\.1:16686\/trace\/e{32}"/);
  const md = mltrace('analyze', file, '--format', 'md', '--jaeger-url', 'http://127.0.0.1:16686');
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /\[`e{32}`\]\(http:\/\/127\.0\.0\.1:16686\/trace\/e{32}\)/);
  const plain = mltrace('analyze', file, '--format', 'md');
  assert.match(plain.stdout, /`e{32}`/);
  assert.doesNotMatch(plain.stdout, /\]\(http/);
});
