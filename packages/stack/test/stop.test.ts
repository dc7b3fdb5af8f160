// Stopping the stack as a user does: `kill -TERM` on the `npm start` process and Ctrl-C (SIGINT
// to its process group). The gateway stops first and finishes the requests it took (a test sends
// requests all through the stop), then the other services, then Redis; nothing is left running.
// Also: a dependency that dies while the stack runs is reported at once, and `npm run demo` uses a
// system already running on auto ports.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { hasRedisServer, sleep } from '../src/process';
import { stackStateFile } from '../src/state-file';
import { acceptedPorts, DEMO_JS, keepPredicting, launch, runningStack, START_JS, survivors, type Answer } from './launcher';

const skip = !hasRedisServer() && 'no redis-server';
/** Builds on a cold turbo cache can take minutes on a busy 2-core machine. */
const timeout = 600_000;

/** The lines the launcher prints while it stops, in the order they must come. */
const STOP_ORDER = [/^stopping gateway: no new requests, finishing those in flight/m, /^ {2}stopped gateway/m, /^stopping feature-store, inference, postprocess/m, /^ {2}stopped feature-store, inference, postprocess/m, /^stopping redis-server/m, /^ {2}stopped redis-server/m, /^stopped\. \d+ spans/m];

function assertStopOrder(output: string): void {
  const at = STOP_ORDER.map((re) => output.search(re));
  assert.ok(at.every((i) => i >= 0), `every step of the stop is printed:\n${output}`);
  assert.deepEqual([...at].sort((a, b) => a - b), at, `the stop goes gateway → other services → redis:\n${output}`);
}

/**
 * `npm start` on auto ports under hot-partition (a request for ap-south spends 80 ms in the
 * feature store), requests on several connections all through the stop that `stop` starts.
 */
async function stopUnderLoad(t: TestContext, stop: (npmPid: number) => void): Promise<void> {
  const npm = launch(t, 'npm', ['start', '--', '--ports', 'auto'], { MLTRACE_SCENARIO: 'hot-partition' });
  // npm start builds first: a turbo cache hit after the suite's own build, minutes when it is not.
  await npm.waitFor(/^mltrace is up/m, timeout - 60_000);
  const state = runningStack(npm.stackDir);
  let over = false;
  const load = keepPredicting(state.urls.gateway, 6, () => over, 'ap-south');
  // Load the gateway until it has taken a few of these requests.
  for (const deadline = Date.now() + 30_000; acceptedPorts(join(state.logsDir, 'gateway.log')).size < 12; await sleep(20)) {
    assert.ok(Date.now() < deadline, `the gateway took no requests:\n${npm.output()}`);
  }
  const signalledAt = performance.now();
  stop(npm.child.pid as number);
  const code = await npm.exited;
  over = true;
  const answers = await load;
  const output = npm.output();

  assert.equal(code, 0, output);
  assertStopOrder(output);
  const accepted = acceptedPorts(join(state.logsDir, 'gateway.log'));
  const taken = answers.filter((a) => a.port !== undefined && accepted.has(a.port));
  const summary = (list: Answer[]) => JSON.stringify(list.map((a) => ({ start: Math.round(a.start - signalledAt), end: Math.round(a.end - signalledAt), outcome: a.outcome, taken: a.port !== undefined && accepted.has(a.port) })));
  // Drained: every request the gateway took was answered 200, among them some still in flight when the signal came.
  assert.deepEqual(taken.filter((a) => a.outcome !== 200), [], `requests the gateway took and did not answer 200: ${summary(answers)}`);
  assert.ok(taken.some((a) => a.start < signalledAt && a.end > signalledAt), `some requests were in flight at the signal: ${summary(answers)}`);
  // The others were turned away at the door (no connection), never answered with a 5xx.
  const notTaken = answers.filter((a) => !taken.includes(a));
  assert.deepEqual(notTaken.filter((a) => typeof a.outcome === 'number'), [], `answers to requests the gateway had not logged: ${summary(notTaken)}`);
  assert.deepEqual(notTaken.filter((a) => a.outcome !== 'ECONNREFUSED' && a.outcome !== 'ECONNRESET'), [], summary(notTaken));
  assert.deepEqual(await survivors(npm.seen.keys()), [], `left running: ${[...npm.seen.values()].join(' | ')}`);
  assert.equal(existsSync(stackStateFile(npm.stackDir)), false, 'stack.json is removed once the system has stopped');
}

test('npm start: kill -TERM on the npm process drains the gateway, then stops the services, then Redis; nothing is left', { skip, timeout }, async (t) => {
  await stopUnderLoad(t, (pid) => process.kill(pid, 'SIGTERM'));
});

test('npm start: Ctrl-C (SIGINT to the whole process group) stops in the same order, the services do not get it first', { skip, timeout }, async (t) => {
  await stopUnderLoad(t, (pid) => process.kill(-pid, 'SIGINT'));
});

test('a service or Redis dying while the stack runs is reported at once; npm run demo uses the system running on auto ports', { skip, timeout }, async (t) => {
  const launcher = launch(t, process.execPath, [START_JS, '--ports', 'auto']);
  await launcher.waitFor(/^mltrace is up/m);
  const state = runningStack(launcher.stackDir);
  assert.equal(state.pid, launcher.child.pid);
  assert.match(launcher.output(), /npm run demo +\(uses this system: it finds it through .*stack\.json\)/);

  // The demo, with the stack's folder but no gateway URL, finds this system and starts none.
  const demo = spawnSync(process.execPath, [DEMO_JS], {
    env: { ...process.env, MLTRACE_STACK_DIR: launcher.stackDir, MLTRACE_GATEWAY_URL: '', MLTRACE_TRACES_DIR: '', OTEL_TRACES_EXPORTER: 'file' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(demo.status, 0, demo.stdout + demo.stderr);
  assert.ok(demo.stdout.includes(`using the system already running at ${state.urls.gateway} (npm start, pid ${state.pid}`), demo.stdout);
  assert.doesNotMatch(demo.stdout, /starting the system|mltrace is up/);
  assert.match(demo.stdout, /^spans written by this demo: [1-9]\d*/m);

  const pid = Number(/postprocess +\S+ +POST \S+ +pid (\d+)/.exec(launcher.output())?.[1]);
  assert.ok(pid > 0, launcher.output());
  process.kill(pid, 'SIGKILL');
  await launcher.waitFor(new RegExp(`mltrace stack: postprocess \\(pid ${pid}\\) exited unexpectedly \\(killed by SIGKILL\\); its log: .*postprocess\\.log`), 5000);

  // The private Redis, not the `redis-server --version` probe before it.
  const redisPort = /private redis-server redis:\/\/[\d.]+:(\d+)/.exec(launcher.output())?.[1] ?? '?';
  const redis = [...launcher.seen].find(([, cmd]) => cmd.startsWith('redis-server') && cmd.includes(redisPort));
  assert.ok(redis, `a private redis-server: ${[...launcher.seen.values()].join(' | ')}`);
  process.kill(redis[0], 'SIGTERM');
  await launcher.waitFor(new RegExp(`mltrace stack: redis-server \\(pid ${redis[0]}\\) exited unexpectedly \\(exit code 0\\)`), 5000);

  process.kill(launcher.child.pid as number, 'SIGTERM');
  assert.equal(await launcher.exited, 0, launcher.output());
  assert.deepEqual(await survivors(launcher.seen.keys()), [], launcher.output());
  // A stop of what was already gone is not news.
  assert.equal(launcher.output().match(/exited unexpectedly/g)?.length, 2, launcher.output());
});
