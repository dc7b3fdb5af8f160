// What happens without Go, or without the module proxy: `npm run tools` says what is missing (and
// is not the failure), and a test that needs the tools fails in CI and is skipped elsewhere, with
// the same message. Run as child processes with their own environment and an empty tools cache.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-tools-missing-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const BUILD_TOOLS = join(__dirname, '..', 'src', 'bin', 'build-tools.js');
const COMPOSE_TEST = join(__dirname, 'compose-loaded.test.js');

function run(args: string[], env: Record<string, string>): { status: number | null; output: string } {
  // Without NODE_TEST_CONTEXT, a child `node --test` reports to its own output (TAP, as asked) instead of to this runner.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const r = spawnSync(process.execPath, args, { env: { ...inherited, MLTRACE_TOOLS_DIR: join(tmp, 'tools'), ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const NO_GO = { MLTRACE_GO: join(tmp, 'no-such-go'), CI: '' };

test('Go missing: npm run tools says so and does not fail', () => {
  const r = run([BUILD_TOOLS, 'compose-config'], NO_GO);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /compose-config +NOT BUILT: Go is missing: no go command at MLTRACE_GO=/);
});

test('Go missing: a test that needs it is skipped outside CI, with the reason', () => {
  const r = run(['--test', '--test-reporter=tap', COMPOSE_TEST], NO_GO);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /# SKIP compose-config cannot be built: Go is missing/);
  assert.doesNotMatch(r.output, /^not ok/m);
});

test('Go missing: in CI the same test fails, saying what is missing', () => {
  const r = run(['--test', '--test-reporter=tap', COMPOSE_TEST], { ...NO_GO, CI: 'true' });
  assert.notEqual(r.status, 0);
  assert.match(r.output, /^not ok/m);
  assert.match(r.output, /compose-config cannot be built: Go is missing.*CI is set, so this fails instead of skipping/);
});

test('the module proxy unreachable: named, with GOPROXY, as missing rather than broken', async () => {
  // A port nothing listens on: the proxy refuses the connection. An empty module cache forces a download.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const r = run([BUILD_TOOLS, 'compose-config'], {
    GOPROXY: `http://127.0.0.1:${port}`,
    GOMODCACHE: join(tmp, 'gomodcache'),
    GOFLAGS: '-modcacherw',
    CI: '',
  });
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, new RegExp(`NOT BUILT: the Go module proxy is unreachable \\(http://127\\.0\\.0\\.1:${port}\\)`));
});
