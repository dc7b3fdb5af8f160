import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startTracedProcess, type Cleanup, type TracedProcessOptions } from '@mltrace/testkit';

const FIXTURE = join(__dirname, 'fixtures', 'serve-app.js');
/** SPAN_KIND_SERVER in OTLP's enum, as the file exporter writes it. */
const OTLP_SPAN_KIND_SERVER = 2;

/** The fixture under the tracing preload; `readyPath` waits for it to listen. */
function start(t: Cleanup, opts: Partial<TracedProcessOptions> = {}) {
  return startTracedProcess(t, { cwd: join(__dirname, '..', '..'), script: FIXTURE, serviceName: 'serve-fixture', ...opts });
}

test('SIGTERM: the request in flight finishes, new connections are refused, spans are flushed, exit 0', async (t) => {
  // A long export delay: only the shutdown flush can have written the spans when the process exits.
  const svc = await start(t, { env: { OTEL_BSP_SCHEDULE_DELAY: '60000' }, readyPath: '/health' });

  const inFlight = fetch(`${svc.url}/slow?ms=400`);
  await svc.waitForOutput('slow request started');
  const stopAt = performance.now();
  svc.child.kill('SIGTERM');
  await svc.waitForOutput('shutting down');
  const late = await fetch(`${svc.url}/slow?ms=0`, { headers: { connection: 'close' } }).then(
    (r) => `HTTP ${r.status}`,
    (e: unknown) => String((e as { cause?: { code?: string } }).cause?.code ?? e),
  );
  const res = await inFlight;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { slept: 400 });
  assert.equal(late, 'ECONNREFUSED', 'no new connections once stopping');
  assert.equal(await svc.exited, 0, svc.stderr());
  assert.ok(performance.now() - stopAt < 5000, 'exits promptly after the drain');
  const spans = svc.spans();
  assert.ok(
    spans.some((s) => s.serviceName === 'serve-fixture' && s.kind === OTLP_SPAN_KIND_SERVER && /\/slow/.test(String(s.attributes['url.path'] ?? s.name))),
    `the drained request's server span was exported at shutdown (got ${spans.map((s) => s.name).join(', ') || 'none'})`,
  );
});

test('the drain is bounded: a request that outlives drainTimeoutMs is cut off and the exit status is 1', async (t) => {
  const svc = await start(t, { env: { DRAIN_TIMEOUT_MS: '200' }, readyPath: '/health' });
  const stuck = fetch(`${svc.url}/slow?ms=30000`).then(
    (r) => `HTTP ${r.status}`,
    () => 'cut off',
  );
  await svc.waitForOutput('slow request started');
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
  const svc = await start(t, { port });
  assert.equal(await svc.exited, 1);
  assert.match(svc.stderr(), /serve-fixture failed to start:.*EADDRINUSE/s);
});
