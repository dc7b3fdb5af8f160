// The compose overlay's collector (deploy/collector/config.yaml, tail sampling) runs in the real
// binary between the services and Jaeger. The services also write every span to files, which say
// what each trace is: every error trace, every slow trace and every high-priority trace reaches
// Jaeger whole, and of the rest about the configured percentage does.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parse } from 'yaml';
import { loadSources, type LoadResult, type Trace } from '@mltrace/analysis';
import { sleep, type RunningSystem } from '@mltrace/stack';
import { ATTR_BUSINESS_PRIORITY } from '@mltrace/tracing/attributes';
import { checkTools, COLLECTOR_CONFIG_FILE, startCollector, startJaeger, toolsReady, type RunningCollector, type RunningJaeger, type ToolCheck } from '../src';
import { eventually, predict, startServices, V1_BAGGAGE, V2_BAGGAGE, type Sent } from './pipeline';

const policies = parse(readFileSync(COLLECTOR_CONFIG_FILE, 'utf8')).processors.tail_sampling as {
  decision_wait: string;
  policies: Array<{ name: string; type: string; latency?: { threshold_ms: number }; probabilistic?: { sampling_percentage: number } }>;
};
const SLOW_MS = policies.policies.find((p) => p.type === 'latency')!.latency!.threshold_ms;
const BASELINE = policies.policies.find((p) => p.type === 'probabilistic')!.probabilistic!.sampling_percentage / 100;
const ORDINARY_REQUESTS = 200;

const tmp = mkdtempSync(join(tmpdir(), 'mltrace-collector-'));
let tools: ToolCheck;
let jaeger: RunningJaeger | undefined;
let collector: RunningCollector | undefined;
let system: RunningSystem | undefined;
const sent: Sent[] = [];
let files: LoadResult;
let stored: LoadResult;

type Kind = 'error' | 'slow' | 'high-priority' | 'ordinary';

/** What each policy looks at, read from the trace as the files have it. */
function kindOf(t: Trace): Kind {
  if (t.spans.some((s) => s.status === 'error')) return 'error';
  const start = Math.min(...t.spans.map((s) => s.start));
  const end = Math.max(...t.spans.map((s) => s.start + s.duration));
  if ((end - start) / 1000 > SLOW_MS) return 'slow';
  if (t.spans.some((s) => s.attributes[ATTR_BUSINESS_PRIORITY] === 'high')) return 'high-priority';
  return 'ordinary';
}

const byKind = (r: LoadResult, kind: Kind) => r.traces.filter((t) => kindOf(t) === kind);

before(async () => {
  tools = await checkTools(['jaeger']);
  if (!tools.ok) return;
  jaeger = await startJaeger();
  collector = await startCollector(jaeger);
  // As docker-compose.collector.yml sets them: everything head-sampled, the collector decides.
  system = await startServices(tmp, {
    OTEL_TRACES_EXPORTER: 'otlp,file',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
    OTEL_TRACES_SAMPLER: 'parentbased_always_on',
  });
  const id = (n: number) => `cust-${String(1 + (n % 190)).padStart(5, '0')}`;
  // Errors: three requests while the post-processor is frozen past the gateway's deadline, so each
  // ends as a 504 with ERROR spans (a 4xx is the client's fault and leaves the server span's status unset).
  process.kill(system.pids.postprocess!, 'SIGSTOP');
  sent.push(...(await Promise.all([0, 1, 2].map((i) => predict(system!, [id(100 + i)], V1_BAGGAGE)))));
  process.kill(system.pids.postprocess!, 'SIGCONT');
  // Slow: the post-processor stalls (SIGSTOP, like a long GC pause) for twice the threshold while
  // the request is on its way to it; the request still succeeds.
  for (let i = 0; i < 3; i++) {
    process.kill(system.pids.postprocess!, 'SIGSTOP');
    const pending = predict(system, [id(i)], V1_BAGGAGE);
    await sleep(2 * SLOW_MS);
    process.kill(system.pids.postprocess!, 'SIGCONT');
    sent.push(await pending);
  }
  // High priority.
  for (let i = 0; i < 3; i++) sent.push(await predict(system, [id(10 + i)], V2_BAGGAGE));
  for (let i = 0; i < ORDINARY_REQUESTS; i++) sent.push(await predict(system, [id(20 + i)], V1_BAGGAGE));
  await system.stop();
  files = await loadSources([system.tracesDir]);
  const mustKeep = files.traces.filter((t) => kindOf(t) !== 'ordinary').length;
  // Decisions come decision_wait after a trace's first span, then the batch processor's timeout.
  await eventually(
    async () => (stored = await loadSources([jaeger!.queryUrl])).traces.length >= mustKeep,
    () => `Jaeger holds ${stored?.traces.length} traces; at least ${mustKeep} must be kept`,
    60_000,
  );
  // Let the last decisions (ordinary traces of the same seconds) land too.
  await sleep(Number.parseInt(policies.decision_wait, 10) * 1000 + 3000);
  stored = await loadSources([jaeger.queryUrl]);
});

after(async () => {
  await system?.stop();
  await collector?.stop();
  await jaeger?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('the requests produced every kind of trace the policies distinguish', (t) => {
  if (!toolsReady(t, tools)) return;
  assert.deepEqual(sent.slice(0, 3).map((s) => s.status), [504, 504, 504]);
  assert.deepEqual(sent.slice(3, 6).map((s) => s.status), [200, 200, 200], 'the stalled requests still succeed');
  // (On a loaded host an ordinary request may time out too: it is then an error trace, kept as one.)
  assert.ok(byKind(files, 'error').length >= 3);
  assert.ok(byKind(files, 'slow').length >= 3, `${byKind(files, 'slow').length} slow traces`);
  // By the attribute alone: a priority=high request that also ran slow on a loaded host is still one of the three.
  assert.equal(files.traces.filter((tr) => tr.spans.some((s) => s.attributes[ATTR_BUSINESS_PRIORITY] === 'high')).length, 3);
  assert.ok(byKind(files, 'ordinary').length >= ORDINARY_REQUESTS - 20, `${byKind(files, 'ordinary').length} ordinary traces`);
});

test('every error, slow and high-priority trace is kept, whole', (t) => {
  if (!toolsReady(t, tools)) return;
  const inJaeger = new Map(stored.traces.map((tr) => [tr.traceId, tr]));
  for (const kind of ['error', 'slow', 'high-priority'] as const) {
    for (const tr of byKind(files, kind)) {
      const kept = inJaeger.get(tr.traceId);
      assert.ok(kept, `${kind} trace ${tr.traceId} kept`);
      assert.equal(kept.spans.length, tr.spans.length, `${kind} trace ${tr.traceId} whole`);
    }
  }
});

test('of the ordinary traces, the configured fraction is kept (binomial bounds, 4 standard deviations)', (t) => {
  if (!toolsReady(t, tools)) return;
  const ordinary = byKind(files, 'ordinary');
  const ids = new Set(stored.traces.map((tr) => tr.traceId));
  const kept = ordinary.filter((tr) => ids.has(tr.traceId)).length;
  const n = ordinary.length;
  const sd = Math.sqrt(n * BASELINE * (1 - BASELINE));
  t.diagnostic(`${kept} of ${n} ordinary traces kept (configured ${BASELINE * 100} %)`);
  assert.ok(Math.abs(kept - n * BASELINE) <= 4 * sd, `${kept} of ${n} ordinary traces kept; expected ${(n * BASELINE).toFixed(0)} ± ${(4 * sd).toFixed(1)}`);
  assert.ok(kept < n / 2, 'most ordinary traces are dropped');
  // Nothing reaches Jaeger that the files do not have.
  const fileIds = new Set(files.traces.map((tr) => tr.traceId));
  assert.deepEqual(stored.traces.filter((tr) => !fileIds.has(tr.traceId)).map((tr) => tr.traceId), []);
});
