// startSystem's AbortSignal and `npm start`'s signal handling during start-up: whatever had
// started (a private Redis, the seeding process, services) is stopped, nothing is left running.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { StackError } from '../src/errors';
import { hasRedisServer, isAlive, sleep } from '../src/process';
import { startSystem } from '../src/system';
import { descendants } from './descendants';

const STACK_ROOT = join(__dirname, '..', '..');

/** Polls until `pred` holds for the descendants of `pid`; returns every descendant seen meanwhile. */
async function seen(pid: number, pred: (cmds: string[]) => boolean, timeoutMs = 20_000): Promise<Map<number, string>> {
  const all = new Map<number, string>();
  for (const deadline = Date.now() + timeoutMs; ; await sleep(10)) {
    const now = descendants(pid);
    for (const d of now) all.set(d.pid, d.cmd);
    if (pred(now.map((d) => d.cmd))) return all;
    if (Date.now() > deadline) throw new Error(`timed out; descendants seen: ${[...all.values()].join(' | ')}`);
  }
}

async function allGone(pids: Iterable<number>, timeoutMs = 5000): Promise<number[]> {
  const list = [...pids];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (!list.some(isAlive)) return [];
  }
  return list.filter(isAlive);
}

function tempDirs(t: { after(fn: () => unknown): void }) {
  const tmp = mkdtempSync(join(tmpdir(), 'mltrace-abort-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  return { tracesDir: join(tmp, 'traces'), logsDir: join(tmp, 'logs') };
}

test('abort while the private Redis is being seeded: Redis and the seeder are stopped, STACK_ABORTED', { skip: !hasRedisServer() && 'no redis-server' }, async (t) => {
  const controller = new AbortController();
  const starting = startSystem({ ports: 'auto', redis: 'private', seedCustomers: 10_000, ...tempDirs(t), signal: controller.signal });
  starting.catch(() => undefined);
  const children = await seen(process.pid, (cmds) => cmds.some((c) => c.includes('seed.js')));
  assert.ok([...children.values()].some((c) => c.startsWith('redis-server')), 'the private Redis was running');
  controller.abort('test abort');
  await assert.rejects(starting, (err: unknown) => {
    assert.ok(err instanceof StackError);
    assert.equal(err.code, 'STACK_ABORTED');
    assert.match(err.message, /start-up aborted \(test abort\); stopped redis/);
    return true;
  });
  assert.deepEqual(await allGone(children.keys()), [], 'no process of the start-up is left');
});

test('abort while the services start: every spawned service and Redis stopped', { skip: !hasRedisServer() && 'no redis-server' }, async (t) => {
  const controller = new AbortController();
  const starting = startSystem({ ports: 'auto', redis: 'private', seedCustomers: 50, ...tempDirs(t), signal: controller.signal });
  starting.catch(() => undefined);
  const children = await seen(process.pid, (cmds) => cmds.filter((c) => c.includes('dist/src/server.js')).length >= 3);
  controller.abort(new Error('enough'));
  await assert.rejects(starting, { name: 'StackError', code: 'STACK_ABORTED', message: /\(enough\); stopped .*feature-store/ });
  assert.deepEqual(await allGone(children.keys()), [], 'no process of the start-up is left');
});

test('a signal that is already aborted starts nothing', async (t) => {
  const before = descendants(process.pid).length;
  await assert.rejects(startSystem({ ...tempDirs(t), signal: AbortSignal.abort('no') }), { code: 'STACK_ABORTED', message: /nothing had started/ });
  assert.equal(descendants(process.pid).length, before);
});

test('npm start: SIGINT during start-up stops what has started and exits 130', { skip: !hasRedisServer() && 'no redis-server' }, async (t) => {
  const dirs = tempDirs(t);
  const child = spawn(process.execPath, [join(STACK_ROOT, 'dist', 'src', 'bin', 'start.js'), '--ports', 'auto', '--traces', dirs.tracesDir], {
    cwd: STACK_ROOT,
    env: { ...process.env, REDIS_URL: '', OTEL_TRACES_EXPORTER: 'none' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('close', r));
  t.after(() => child.kill('SIGKILL'));
  const children = await seen(child.pid as number, (cmds) => cmds.some((c) => c.includes('dist/src/server.js')));
  child.kill('SIGINT');
  assert.equal(await exited, 130, output);
  assert.match(output, /SIGINT during start-up: stopping what has started/);
  assert.match(output, /stopped before start-up finished: start-up aborted \(SIGINT\)/);
  assert.deepEqual(await allGone(children.keys()), [], `no orphan left; output:\n${output}`);
});
