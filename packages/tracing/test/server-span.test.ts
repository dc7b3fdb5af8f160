// The SERVER span of each request is mltrace's fastify hook's (instrumentation-http's
// incoming spans are off): one span per hop, named by route, with the HTTP
// semconv attributes, the semconv status rule, the synthetic marker, and
// getServerSpan() finding it below child spans. Real processes, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readExportedSpans, stopProcess } from '@mltrace/testkit';
import { SERVER, startApp, tempDir } from './preload-support';

const INTERNAL = 1;

async function send(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('one SERVER span per request: route name, HTTP attributes, status by the semconv server rule, getServerSpan()', async (t) => {
  const dir = tempDir(t);
  const app = await startApp('app-server.js', { OTEL_SERVICE_NAME: 'app-server', MLTRACE_TRACES_DIR: dir });
  t.after(() => stopProcess(app.child));

  const ids = await send(`${app.url}/v1/ids/42?verbose=1`, {}, { 'user-agent': 'mltrace-loadgen/0.1 (synthetic test traffic)' });
  assert.equal(ids.status, 200);
  const bad = await send(`${app.url}/v1/strict`, { n: 'not a number' }, { baggage: 'synthetic_type=test,region=eu-west' });
  assert.equal(bad.status, 400);
  const boom = await send(`${app.url}/v1/boom`, {}, { 'user-agent': 'curl/8.0' });
  assert.equal(boom.status, 500);
  const missing = await send(`${app.url}/v1/nowhere`, {});
  assert.equal(missing.status, 404);
  await (await fetch(`${app.url}/health`)).text();
  await stopProcess(app.child);
  await app.exited;

  const spans = readExportedSpans(dir);
  const servers = spans.filter((s) => s.kind === SERVER);
  assert.deepEqual(servers.map((s) => s.name).sort(), ['POST', 'POST /v1/boom', 'POST /v1/ids/:id', 'POST /v1/strict'], 'one server span per request, /health untraced');
  assert.equal(spans.filter((s) => s.kind === INTERNAL && s.name === 'request').length, 0, 'no second span of the same extent');

  const byName = new Map(servers.map((s) => [s.name, s]));
  const ok = byName.get('POST /v1/ids/:id')!;
  assert.equal(ok.attributes['http.route'], '/v1/ids/:id');
  assert.equal(ok.attributes['url.path'], '/v1/ids/42');
  assert.equal(ok.attributes['url.query'], 'verbose=1');
  assert.equal(ok.attributes['url.scheme'], 'http');
  assert.equal(ok.attributes['http.response.status_code'], 200);
  assert.equal(ok.attributes['user_agent.original'], 'mltrace-loadgen/0.1 (synthetic test traffic)');
  assert.equal(ok.attributes['user_agent.synthetic.type'], 'test', 'the load generator user agent marks the server span');
  assert.ok(!ok.status.code);

  // getServerSpan() (and getRPCMetadata().span, as with instrumentation-http) find the server span from inside a child span.
  assert.equal(ids.body.server, ok.spanId);
  assert.equal(ids.body.rpc, ok.spanId);
  assert.equal(ids.body.active, ids.body.inner, 'inside the helper the active span is the helper span');
  const inner = spans.find((s) => s.spanId === ids.body.inner);
  assert.equal(inner?.parentSpanId, ok.spanId);

  const clientError = byName.get('POST /v1/strict')!;
  assert.equal(clientError.attributes['http.response.status_code'], 400);
  assert.ok(!clientError.status.code, 'a 4xx leaves a server span UNSET');
  assert.equal(clientError.attributes['user_agent.synthetic.type'], 'test', 'baggage synthetic_type=test marks the span');
  assert.equal(clientError.attributes['business.region'], 'eu-west');

  const serverError = byName.get('POST /v1/boom')!;
  assert.equal(serverError.attributes['http.response.status_code'], 500);
  assert.equal(serverError.status.code, 2, 'a 5xx sets ERROR');
  assert.equal(serverError.attributes['error.type'], '500');
  assert.equal(serverError.attributes['user_agent.synthetic.type'], undefined, 'ordinary clients are not marked');

  assert.equal(byName.get('POST')!.attributes['http.response.status_code'], 404);
});

test('under an unsampled remote parent (parent-following sampler): no server span, no helper span, the caller\'s context stays active', async (t) => {
  const dir = tempDir(t);
  const app = await startApp('app-server.js', { OTEL_SERVICE_NAME: 'app-server', MLTRACE_TRACES_DIR: dir });
  t.after(() => stopProcess(app.child));
  const traceId = 'e'.repeat(32);
  const parentId = 'f'.repeat(16);
  const unsampled = await send(`${app.url}/v1/ids/7`, {}, { traceparent: `00-${traceId}-${parentId}-00` });
  assert.equal(unsampled.status, 200);
  assert.equal(unsampled.body.server, null, 'no server span');
  assert.equal(unsampled.body.inner, parentId, 'the ML helper started no span either: its function got the caller\'s (unsampled) span');
  const sampled = await send(`${app.url}/v1/ids/8`, {}, { traceparent: `00-${'a'.repeat(32)}-${parentId}-01` });
  await stopProcess(app.child);
  await app.exited;
  const spans = readExportedSpans(dir);
  assert.equal(spans.filter((s) => s.traceId === traceId).length, 0, 'nothing recorded for the unsampled request');
  const server = spans.find((s) => s.kind === SERVER && s.traceId === 'a'.repeat(32));
  assert.equal(server?.parentSpanId, parentId, 'a sampled caller still gets its server span');
  assert.equal(sampled.body.server, server?.spanId);
});
