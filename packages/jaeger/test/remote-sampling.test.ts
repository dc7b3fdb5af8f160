// The services' remote sampler takes its strategies from the real Jaeger's remote sampling endpoint
// (5778), which serves a strategies file: the traces Jaeger then holds are exactly the ones the
// file's probability keeps, and their fraction is that probability.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadSources, type LoadResult } from '@mltrace/analysis';
import { sleep, type RunningSystem } from '@mltrace/stack';
import { ATTR_MLTRACE_SAMPLING_PROBABILITY } from '@mltrace/tracing/attributes';
import { checkTools, SAMPLING_STRATEGIES_FILE, startJaeger, toolsReady, type RunningJaeger, type ToolCheck } from '../src';
import { eventually, predict, startServices, V1_BAGGAGE, type Sent } from './pipeline';

const PROBABILITY = 0.3;
const REQUESTS = 120;

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-jaeger-sampling-'));
let tools: ToolCheck;
let jaeger: RunningJaeger | undefined;
let system: RunningSystem | undefined;
let sent: Sent[] = [];
let stored: LoadResult;
const strategiesFile = join(tmp, 'sampling-strategies.json');

/** The repository's strategies with the gateway's probability (service and operation) lowered. */
function strategies(): any {
  const s = JSON.parse(readFileSync(SAMPLING_STRATEGIES_FILE, 'utf8'));
  const gateway = s.service_strategies.find((x: { service: string }) => x.service === 'gateway');
  gateway.param = PROBABILITY;
  for (const op of gateway.operation_strategies ?? []) op.param = PROBABILITY;
  return s;
}

/** SAMPLING.md: a probabilistic decision keeps a trace when its last 13 hex digits are below p × 2^52. */
function keptAt(traceId: string, p: number): boolean {
  return Number.parseInt(traceId.slice(-13), 16) < p * 2 ** 52;
}

/** The traces of requests: the gateway decided them. (Start-up traces, e.g. inference's model loads, are sampled by their own service.) */
function requestTraces(r: LoadResult) {
  return r.traces.filter((tr) => tr.spans.some((s) => s.service === 'gateway'));
}

before(async () => {
  tools = await checkTools(['jaeger']);
  if (!tools.ok) return;
  writeFileSync(strategiesFile, JSON.stringify(strategies(), null, 2));
  jaeger = await startJaeger({ samplingFile: strategiesFile });
  system = await startServices(tmp, {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttpUrl,
    MLTRACE_SAMPLING_REMOTE_URL: jaeger.samplingUrl,
    // Until its first poll answers, a sampler uses its fallback (a rate limiter); polls are
    // frequent here and the requests wait for a few of them.
    MLTRACE_SAMPLING_REMOTE_POLL_MS: '250',
  });
  await sleep(1000);
  for (let i = 0; i < REQUESTS; i++) sent.push(await predict(system, [`cust-${String(1 + (i % 150)).padStart(5, '0')}`], V1_BAGGAGE));
  await system.stop();
  const expected = sent.filter((s) => keptAt(s.traceId, PROBABILITY)).length;
  // Jaeger stores each service's spans as they come: wait until every kept trace is there whole
  // (a root and all four services), not just until enough traces have begun to arrive.
  const whole = (tr: { spans: Array<{ parentSpanId: string | undefined; service: string }> }) =>
    tr.spans.some((s) => s.parentSpanId === undefined) && new Set(tr.spans.map((s) => s.service)).size === 4;
  await eventually(
    async () => {
      const requests = requestTraces((stored = await loadSources([jaeger!.queryUrl])));
      return requests.length >= expected && requests.every(whole);
    },
    () => `Jaeger holds ${stored ? requestTraces(stored).length : 0} request traces (${stored ? requestTraces(stored).filter(whole).length : 0} whole), ${expected} expected`,
  );
});

after(async () => {
  await system?.stop();
  await jaeger?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test("Jaeger's 5778 endpoint serves the file's strategy for the gateway", async (t) => {
  if (!toolsReady(t, tools)) return;
  const res = await fetch(`${jaeger!.samplingUrl}?service=gateway`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as any;
  assert.equal(body.probabilisticSampling?.samplingRate, PROBABILITY, JSON.stringify(body));
  const ops = body.operationSampling?.perOperationStrategies ?? [];
  assert.deepEqual(ops.map((o: any) => [o.operation, o.probabilisticSampling.samplingRate]), [['POST /v1/predict', PROBABILITY]]);
});

test('Jaeger holds exactly the traces the served probability keeps, each whole, each saying p', (t) => {
  if (!toolsReady(t, tools)) return;
  assert.equal(sent.length, REQUESTS);
  // Whatever the answer (a loaded host may time one out), each request names its trace.
  for (const s of sent) assert.match(s.traceId, /^[0-9a-f]{32}$/);
  const expected = sent.filter((s) => keptAt(s.traceId, PROBABILITY)).map((s) => s.traceId).sort();
  const requests = requestTraces(stored);
  assert.deepEqual(requests.map((tr) => tr.traceId).sort(), expected);
  for (const tr of requests) {
    const root = tr.spans.find((s) => s.parentSpanId === undefined)!;
    assert.equal(root.attributes[ATTR_MLTRACE_SAMPLING_PROBABILITY], PROBABILITY, 'the root records the remote probability');
    assert.deepEqual([...new Set(tr.spans.map((s) => s.service))].sort(), ['feature-store', 'gateway', 'inference', 'postprocess'], 'kept whole');
  }
});

test('the sampled fraction matches the file (binomial bounds, 4 standard deviations)', (t) => {
  if (!toolsReady(t, tools)) return;
  const n = sent.length;
  const kept = requestTraces(stored).length;
  const sd = Math.sqrt(n * PROBABILITY * (1 - PROBABILITY));
  assert.ok(Math.abs(kept - n * PROBABILITY) <= 4 * sd, `${kept} of ${n} kept; expected ${n * PROBABILITY} ± ${(4 * sd).toFixed(1)}`);
  assert.ok(kept > 0 && kept < n, 'some kept, some dropped');
});
