// Out-of-process tests of the preload: real processes started with
// `node --require @mltrace/tracing/register`, real sockets, spans read back
// from the file exporter's OTLP/JSON files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, hasRedisServer, readExportedSpans, startRedisServer, stopProcess, type ExportedSpan } from '@mltrace/testkit';
import { CLIENT, cleanEnv, FIXTURES, PKG_ROOT, post, SERVER, startApp, tempDir } from './preload-support';

function byId(spans: ExportedSpan[]): Map<string, ExportedSpan> {
  return new Map(spans.map((s) => [s.spanId, s]));
}

/** Walks parent links inside the exported spans; true when `ancestor` is reached. */
function descendsFrom(span: ExportedSpan, ancestor: ExportedSpan, index: Map<string, ExportedSpan>): boolean {
  for (let cur: ExportedSpan | undefined = span; cur; cur = index.get(cur.parentSpanId)) {
    if (cur.spanId === ancestor.spanId) return true;
  }
  return false;
}

test('two fastify apps over undici: one trace, correct parent links, baggage attributes on every span', async (t) => {
  const dir = tempDir(t);
  const b = await startApp('app-b.js', { OTEL_SERVICE_NAME: 'app-b', MLTRACE_TRACES_DIR: dir });
  t.after(() => stopProcess(b.child));
  const a = await startApp('app-a.js', { OTEL_SERVICE_NAME: 'app-a', MLTRACE_TRACES_DIR: dir, B_URL: b.url });
  t.after(() => stopProcess(a.child));

  const plain = await post(`${a.url}/v1/call`, { baggage: 'model_version=v2,customer_segment=enterprise,unrelated=x' });
  assert.equal(plain.downstream.traceparentCount, 1);
  assert.equal(plain.downstream.xTraceId, null, 'X-headers are not written by default');
  assert.deepEqual(plain.downstream.ml, { model_version: 'v2', customer_segment: 'enterprise', experiment_id: 'exp-7' });
  const manual = await post(`${a.url}/v1/call-manual`);
  assert.equal(manual.downstream.traceparentCount, 1, 'a hand-set traceparent must not be duplicated');
  await (await fetch(`${a.url}/health`)).text();

  // SIGTERM: A closes fastify then calls shutdownTracing(); B has no handler, so the preload flushes and re-raises.
  await Promise.all([stopProcess(a.child), stopProcess(b.child)]);
  assert.equal((await b.exited).signal, 'SIGTERM');
  assert.equal((await a.exited).code, 0);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.replace(/-\d+\.jsonl$/, '')).sort(), ['app-a', 'app-b']);

  const firstLine = readFileSync(join(dir, readdirSync(dir).find((f) => f.startsWith('app-b-'))!), 'utf8').split('\n')[0]!;
  const resourceKeys = (JSON.parse(firstLine).resourceSpans[0].resource.attributes as Array<{ key: string }>).map((a) => a.key);
  for (const key of ['service.name', 'service.version', 'deployment.environment.name', 'host.name', 'process.pid', 'telemetry.sdk.version']) {
    assert.ok(resourceKeys.includes(key), `resource has ${key}: ${resourceKeys.join(', ')}`);
  }

  const spans = readExportedSpans(dir);
  const index = byId(spans);
  assert.ok(!spans.some((s) => String(s.attributes['url.path']).startsWith('/health')), '/health is not traced');

  const aServer = spans.find((s) => s.serviceName === 'app-a' && s.kind === SERVER && s.name === 'POST /v1/call');
  assert.ok(aServer, `A's server span named by route; got ${spans.map((s) => `${s.serviceName}:${s.name}`).join(', ')}`);
  const traceSpans = spans.filter((s) => s.traceId === aServer.traceId);
  const aClient = traceSpans.find((s) => s.serviceName === 'app-a' && s.kind === CLIENT);
  const bServer = traceSpans.find((s) => s.serviceName === 'app-b' && s.kind === SERVER);
  assert.ok(aClient && bServer, 'client span and B server span share the trace id');
  assert.equal(bServer.name, 'POST /v1/echo');
  assert.equal(bServer.attributes['http.route'], '/v1/echo');
  assert.equal(aServer.parentSpanId, '');
  assert.equal(bServer.parentSpanId, aClient.spanId);
  assert.ok(descendsFrom(aClient, aServer, index), 'client span descends from A server span');
  const echo = traceSpans.find((s) => s.serviceName === 'app-b' && s.name === 'echo');
  assert.ok(echo && descendsFrom(echo, bServer, index), 'helper span in B descends from B server span');
  // One SERVER span per hop (src/instrumentations/fastify.ts), no second span of the same extent: A server, A client, B server, echo.
  // The client span is named by the route it calls (`{method} {url.template}`), so a service's calls are told apart.
  assert.deepEqual(traceSpans.map((s) => `${s.serviceName}:${s.kind}:${s.name}`).sort(), ['app-a:2:POST /v1/call', 'app-a:3:POST /v1/echo', 'app-b:1:echo', 'app-b:2:POST /v1/echo']);
  assert.equal(aClient.attributes['url.template'], '/v1/echo');
  for (const server of [aServer, bServer]) {
    assert.equal(server.attributes['http.request.method'], 'POST');
    assert.equal(server.attributes['http.response.status_code'], 200);
    assert.equal(server.attributes['network.protocol.version'], '1.1');
    assert.equal(server.attributes['server.address'], '127.0.0.1');
    assert.equal(typeof server.attributes['server.port'], 'number');
    assert.equal(server.attributes['client.address'], '127.0.0.1');
    assert.ok(!server.status.code, 'a 200 leaves the server span UNSET');
  }
  assert.equal(bServer.attributes['url.path'], '/v1/echo');
  for (const s of traceSpans) {
    assert.equal(s.attributes['ml.model.version'], 'v2', `${s.serviceName}:${s.name}`);
    assert.equal(s.attributes['business.customer_segment'], 'enterprise', `${s.serviceName}:${s.name}`);
    assert.equal(s.attributes['unrelated'], undefined);
  }
  for (const s of [aClient, bServer, echo]) assert.equal(s.attributes['ml.experiment.id'], 'exp-7', s.name);

  // The hand-set traceparent request stays in A's trace too.
  const manualServer = spans.find((s) => s.serviceName === 'app-a' && s.name === 'POST /v1/call-manual');
  const manualB = spans.filter((s) => s.serviceName === 'app-b' && s.kind === SERVER && s.traceId === manualServer?.traceId);
  assert.equal(manualB.length, 1);
  assert.equal(traceIdFromParent(manual.downstream.traceparent), manualServer?.traceId);
  assert.ok(descendsFrom(manualB[0]!, manualServer!, index));
});

function traceIdFromParent(traceparent: string): string | undefined {
  return traceparent.split('-')[1];
}

test('OTEL_SDK_DISABLED=true: the app works and exports nothing', async (t) => {
  const dir = tempDir(t);
  const a = await startApp('app-a.js', { OTEL_SERVICE_NAME: 'app-a', MLTRACE_TRACES_DIR: dir, OTEL_SDK_DISABLED: 'true' });
  t.after(() => stopProcess(a.child));
  assert.deepEqual(await post(`${a.url}/v1/local`), { ok: true });
  const stats = (await (await fetch(`${a.url}/stats`)).json()) as { exported: number };
  assert.equal(stats.exported, 0);
  await stopProcess(a.child);
  assert.equal((await a.exited).code, 0);
  assert.equal(existsSync(dir) ? readdirSync(dir).length : 0, 0);
  assert.equal(a.stderr(), '');
});

test('an SDK that fails to start costs one warning line; the app runs untraced', async (t) => {
  const dir = tempDir(t);
  const a = await startApp('app-a.js', { OTEL_SERVICE_NAME: 'app-a', MLTRACE_TRACES_DIR: dir }, [join(FIXTURES, 'break-sdk.js')]);
  t.after(() => stopProcess(a.child));
  assert.deepEqual(await post(`${a.url}/v1/local`), { ok: true });
  await stopProcess(a.child);
  assert.equal((await a.exited).code, 0);
  const lines = a.stderr().trim().split('\n');
  assert.equal(lines.length, 1, a.stderr());
  assert.match(lines[0]!, /^\[mltrace\/tracing\] tracing is off: .*simulated broken .*runs untraced$/);
  assert.equal(existsSync(dir) ? readdirSync(dir).length : 0, 0);
});

test('a setup that fails halfway is taken back: one warning line, no spans, no propagation; the app runs untraced', async (t) => {
  const dir = tempDir(t);
  const b = await startApp('app-b.js', { OTEL_SERVICE_NAME: 'app-b', MLTRACE_TRACES_DIR: tempDir(t) });
  t.after(() => stopProcess(b.child));
  const a = await startApp('app-a.js', { OTEL_SERVICE_NAME: 'app-a', MLTRACE_TRACES_DIR: dir, B_URL: b.url }, [join(FIXTURES, 'break-registration.js')]);
  t.after(() => stopProcess(a.child));
  // The context manager, propagator and instrumentations were in place before the failure: left
  // there, the call to B would carry a traceparent and the ML context in baggage.
  const { downstream } = (await post(`${a.url}/v1/call`)) as { downstream: { traceparent: string | null; baggageCount: number } };
  assert.deepEqual([downstream.traceparent, downstream.baggageCount], [null, 0]);
  await stopProcess(a.child);
  assert.equal((await a.exited).code, 0);
  const lines = a.stderr().trim().split('\n');
  assert.equal(lines.length, 1, a.stderr());
  assert.match(lines[0]!, /^\[mltrace\/tracing\] tracing is off: .*simulated failure registering .*runs untraced$/);
  assert.equal(existsSync(dir) ? readdirSync(dir).filter((f) => readFileSync(join(dir, f), 'utf8').trim() !== '').length : 0, 0, 'no spans of A');
});

test('unreachable OTLP endpoint: the app keeps answering and the dropped spans are reported, while running and at shutdown', async (t) => {
  const closedPort = await freePort();
  const a = await startApp('app-a.js', {
    OTEL_SERVICE_NAME: 'app-a',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '500',
    MLTRACE_SHUTDOWN_TIMEOUT_MS: '2000',
  });
  t.after(() => stopProcess(a.child));
  for (let i = 0; i < 5; i++) assert.deepEqual(await post(`${a.url}/v1/local`), { ok: true });
  let dropped = 0;
  for (const deadline = Date.now() + 8000; dropped === 0 && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 100));
    dropped = ((await (await fetch(`${a.url}/stats`)).json()) as { dropped: number }).dropped;
  }
  assert.ok(dropped > 0, 'getTracingStats() counts the failed exports');
  await post(`${a.url}/v1/local`);
  await stopProcess(a.child, 8000);
  assert.equal((await a.exited).code, 0);
  // The total at shutdown (the lines while running announce what was lost by then, possibly fewer).
  const line = a.stderr().split('\n').find((l) => l.includes('unsent at shutdown'));
  assert.ok(line, `stderr: ${a.stderr()}`);
  const reported = Number(/dropped (\d+) spans/.exec(line)?.[1]);
  assert.ok(reported >= dropped, `reported ${reported} at shutdown >= counted earlier ${dropped}`);
  assert.match(a.stderr(), /dropped \d+ spans \(queue full: 0, export failed: \d+ so far, last export error: .*ECONNREFUSED/, 'announced while running, with the reason');
});

test('MLTRACE_SAMPLING_STRATEGIES_FILE: the preload samples with the Jaeger-format strategies', async (t) => {
  const dir = tempDir(t);
  const strategies = join(dir, 'strategies.json');
  writeFileSync(
    strategies,
    JSON.stringify({
      default_strategy: { type: 'probabilistic', param: 1 },
      service_strategies: [{ service: 'app-b', type: 'probabilistic', param: 0 }],
    }),
  );
  const traces = join(dir, 'traces');
  const env = { MLTRACE_TRACES_DIR: traces, MLTRACE_SAMPLING_STRATEGIES_FILE: strategies };
  const a = await startApp('app-a.js', { ...env, OTEL_SERVICE_NAME: 'app-a' });
  t.after(() => stopProcess(a.child));
  const b = await startApp('app-b.js', { ...env, OTEL_SERVICE_NAME: 'app-b' });
  t.after(() => stopProcess(b.child));
  await post(`${a.url}/v1/local`);
  await post(`${b.url}/v1/echo`);
  await Promise.all([stopProcess(a.child), stopProcess(b.child), a.exited, b.exited]);
  const spans = readExportedSpans(traces);
  const root = spans.find((s) => s.serviceName === 'app-a' && s.kind === SERVER);
  assert.ok(root, 'app-a (default strategy, p=1) is traced');
  assert.equal(typeof root.attributes['mltrace.sampling.rule'], 'string');
  assert.equal(spans.filter((s) => s.serviceName === 'app-b').length, 0, 'app-b (p=0) exports nothing');
  assert.equal(a.stderr(), '');
});

test('MLTRACE_INSTRUMENTATIONS=all starts the full auto-instrumentation set and still traces fastify', async (t) => {
  const dir = tempDir(t);
  const b = await startApp('app-b.js', { OTEL_SERVICE_NAME: 'app-b', MLTRACE_TRACES_DIR: dir, MLTRACE_INSTRUMENTATIONS: 'all' });
  t.after(() => stopProcess(b.child));
  await post(`${b.url}/v1/echo`, { baggage: 'region=eu-west' });
  await stopProcess(b.child);
  await b.exited;
  const server = readExportedSpans(dir).find((s) => s.kind === SERVER);
  assert.equal(server?.name, 'POST /v1/echo');
  assert.equal(server?.attributes['business.region'], 'eu-west');
  assert.equal(b.stderr(), '');
});

test('ioredis commands are child spans of the request; pino log lines carry its trace id', { skip: !hasRedisServer() && 'redis-server is not installed' }, async (t) => {
  const redis = await startRedisServer();
  t.after(() => redis.stop());
  const dir = tempDir(t);
  const app = await startApp('app-redis.js', { OTEL_SERVICE_NAME: 'app-redis', MLTRACE_TRACES_DIR: dir, REDIS_URL: redis.url });
  t.after(() => stopProcess(app.child));
  assert.deepEqual(await post(`${app.url}/v1/lookup`), { value: null });
  await stopProcess(app.child);
  const spans = readExportedSpans(dir);
  const server = spans.find((s) => s.kind === SERVER && s.name === 'POST /v1/lookup');
  const get = spans.find((s) => s.kind === CLIENT && s.name === 'get');
  assert.ok(server && get, spans.map((s) => s.name).join(', '));
  assert.ok(descendsFrom(get, server, byId(spans)), 'redis GET descends from the server span');
  assert.ok(!spans.some((s) => s.name === 'connect' && s.parentSpanId === ''), 'no orphan redis spans');
  const logLine = app.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'looked up key');
  assert.equal(logLine?.['trace_id'], server.traceId);
  assert.match(String(logLine?.['span_id']), /^[0-9a-f]{16}$/);
});

test('shutdown is bounded: a collector that never answers costs MLTRACE_SHUTDOWN_TIMEOUT_MS, and the unsent spans are reported', async (t) => {
  // Accepts connections and never answers, like a hung collector.
  const sockets: Socket[] = [];
  const blackhole = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });
  const a = await startApp('app-a.js', {
    OTEL_SERVICE_NAME: 'app-a',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: '30000',
    OTEL_BSP_SCHEDULE_DELAY: '60000',
    MLTRACE_SHUTDOWN_TIMEOUT_MS: '700',
  });
  t.after(() => stopProcess(a.child));
  for (let i = 0; i < 3; i++) await post(`${a.url}/v1/local`);
  const started = Date.now();
  await stopProcess(a.child, 10_000);
  const took = Date.now() - started;
  assert.equal((await a.exited).code, 0);
  assert.ok(took >= 600 && took < 4000, `shutdown took ${took} ms`);
  const unsent = Number(/unsent at shutdown: (\d+)/.exec(a.stderr())?.[1]);
  assert.ok(unsent >= 3, `stderr: ${a.stderr()}`); // one server span per request
});

test('a script that simply runs out of work is flushed on beforeExit', (t, done) => {
  const dir = tempDir(t);
  const script = `require(${JSON.stringify(join(PKG_ROOT, 'dist', 'src', 'index.js'))}).traceDataProcessing({ operation: 'batch-job', inputSize: 3 }, async () => 3, (n) => ({ outputSize: n }));`;
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', '-e', script], {
    cwd: PKG_ROOT,
    env: { ...cleanEnv(), OTEL_SERVICE_NAME: 'batch', MLTRACE_TRACES_DIR: dir, OTEL_BSP_SCHEDULE_DELAY: '60000' },
    stdio: 'ignore',
  });
  child.once('close', (code) => {
    assert.equal(code, 0);
    const span = readExportedSpans(dir).find((s) => s.name === 'batch-job');
    assert.equal(span?.attributes['ml.data.output_size'], 3);
    done();
  });
});

test('process.exit() without shutdownTracing(): the spans lost with the process are still reported', (t, done) => {
  const dir = tempDir(t);
  const script = `require(${JSON.stringify(join(PKG_ROOT, 'dist', 'src', 'index.js'))}).traceDataProcessing({ operation: 'abrupt' }, () => 1).then(() => process.exit(0));`;
  const child = spawn(process.execPath, ['--require', '@mltrace/tracing/register', '-e', script], {
    cwd: PKG_ROOT,
    env: { ...cleanEnv(), OTEL_SERVICE_NAME: 'abrupt', MLTRACE_TRACES_DIR: dir, OTEL_BSP_SCHEDULE_DELAY: '60000' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.once('close', (code) => {
    assert.equal(code, 0);
    assert.match(stderr, /dropped 1 spans \(queue full: 0, export failed: 0, unsent at shutdown: 1\)/);
    done();
  });
});

test('OTEL_PROPAGATORS naming xheaders turns writing the X-* compatibility headers on', async (t) => {
  const dir = tempDir(t);
  const env = { MLTRACE_TRACES_DIR: dir, OTEL_PROPAGATORS: 'tracecontext,baggage,xheaders' };
  const b = await startApp('app-b.js', { ...env, OTEL_SERVICE_NAME: 'app-b' });
  t.after(() => stopProcess(b.child));
  const a = await startApp('app-a.js', { ...env, OTEL_SERVICE_NAME: 'app-a', B_URL: b.url });
  t.after(() => stopProcess(a.child));
  const res = await post(`${a.url}/v1/call`);
  assert.match(String(res.downstream.xTraceId), /^[0-9a-f]{32}$/);
  assert.equal(res.downstream.xTraceId, traceIdFromParent(res.downstream.traceparent));
});
