import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, readExportedSpans, sleep, stopProcess, waitForHttp } from '@mltrace/testkit';

const FIXTURE = join(__dirname, 'fixtures', 'serve-app.js');
/** SPAN_KIND_SERVER in OTLP's enum, as the file exporter writes it. */
const OTLP_SPAN_KIND_SERVER = 2;

interface Started {
  child: ChildProcess;
  base: string;
  exited: Promise<number | null>;
  stderr: () => string;
  /** Resolves once the service's log (stdout) contains `text`. */
  logged: (text: string) => Promise<void>;
}

async function start(t: { after(fn: () => unknown): void }, env: Record<string, string>, port?: number): Promise<Started> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', FIXTURE], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, PORT: String(p), OTEL_SERVICE_NAME: 'serve-fixture', OTEL_TRACES_EXPORTER: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const logged = async (text: string) => {
    for (let waited = 0; !stdout.includes(text); waited += 20) {
      if (waited > 10_000) throw new Error(`the service never logged ${JSON.stringify(text)}`);
      await sleep(20);
    }
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.after(() => stopProcess(child, 1000));
  return { child, base: `http://127.0.0.1:${p}`, exited, stderr: () => stderr, logged };
}

test('SIGTERM: the request in flight finishes, new connections are refused, spans are flushed, exit 0', async (t) => {
  const tracesDir = mkdtempSync(join(tmpdir(), 'serve-traces-'));
  t.after(() => rmSync(tracesDir, { recursive: true, force: true }));
  // A long export delay: only the shutdown flush can have written the spans when the process exits.
  const svc = await start(t, { OTEL_TRACES_EXPORTER: 'file', MLTRACE_TRACES_DIR: tracesDir, OTEL_BSP_SCHEDULE_DELAY: '60000' });
  await waitForHttp(`${svc.base}/health`);

  const inFlight = fetch(`${svc.base}/slow?ms=400`);
  await svc.logged('slow request started');
  const stopAt = performance.now();
  svc.child.kill('SIGTERM');
  await svc.logged('shutting down');
  const late = await fetch(`${svc.base}/slow?ms=0`, { headers: { connection: 'close' } }).then(
    (r) => `HTTP ${r.status}`,
    (e: unknown) => String((e as { cause?: { code?: string } }).cause?.code ?? e),
  );
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { slept: 400 });
  assert.equal(late, 'ECONNREFUSED', 'no new connections once stopping');
  assert.equal(await svc.exited, 0, svc.stderr());
  assert.ok(performance.now() - stopAt < 5000, 'exits promptly after the drain');
  const spans = readExportedSpans(tracesDir);
  assert.ok(
    spans.some((s) => s.serviceName === 'serve-fixture' && s.kind === OTLP_SPAN_KIND_SERVER && /\/slow/.test(String(s.attributes['url.path'] ?? s.name))),
    `the drained request's server span was exported at shutdown (got ${spans.map((s) => s.name).join(', ') || 'none'})`,
  );
});

test('the drain is bounded: a request that outlives drainTimeoutMs is cut off and the exit status is 1', async (t) => {
  const svc = await start(t, { DRAIN_TIMEOUT_MS: '200' });
  await waitForHttp(`${svc.base}/health`);
  const stuck = fetch(`${svc.base}/slow?ms=30000`).then(
    (r) => `HTTP ${r.status}`,
    () => 'cut off',
  );
  await svc.logged('slow request started');
  const stopAt = performance.now();
  svc.child.kill('SIGINT');
  assert.equal(await svc.exited, 1);
  const took = performance.now() - stopAt;
  assert.ok(took >= 150 && took < 3000, `stopped after ${took} ms`);
  assert.equal(await stuck, 'cut off');
});

test('a port already taken: "<name> failed to start" and exit status 1', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => blocker.close(r)));
  const port = (blocker.address() as { port: number }).port;
  const svc = await start(t, {}, port);
  assert.equal(await svc.exited, 1);
  assert.match(svc.stderr(), /serve-fixture failed to start:.*EADDRINUSE/s);
});
