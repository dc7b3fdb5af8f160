// Remote sampling against a small local HTTP server that answers like Jaeger's
// `/sampling?service=NAME` endpoint. A real Jaeger cannot run here (no Docker,
// no network), so this server stands in for it with Jaeger's JSON format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ATTR_MLTRACE_SAMPLING_PROBABILITY, ATTR_MLTRACE_SAMPLING_RULE } from '../src/attributes';
import { createSampler } from '../src/sampling';
import { manualClock, tracerWith, warnings, writeStrategies } from './sampling-helpers';

interface FakeJaeger {
  url: string;
  requests: string[];
  respond: (status: number, body: unknown, delayMs?: number) => void;
  server: Server;
}

async function fakeJaeger(t: { after: (fn: () => Promise<void>) => void }): Promise<FakeJaeger> {
  let reply = { status: 200, body: '{}', delayMs: 0 };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const r = reply; // the answer at arrival time, even if the test changes it meanwhile
    setTimeout(() => {
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(r.body);
    }, r.delayMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/sampling`,
    requests,
    server,
    respond: (status, body, delayMs = 0) => void (reply = { status, body: typeof body === 'string' ? body : JSON.stringify(body), delayMs }),
  };
}

const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('polls the Jaeger endpoint for its service and applies each new strategy', async (t) => {
  const jaeger = await fakeJaeger(t);
  jaeger.respond(200, { strategyType: 'PROBABILISTIC', probabilisticSampling: { samplingRate: 0 } });
  const w = warnings();
  const sampler = createSampler({ serviceName: 'gateway', remoteUrl: jaeger.url, remotePollMs: 50, warn: w.warn });
  t.after(() => sampler.shutdown());
  const { tracer, exporter } = tracerWith(sampler);
  await until(() => sampler.policy.source.startsWith('remote'));
  assert.equal(new URL(jaeger.requests[0] ?? '', 'http://x').searchParams.get('service'), 'gateway');
  for (let i = 0; i < 50; i++) tracer.startSpan('POST /v1/predict').end();
  assert.equal(exporter.getFinishedSpans().length, 0, 'samplingRate 0 from Jaeger');

  jaeger.respond(200, {
    strategyType: 'PROBABILISTIC',
    probabilisticSampling: { samplingRate: 0 },
    operationSampling: { defaultSamplingProbability: 0, perOperationStrategies: [{ operation: 'POST /v1/predict', probabilisticSampling: { samplingRate: 1 } }] },
  });
  const seen = jaeger.requests.length;
  await until(() => jaeger.requests.length >= seen + 2); // picked up by the timer, not by a manual refresh
  tracer.startSpan('POST /v1/predict').end();
  tracer.startSpan('GET /v1/other').end();
  const spans = exporter.getFinishedSpans();
  assert.deepEqual(spans.map((s) => s.name), ['POST /v1/predict']);
  assert.equal(spans[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'operation:POST /v1/predict:probabilistic');
  assert.deepEqual(w.list, []);
});

test('a failing, slow or garbled endpoint keeps the last good strategy and warns once per outage', async (t) => {
  const jaeger = await fakeJaeger(t);
  jaeger.respond(200, { strategyType: 'RATE_LIMITING', rateLimitingSampling: { maxTracesPerSecond: 3 } });
  const w = warnings();
  const clock = manualClock();
  // A long poll interval: the test drives each poll with refresh().
  const sampler = createSampler({ serviceName: 'inference', remoteUrl: jaeger.url, remotePollMs: 60_000, remoteTimeoutMs: 200, clock: clock.now, warn: w.warn });
  t.after(() => sampler.shutdown());
  assert.equal(await sampler.refresh(), true);
  const good = sampler.policy;
  assert.deepEqual(good.serviceDefault, { kind: 'ratelimiting', tracesPerSecond: 3 });

  jaeger.respond(500, 'collector error: storage down');
  assert.equal(await sampler.refresh(), false);
  jaeger.respond(200, '{"strategyType": "PROBAB');
  assert.equal(await sampler.refresh(), false);
  jaeger.respond(200, { probabilisticSampling: { samplingRate: 2 } });
  assert.equal(await sampler.refresh(), false);
  jaeger.respond(200, { probabilisticSampling: { samplingRate: 1 } }, 1000);
  const started = Date.now();
  assert.equal(await sampler.refresh(), false);
  assert.ok(Date.now() - started < 900, 'the poll timeout bounds a slow endpoint');
  assert.equal(sampler.policy, good, 'last good strategy kept');
  assert.equal(w.list.length, 1, `one warning for the outage: ${w.list.join(' | ')}`);
  assert.match(w.list[0] ?? '', /remote sampling strategy from http:\/\/127\.0\.0\.1:\d+\/sampling\?service=inference failed \(HTTP 500: collector error: storage down\); keeping the last good strategy/);

  // Decisions during the outage still follow the last good strategy: 3/s over 2 s.
  const { tracer, exporter } = tracerWith(sampler);
  for (let i = 0; i < 200; i++) {
    tracer.startSpan('POST /v1/infer').end();
    clock.advance(10);
  }
  assert.ok(Math.abs(exporter.getFinishedSpans().length - 6) <= 1, `kept ${exporter.getFinishedSpans().length}`);

  jaeger.respond(200, { probabilisticSampling: { samplingRate: 0.5 } });
  assert.equal(await sampler.refresh(), true);
  assert.deepEqual(sampler.policy.serviceDefault, { kind: 'probabilistic', probability: 0.5 });
  assert.match(w.list[1] ?? '', /is available again/);
});

test('before the first answer: the local file decides; afterwards its ML rules stay on top of the remote strategy', async (t) => {
  const jaeger = await fakeJaeger(t);
  jaeger.respond(503, 'not ready');
  const file = writeStrategies({
    default_strategy: { type: 'probabilistic', param: 1 },
    mltrace: { ml_rules: [{ match: { priority: 'high' } }] },
  });
  const w = warnings();
  const sampler = createSampler({ serviceName: 'gateway', strategiesFile: file, remoteUrl: jaeger.url, remotePollMs: 60_000, warn: w.warn });
  t.after(() => sampler.shutdown());
  await until(() => w.list.length === 1);
  assert.equal(sampler.policy.source, `file ${file}`);
  const { tracer, exporter } = tracerWith(sampler);
  tracer.startSpan('POST /v1/predict').end();
  assert.equal(exporter.getFinishedSpans()[0]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'service-default:probabilistic');

  jaeger.respond(200, { probabilisticSampling: { samplingRate: 0 } });
  assert.equal(await sampler.refresh(), true);
  tracer.startSpan('POST /v1/predict').end();
  tracer.startSpan('POST /v1/predict', { attributes: { 'business.priority': 'high' } }).end();
  const spans = exporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  assert.equal(spans[1]?.attributes[ATTR_MLTRACE_SAMPLING_RULE], 'ml-rule:priority=high');
  assert.equal(spans[1]?.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY], 1);
});

test('an unreachable endpoint from the start: bounded fallback, and polling never keeps the process alive', async (t) => {
  const jaeger = await fakeJaeger(t);
  jaeger.respond(200, { probabilisticSampling: { samplingRate: 1 } });
  const w = warnings();
  const sampler = createSampler({ serviceName: 'postprocess', remoteUrl: 'http://127.0.0.1:1/sampling', remotePollMs: 60_000, warn: w.warn });
  t.after(() => sampler.shutdown());
  await until(() => w.list.length === 1);
  assert.equal(sampler.policy.defaultLabel, 'fallback');
  assert.match(w.list[0] ?? '', /failed \(fetch failed\)/);

  // A process whose only pending work is the poll timer must exit on its own.
  const index = join(__dirname, '..', 'src', 'sampling', 'index.js');
  const script = `const s = require(${JSON.stringify(index)}).createSampler({ serviceName: 'x', remoteUrl: ${JSON.stringify(jaeger.url)}, remotePollMs: 60000 });
    s.refresh().then((ok) => console.log('polled', ok));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const killer = setTimeout(() => child.kill(), 5000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  assert.equal(code, 0, 'exited by itself');
  assert.match(out, /polled true/);
});
