// isAlive: a process that has exited but is not yet reaped (a zombie) is not running. Detached
// lab runners and Jaegers are reaped by init, which may do it late or never; `lab stop` and
// `jaeger --stop` wait on isAlive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { isAlive, sleep } from '../src/process';

test('isAlive: a running process is alive; one that exited is not, also while nobody has reaped it', { skip: process.platform !== 'linux' && 'zombies are read from /proc (Linux)' }, async (t) => {
  // sh starts a short sleep in the background and execs a long one in its place: the long sleep is
  // now the short one's parent and never waits for it, so the short one stays a zombie.
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const child = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  assert.ok(child > 0, 'the background sleep has a pid');
  assert.equal(isAlive(child), true, 'running');
  // Polled, not a fixed wait: on a busy machine the short sleep may take a while to end.
  for (const deadline = Date.now() + 10_000; isAlive(child) && Date.now() < deadline; ) await sleep(50);
  assert.equal(isAlive(child), false, 'exited, not reaped: a zombie is not alive');
  assert.match(readFileSync(`/proc/${child}/stat`, 'utf8'), /\) Z /, 'it is still there, as a zombie (nobody reaped it)');
  assert.equal(isAlive(parent.pid), true, 'its parent still runs');
  assert.equal(isAlive(undefined), false);
});
