// Nothing lost silently, with the preload's defaults: a SIGKILLed process loses under a second of
// spans (the file exporter flushes every 500 ms), drops are announced while the process runs (at
// most one line per interval), and a collector that never answers delays a stop by at most 2 s.
// Real processes started with `node --require @mltrace/tracing/register`, real sockets and files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, readExportedSpans, stopProcess } from '@mltrace/testkit';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from '../src/config';
import { cleanEnv, PKG_ROOT, post, SERVER, startApp, tempDir } from './preload-support';

/** The defaults under test: startApp's fast test flush (OTEL_BSP_SCHEDULE_DELAY=50) is unset here. */
const DEFAULTS = { OTEL_BSP_SCHEDULE_DELAY: '' };

/** A collector that accepts connections and never answers. */
async function hungCollector(t: { after(fn: () => void): void }): Promise<string> {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('SIGKILL: every request answered more than 1 s before the kill has its span on disk', async (t) => {
  const dir = tempDir(t);
  const a = await startApp('app-a.js', { ...DEFAULTS, OTEL_SERVICE_NAME: 'killed', MLTRACE_TRACES_DIR: dir });
  t.after(() => stopProcess(a.child));
  const answeredAt = new Map<string, number>();
  const until = Date.now() + 3000;
  for (let i = 0; Date.now() < until; i++) {
    await post(`${a.url}/v1/local`, { baggage: `experiment_id=kill-${i}` });
    answeredAt.set(`kill-${i}`, Date.now());
    await new Promise((r) => setTimeout(r, 20));
  }
  const killedAt = Date.now();
  a.child.kill('SIGKILL');
  assert.equal((await a.exited).signal, 'SIGKILL');

  const onDisk = new Set(readExportedSpans(dir).filter((s) => s.kind === SERVER).map((s) => String(s.attributes['ml.experiment.id'])));
  const lost = [...answeredAt].filter(([marker]) => !onDisk.has(marker));
  const oldestLostAgeMs = Math.max(0, ...lost.map(([, at]) => killedAt - at));
  assert.ok(answeredAt.size >= 20, `requests sent: ${answeredAt.size}`);
  assert.ok(onDisk.size > 0, 'spans were written before the kill');
  assert.ok(oldestLostAgeMs < 1000, `lost ${lost.length} of ${answeredAt.size} spans; the oldest answered ${oldestLostAgeMs} ms before the kill`);
});

test('dropped spans are announced while the process runs, at most one line per interval', async (t) => {
  const closedPort = await freePort();
  const a = await startApp('app-a.js', {
    OTEL_SERVICE_NAME: 'dropping',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '300',
    MLTRACE_DROP_REPORT_INTERVAL_MS: '1000',
  });
  t.after(() => stopProcess(a.child));
  const started = Date.now();
  while (Date.now() - started < 3500) {
    await post(`${a.url}/v1/local`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const elapsedS = (Date.now() - started) / 1000;
  const lines = a.stderr().split('\n').filter((l) => /dropped \d+ spans/.test(l));
  assert.equal(a.child.exitCode, null, 'still running');
  assert.ok(lines.length >= 2, `announced while running:\n${a.stderr()}`);
  // The first line at once, then at most one per interval (the process measures the interval itself).
  assert.ok(lines.length <= Math.floor(elapsedS) + 1, `${lines.length} lines in ${elapsedS} s:\n${lines.join('\n')}`);
  for (const line of lines.slice(1)) {
    const since = Number(/in the last ([\d.]+) s/.exec(line)?.[1]);
    assert.ok(since >= 1, `a line per interval at most: ${line}`);
  }
  assert.match(lines[0]!, /export failed: \d+ so far, last export error: .*ECONNREFUSED/);
});

test(`shutdown with a collector that never answers is bounded by the default ${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms`, async (t) => {
  assert.ok(DEFAULT_SHUTDOWN_TIMEOUT_MS <= 2000);
  const collector = await hungCollector(t);
  const a = await startApp('app-a.js', { ...DEFAULTS, OTEL_SERVICE_NAME: 'hung', OTEL_EXPORTER_OTLP_ENDPOINT: collector });
  t.after(() => stopProcess(a.child));
  for (let i = 0; i < 3; i++) await post(`${a.url}/v1/local`);
  await new Promise((r) => setTimeout(r, 700)); // a batch is on its way to the collector
  await post(`${a.url}/v1/local`);
  const started = Date.now();
  a.child.kill('SIGTERM');
  const { code } = await a.exited;
  const took = Date.now() - started;
  assert.equal(code, 0);
  assert.match(a.stderr(), new RegExp(`shutdown gave up after ${DEFAULT_SHUTDOWN_TIMEOUT_MS} ms`));
  assert.ok(took >= DEFAULT_SHUTDOWN_TIMEOUT_MS - 100, `it did wait for the collector: ${took} ms`);
  assert.ok(took < DEFAULT_SHUTDOWN_TIMEOUT_MS + 2000, `bounded: ${took} ms`);
  assert.ok(Number(/unsent at shutdown: (\d+)/.exec(a.stderr())?.[1]) >= 4, a.stderr());
});

test('a script that runs out of work with a collector that never answers exits within the bound too', async (t) => {
  const collector = await hungCollector(t);
  const script =
    `require(${JSON.stringify(join(PKG_ROOT, 'dist', 'src', 'index.js'))}).traceDataProcessing({ operation: 'batch-job' }, async () => 1)` +
    `.then(() => process.stderr.write('work done\\n'));`;
  let workDoneAt = 0;
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', '-e', script], {
    cwd: PKG_ROOT,
    env: { ...cleanEnv(), OTEL_SERVICE_NAME: 'batch', OTEL_EXPORTER_OTLP_ENDPOINT: collector },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!workDoneAt && stderr.includes('work done')) workDoneAt = Date.now();
  });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  const took = Date.now() - workDoneAt;
  assert.equal(code, 0);
  assert.match(stderr, /unsent at shutdown: 1\).*shutdown gave up after/);
  assert.ok(took < DEFAULT_SHUTDOWN_TIMEOUT_MS + 1500, `exited ${took} ms after its work was done, not when the export times out (10 s)`);
});
