// Trace context under load: more concurrent calls than the gateway's pool has connections, for
// each gateway → service pool in turn, while that service is held frozen (SIGSTOP) so the calls
// pile up and queue. Every request's trace must hold exactly its own client and server spans, and
// no span may land in another request's trace. Then a call cut by the request deadline must be
// an ERROR client span whose error.type names the timeout. Real processes, real exported spans.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sleep } from '@mltrace/stack';
import { startSystem, type RunningSystem, type ServiceName } from '@mltrace/stack';
import { readExportedSpans, SpanKind, StatusCode, type ExportedSpan } from './traces';

/** The gateway's undici pool per dependency (service-kit's JsonClient default). */
const POOL_CONNECTIONS = 32;
const REQUESTS = 48;
/** Calls the gateway makes per request, by callee: features + account profile, then one each. */
const CALLS: Record<Downstream, number> = { 'feature-store': 2, inference: 1, postprocess: 1 };
type Downstream = 'feature-store' | 'inference' | 'postprocess';
const DOWNSTREAMS: Downstream[] = ['feature-store', 'inference', 'postprocess'];
/**
 * How long the callee stays frozen once every pool connection carries a call: long enough for
 * more calls to queue behind them, short enough that a queued call waits far less than the
 * request deadline (2 s) or a client's own bound on queueing.
 */
const HOLD_AFTER_POOL_FULL_MS = 100;

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-ctx-load-'));
const tracesDir = join(tmp, 'traces');
let system: RunningSystem;

before(async () => {
  system = await startSystem({
    ports: 'auto',
    redis: 'memory',
    tracesDir,
    logsDir: join(tmp, 'logs'),
    serviceEnv: {
      'feature-store': { FEATURE_MEMORY_CUSTOMERS: '200' },
      // Calls must queue for a connection here (that is what is tested), not be shed: the gateway's
      // bounded wait for a connection (200 ms by default; tested in the fault scenarios) is raised.
      gateway: { DEPENDENCY_QUEUE_TIMEOUT_MS: '10000' },
    },
    env: { OTEL_TRACES_EXPORTER: 'file', OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_SDK_DISABLED: undefined },
  });
});

after(async () => {
  for (const pid of Object.values(system?.pids ?? {})) if (pid) trySignal(pid, 'SIGCONT');
  await system?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function trySignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function portOf(service: ServiceName): number {
  return Number(new URL(system.urls[service]).port);
}

/**
 * Connections to `port` whose received bytes wait unread: with the service stopped, one per
 * call the gateway has sent it (the pool's connections carry one call each).
 */
function connectionsWaiting(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || !f[1]?.endsWith(`:${hexPort}`) || f[3] !== '01') continue;
    if (parseInt(f[4]?.split(':')[1] ?? '0', 16) > 0) n++;
  }
  return n;
}

interface Sent {
  marker: string;
  status: number;
  traceId: string;
}

function predict(marker: string): Promise<Sent> {
  return fetch(`${system.urls.gateway}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage: `model_version=v1,customer_segment=premium,experiment_id=${marker}` },
    body: JSON.stringify({ entities: ['cust-00001', 'cust-00002'] }),
  }).then(async (res) => {
    await res.arrayBuffer();
    return { marker, status: res.status, traceId: res.headers.get('x-trace-id') ?? '' };
  });
}

/** Polls the exported spans until `done` holds for them (the exporter flushes on its own schedule). */
async function spansWhen(done: (spans: ExportedSpan[]) => boolean, timeoutMs = 20_000): Promise<ExportedSpan[]> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(200)) {
    const spans = readExportedSpans(tracesDir);
    if (done(spans) || Date.now() > deadline) return spans;
  }
}

const ns = (t: string): number => Number(BigInt(t) / 1000n) / 1000; // ms

/**
 * The most calls to `callee` that were waiting for an answer at once, each from the moment the
 * gateway made it (after the step before it answered) to the end of its client span.
 */
function peakConcurrentCalls(spans: ExportedSpan[], callee: Downstream, sent: Sent[]): { peak: number; queued: number } {
  const events: Array<[number, number]> = [];
  let queued = 0;
  for (const { traceId } of sent) {
    const own = spans.filter((s) => s.traceId === traceId && s.serviceName === 'gateway');
    const clients = (service: Downstream) => own.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['server.port'] === portOf(service));
    const server = own.find((s) => s.kind === SpanKind.SERVER);
    if (!server) continue;
    const before = callee === 'feature-store' ? [] : callee === 'inference' ? clients('feature-store') : clients('inference');
    const calledAt = before.length > 0 ? Math.max(...before.map((s) => ns(s.endTimeUnixNano))) : ns(server.startTimeUnixNano);
    for (const c of clients(callee)) {
      events.push([calledAt, 1], [ns(c.endTimeUnixNano), -1]);
      // A call that got no connection at once: its request (and span) started well after it was made.
      if (ns(c.startTimeUnixNano) - calledAt > 30) queued++;
    }
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (now += d));
  return { peak, queued };
}

/** The spans of one request's trace, checked: exactly its own hops, each server span under its own client span. */
function assertOwnTrace(spans: ExportedSpan[], req: Sent): void {
  const own = spans.filter((s) => s.traceId === req.traceId);
  const where = `request ${req.marker} (trace ${req.traceId})`;
  const servers = (service: ServiceName) => own.filter((s) => s.serviceName === service && s.kind === SpanKind.SERVER);
  const gatewayServers = servers('gateway');
  assert.equal(gatewayServers.length, 1, `${where}: one gateway server span`);
  assert.equal(gatewayServers[0]?.parentSpanId, '', `${where}: the gateway server span is the root`);
  const byId = new Map(own.map((s) => [s.spanId, s]));
  for (const service of DOWNSTREAMS) {
    const clients = own.filter((s) => s.serviceName === 'gateway' && s.kind === SpanKind.CLIENT && s.attributes['server.port'] === portOf(service));
    const calleeServers = servers(service);
    assert.equal(clients.length, CALLS[service], `${where}: ${CALLS[service]} gateway client span(s) to ${service}, found ${clients.length}`);
    assert.equal(calleeServers.length, CALLS[service], `${where}: ${CALLS[service]} ${service} server span(s), found ${calleeServers.length}`);
    for (const c of clients) {
      assert.ok(byId.get(c.parentSpanId)?.serviceName === 'gateway', `${where}: the client span to ${service} is a child of a gateway span of this trace`);
    }
    assert.deepEqual(
      calleeServers.map((s) => s.parentSpanId).sort(),
      clients.map((c) => c.spanId).sort(),
      `${where}: each ${service} server span is the child of one of this request's client spans`,
    );
    for (const s of calleeServers) assert.equal(s.attributes['ml.experiment.id'], req.marker, `${where}: ${service} ran with this request's baggage`);
  }
}

for (const callee of DOWNSTREAMS) {
  test(`${REQUESTS} concurrent requests, ${callee} held so the gateway's ${POOL_CONNECTIONS}-connection pool queues: every span in its own request's trace`, async (t) => {
    const pid = system.pids[callee] as number;
    const port = portOf(callee);
    trySignal(pid, 'SIGSTOP');
    let sent: Sent[];
    try {
      const answers = Array.from({ length: REQUESTS }, (_, i) => predict(`ctx-${callee}-${i}`));
      // Hold the callee until the pool is full (every connection carries a call), then a little
      // longer so that more calls queue behind it.
      for (const until = Date.now() + 5000; connectionsWaiting(port) < POOL_CONNECTIONS && Date.now() < until; ) await sleep(10);
      await sleep(HOLD_AFTER_POOL_FULL_MS);
      trySignal(pid, 'SIGCONT');
      sent = await Promise.all(answers);
    } finally {
      trySignal(pid, 'SIGCONT');
    }
    assert.equal(new Set(sent.map((r) => r.traceId)).size, REQUESTS, 'one trace per request');
    const ok = sent.filter((r) => r.status === 200);
    assert.equal(ok.length, REQUESTS, `every request answered 200 (got ${sent.map((r) => r.status).join(',')})`);

    const expectedServers = (s: ExportedSpan[]) =>
      ok.every((r) => s.filter((x) => x.traceId === r.traceId && x.kind === SpanKind.SERVER).length >= 1 + CALLS['feature-store'] + CALLS.inference + CALLS.postprocess);
    const spans = await spansWhen(expectedServers);
    for (const req of ok) assertOwnTrace(spans, req);

    // Nothing of these requests elsewhere: every span that ran with one of their markers is in that request's trace.
    const traceOfMarker = new Map(sent.map((r) => [r.marker, r.traceId]));
    const misfiled = spans.filter((s) => {
      const marker = s.attributes['ml.experiment.id'];
      return typeof marker === 'string' && traceOfMarker.has(marker) && traceOfMarker.get(marker) !== s.traceId;
    });
    assert.deepEqual(misfiled.map((s) => `${s.serviceName} ${s.name}`), [], 'no span of these requests in another trace');

    // The load was what the test is about: more calls waiting on the callee than the pool has connections.
    const { peak, queued } = peakConcurrentCalls(spans, callee, ok);
    t.diagnostic(`${callee}: at most ${peak} calls waiting at once, ${queued} of them waited for a connection`);
    assert.ok(peak > POOL_CONNECTIONS, `calls to ${callee} waiting at once: ${peak}, more than ${POOL_CONNECTIONS} connections`);
    assert.ok(queued > 0, `some calls to ${callee} waited for a connection (${queued})`);
  });
}

test('a call cut by the request deadline: ERROR client span, error.type TimeoutError, and the gateway answers 504', async () => {
  const pid = system.pids.postprocess as number;
  trySignal(pid, 'SIGSTOP');
  let sent: Sent[];
  try {
    sent = await Promise.all([predict('ctx-deadline-0'), predict('ctx-deadline-1')]);
  } finally {
    trySignal(pid, 'SIGCONT');
  }
  assert.deepEqual(
    sent.map((r) => r.status),
    [504, 504],
  );
  const port = portOf('postprocess');
  const clientsToPostprocess = (s: ExportedSpan[]) =>
    s.filter((x) => sent.some((r) => r.traceId === x.traceId) && x.serviceName === 'gateway' && x.kind === SpanKind.CLIENT && x.attributes['server.port'] === port);
  const spans = await spansWhen((s) => clientsToPostprocess(s).length >= 2);
  const clients = clientsToPostprocess(spans);
  assert.equal(clients.length, 2);
  for (const c of clients) {
    assert.equal(c.status.code, StatusCode.ERROR, `${c.name}: ERROR status`);
    assert.equal(c.attributes['error.type'], 'TimeoutError');
  }
});
