// The sampler behind the real SDK and the real HTTP instrumentation, in a child
// process (instrumentation must patch `http` before it is loaded): the server span
// is named just "POST" when the sampler runs, and baggage arrives in the header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { writeStrategies } from './sampling-helpers';

const PACKAGE_ROOT = join(__dirname, '..', '..');

const CHILD = `
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { createSampler } = require(process.env.SAMPLING_INDEX);
const exporter = new InMemorySpanExporter();
const sdk = new NodeSDK({
  serviceName: 'gateway',
  sampler: createSampler({ serviceName: 'gateway', strategiesFile: process.env.STRATEGIES }),
  spanProcessors: [new SimpleSpanProcessor({ exporter: exporter })],
  // The test's own client calls stay untraced: only the server side is under test.
  instrumentations: [new HttpInstrumentation({ ignoreOutgoingRequestHook: () => true })],
});
sdk.start();
const http = require('node:http');
const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const call = (path, headers) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end('{}');
  });
  await call('/v1/predict', {});
  await call('/v1/other', {});
  await call('/v1/other', { baggage: 'priority=high' });
  await call('/v1/other', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
  server.close();
  // SimpleSpanProcessor exports asynchronously once the resource is settled: wait for the 3 sampled server spans.
  const server_ = () => exporter.getFinishedSpans().filter((s) => s.kind === 1 /* SERVER */);
  for (let i = 0; i < 100 && server_().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 50)); // and a moment for a wrongly sampled 4th one to show up
  const spans = server_();
  console.log(JSON.stringify(spans.map((s) => ({ name: s.name, path: s.attributes['url.path'], rule: s.attributes['mltrace.sampling.rule'] ?? null, remoteParent: !!s.parentSpanContext }))));
  await sdk.shutdown();
});
`;

test('with the real SDK and HTTP instrumentation: operation, ML rule and parent decisions', async () => {
  const strategies = writeStrategies({
    service_strategies: [
      { service: 'gateway', type: 'probabilistic', param: 0, operation_strategies: [{ operation: 'POST /v1/predict', type: 'probabilistic', param: 1 }] },
    ],
    mltrace: { ml_rules: [{ match: { priority: 'high' } }] },
  });
  const child = spawn(process.execPath, ['-e', CHILD], {
    cwd: PACKAGE_ROOT,
    env: { ...process.env, STRATEGIES: strategies, SAMPLING_INDEX: join(__dirname, '..', 'src', 'sampling', 'index.js'), OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill(), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  assert.equal(code, 0);
  const spans = JSON.parse(out.trim().split('\n').at(-1) ?? '[]') as Array<{ name: string; path: string; rule: string | null; remoteParent: boolean }>;
  assert.deepEqual(
    spans.map((s) => [s.path, s.rule, s.remoteParent]),
    [
      ['/v1/predict', 'operation:POST /v1/predict:probabilistic', false], // named "POST" at sampling time
      ['/v1/other', 'ml-rule:priority=high', false], // p=0 for the service, kept by the baggage rule
      ['/v1/other', null, true], // sampled remote parent: followed, no rule recorded
    ],
  );
});
