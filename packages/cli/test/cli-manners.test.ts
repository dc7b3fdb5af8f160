// The CLI's manners: version, help per command, one error prefix, short usage errors,
// and a comparison with an empty side failing with a word, through the committed bin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateTraces, writeOtlpLines } from '@mltrace/analysis';

const PKG = join(__dirname, '..', '..');
const BIN = join(PKG, 'bin', 'mltrace.js');
let dir = '';
let file = '';

function mltrace(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mltrace-manners-'));
  file = join(dir, 't.jsonl');
  await writeOtlpLines(generateTraces({ traces: 40, seed: 5 }), file, 100);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('mltrace --version prints the package version and the Node it runs on', () => {
  // The version of the analysis, whose CLI this is.
  const { version } = JSON.parse(readFileSync(require.resolve('@mltrace/analysis/package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = mltrace(flag);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), `mltrace ${version} (node ${process.version})`);
  }
});

test('mltrace help <command> prints that command\'s help, the same as <command> --help', () => {
  for (const command of ['analyze', 'critical-path', 'compare', 'load', 'lab']) {
    const help = mltrace('help', command);
    assert.equal(help.code, 0, help.stderr);
    assert.equal(help.stdout, mltrace(command, '--help').stdout);
    assert.match(help.stdout, new RegExp(`mltrace ${command}`));
    assert.match(mltrace('--help').stdout, new RegExp(`mltrace ${command} `), `${command} is in the main help`);
  }
  const unknown = mltrace('help', 'nope');
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^mltrace help: unknown command "nope" \(commands: analyze, critical-path, compare, load, lab\)/);
});

test('errors carry one prefix, and usage errors are two lines everywhere', () => {
  for (const [args, prefix] of [
    [['analyze'], 'mltrace analyze: '],
    [['critical-path'], 'mltrace critical-path: '],
    [['compare', file], 'mltrace compare: '],
    [['load', '--rate', 'x'], 'mltrace load: '],
    [['frobnicate'], 'mltrace: '],
  ] as const) {
    const r = mltrace(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(lines[0]!.startsWith(prefix), lines[0]);
    assert.ok(!lines[0]!.slice(prefix.length).match(/^[a-z-]+: /), `no second prefix: ${lines[0]}`);
    assert.match(lines[1]!, /--help/);
  }
});

test('analyze --compare with an empty side exits 1 and names the missing slice', () => {
  const r = mltrace('analyze', file, '--compare', 'ml.model.version=v1,v9');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no traces with ml\.model\.version=v9/);
  assert.equal(r.stdout, '');
  const both = mltrace('analyze', file, '--compare', 'ml.model.version=v1,v2', '--format', 'json');
  assert.equal(both.code, 0, both.stderr);
});
