// The four services export over OTLP/HTTP into the real Jaeger v2 (the sandbox's configuration)
// and, at the same time, to files: every span the file exporter wrote is in Jaeger, `mltrace
// analyze` says the same from Jaeger (API v3, and API v1 when v3 is hidden) as from the files,
// and Jaeger's own search by ML tag finds the traces.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { LoadResult } from '@mltrace/analysis';
import type { RunningSystem } from '@mltrace/stack';
import { ATTR_ML_MODEL_VERSION } from '@mltrace/tracing/attributes';
import { checkTools, SAMPLING_STRATEGIES_FILE, startJaeger, toolsReady, type RunningJaeger, type ToolCheck } from '../src';
import { analyzeCli, comparable, describeForeign, exportBoth, orphansOf, ownSpans, type Sent } from './pipeline';

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-jaeger-http-'));
let tools: ToolCheck;
let jaeger: RunningJaeger | undefined;
let system: RunningSystem | undefined;
let sent: Sent[];
let loaded: { files: LoadResult; jaeger: LoadResult };

before(async () => {
  tools = await checkTools(['jaeger']);
  if (!tools.ok) return;
  jaeger = await startJaeger();
  const run = await exportBoth(tmp, jaeger.queryUrl, jaeger.otlpHttpUrl, 'http/protobuf');
  ({ system, sent } = run);
  if (run.failure) throw run.failure;
  loaded = run.loaded!;
});

after(async () => {
  await system?.stop();
  await jaeger?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('every span the file exporter wrote arrived in Jaeger, field by field, and nothing else', (t) => {
  if (!toolsReady(t, tools)) return;
  const { own: files, foreign } = ownSpans(loaded.files);
  const inJaeger = ownSpans(loaded.jaeger, files).own;
  if (foreign.length > 0) t.diagnostic(`not compared, another test's traffic: ${describeForeign(foreign)}`);
  assert.ok(files.size >= 60, `${files.size} spans written to files`);
  for (const s of sent) assert.ok(loaded.files.traces.some((t) => t.traceId === s.traceId), `trace ${s.traceId} (HTTP ${s.status}) in the files`);
  assert.deepEqual(orphansOf(files), [], 'every parent of a span of these traces was exported');
  const missing = [...files.keys()].filter((k) => !inJaeger.has(k));
  assert.deepEqual(missing, [], `${missing.length} of ${files.size} spans not in Jaeger`);
  assert.equal(inJaeger.size, files.size, 'Jaeger has no spans the files lack');
  for (const [key, span] of files) assert.deepEqual(comparable(inJaeger.get(key)!), comparable(span), `span ${key} (${span.service} '${span.name}')`);
});

test('mltrace analyze through Jaeger API v3 gives the same report as the same traces from files', async (t) => {
  if (!toolsReady(t, tools)) return;
  const [fromJaeger, fromFiles] = await Promise.all([analyzeCli([jaeger!.queryUrl]), analyzeCli([system!.tracesDir])]);
  assert.ok(fromFiles.performance, 'a report');
  assert.deepEqual(fromJaeger, fromFiles);
});

test('... and through API v1 when a Jaeger serves no v3', async (t) => {
  if (!toolsReady(t, tools)) return;
  const proxy = await hideApiV3(jaeger!.queryUrl);
  t.after(() => new Promise<void>((r) => proxy.server.close(() => r())));
  const v3 = await fetch(`${proxy.url}/api/v3/services`);
  assert.equal(v3.status, 404, 'the proxy hides API v3');
  const [fromV1, fromFiles] = await Promise.all([analyzeCli([proxy.url]), analyzeCli([system!.tracesDir])]);
  assert.ok(proxy.v1Requests() > 0, 'the report was read through /api/traces');
  assert.deepEqual(fromV1, fromFiles);
});

test("Jaeger's own trace search by ML tag (ml.model.version=v2) finds exactly the v2 traces", async (t) => {
  if (!toolsReady(t, tools)) return;
  // What the search means: a trace with a gateway span carrying the tag (inference's start-up
  // model_load trace for v2 has the tag too, but no gateway span).
  const v2 = new Set(loaded.files.traces.filter((tr) => tr.spans.some((s) => s.service === 'gateway' && s.attributes[ATTR_ML_MODEL_VERSION] === 'v2')).map((tr) => tr.traceId));
  assert.equal(v2.size, sent.filter((s) => s.v2).length, 'one per request sent with model_version=v2 baggage');
  // What the Jaeger UI's search form sends: service + tags (logfmt in the UI, JSON in the API).
  const q = new URLSearchParams({ service: 'gateway', tags: JSON.stringify({ [ATTR_ML_MODEL_VERSION]: 'v2' }), limit: '100', lookback: '1h' });
  const res = await fetch(`${jaeger!.queryUrl}/api/traces?${q}`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as { data: Array<{ traceID: string }> };
  const found = new Set(body.data.map((d) => d.traceID.padStart(32, '0')));
  assert.deepEqual([...found].sort(), [...v2].sort());
  // And a value no request carried finds nothing.
  const none = new URLSearchParams({ service: 'gateway', tags: JSON.stringify({ [ATTR_ML_MODEL_VERSION]: 'v9' }), lookback: '1h' });
  const empty = (await (await fetch(`${jaeger!.queryUrl}/api/traces?${none}`)).json()) as { data: unknown[] };
  assert.equal(empty.data.length, 0);
});

test("Jaeger's remote sampling (5778) serves config/sampling-strategies.json: each service's strategy, the default for others", async (t) => {
  if (!toolsReady(t, tools)) return;
  const file = JSON.parse(readFileSync(SAMPLING_STRATEGIES_FILE, 'utf8'));
  const served = async (service: string) => (await (await fetch(`${jaeger!.samplingUrl}?service=${encodeURIComponent(service)}`)).json()) as any;
  for (const strategy of file.service_strategies) {
    const body = await served(strategy.service);
    assert.equal(body.probabilisticSampling.samplingRate, strategy.param, strategy.service);
    const ops = (body.operationSampling?.perOperationStrategies ?? []).map((o: any) => [o.operation, o.probabilisticSampling.samplingRate]);
    assert.deepEqual(ops, (strategy.operation_strategies ?? []).map((o: any) => [o.operation, o.param]), strategy.service);
  }
  assert.equal((await served('a-service-the-file-does-not-name')).probabilisticSampling.samplingRate, file.default_strategy.param);
});

/** A reverse proxy to Jaeger's query service that answers 404 for API v3, as a Jaeger before v3 would. */
async function hideApiV3(target: string): Promise<{ server: Server; url: string; v1Requests(): number }> {
  const upstream = new URL(target);
  let v1 = 0;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/v3')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      return;
    }
    if (req.url?.startsWith('/api/traces')) v1++;
    const out = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', (err) => res.writeHead(502).end(err.message));
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}`, v1Requests: () => v1 };
}
