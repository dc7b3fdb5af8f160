import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@mltrace/testkit';
import type { LoadResult } from '../src';
import { startTarget } from './target';

const BIN = join(__dirname, '..', 'src', 'bin', 'mltrace-load.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('--help prints usage and exits 0', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: mltrace load --url URL/);
  assert.match(r.stdout, /--mode open\|closed/);
});

test('bad usage exits 2 with a message naming the problem', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ segments: { smb: 'lots' } }));
  const cases: Array<[string[], RegExp]> = [
    [[], /--url is required/],
    [['--url', 'http://127.0.0.1:1', '--mode', 'sideways'], /--mode must be open or closed/],
    [['--url', 'http://127.0.0.1:1', '--rate', 'fast'], /--rate expects a number/],
    [['--url', 'http://127.0.0.1:1', '--rate', '0'], /--rate must be a number in/],
    [['--url', 'ftp://127.0.0.1:1'], /--url must be http/],
    [['--url', 'http://127.0.0.1:1', '--bogus'], /Unknown option '--bogus'/],
    [['--url', 'http://127.0.0.1:1', '--mix', join(dir, 'bad.json')], /bad\.json: invalid mix: \/segments\/smb must be number/],
  ];
  for (const [args, message] of cases) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code}`);
    assert.match(r.stderr, message);
  }
});

test('--out writes the result JSON that matches what the server saw, and the text table goes to stdout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'loadgen-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const target = await startTarget(async () => ({ ok: true }));
  t.after(() => target.close());
  writeFileSync(join(dir, 'mix.yaml'), 'name: cli-test\nbatchSizes: {"2": 1}\nmodelVersions: {v1: 1}\n');
  const out = join(dir, 'result.json');
  const r = await run(['--url', target.url, '--rate', '100', '--duration', '0.3', '--mix', join(dir, 'mix.yaml'), '--seed', '5', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(readFileSync(out, 'utf8')) as LoadResult;
  assert.equal(result.sent, 30);
  assert.equal(target.hits.length, 30);
  assert.equal(result.ok, 30);
  assert.equal(result.mix, 'cli-test');
  assert.equal(result.seed, 5);
  assert.equal(result.url, `${target.url}/v1/predict`);
  assert.equal(result.latencyMs.count, 30);
  assert.ok(result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99 && result.latencyMs.p99 <= result.latencyMs.max);
  assert.match(r.stdout, /achieved rate\s+\d+(\.\d+)? req\/s/);
  assert.match(r.stdout, /latency ms\s+p50 [\d.]+\s+p90/);
});

test('a target that never answers exits 1 and names the transport error', async () => {
  const port = await freePort();
  const r = await run(['--url', `http://127.0.0.1:${port}`, '--rate', '50', '--duration', '0.1', '--format', 'json']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no response from .*ECONNREFUSED/);
  const result = JSON.parse(r.stdout) as LoadResult;
  assert.equal(result.connectionErrors, 5);
});
