/**
 * Shared by the end-to-end tests against the real Jaeger: the four services (private seeded
 * Redis, free ports) exporting wherever the test says, a varied batch of requests, and what
 * Jaeger's query APIs return for them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadSources, type LoadResult, type Span } from '@mltrace/analysis';
import { REPO_ROOT, sleep, startSystem, type RunningSystem, type SystemOptions } from '@mltrace/stack';

/** The environment every end-to-end run starts from: nothing of the developer's shell leaks in. */
export const CLEAN_TRACING_ENV: Record<string, string | undefined> = {
  OTEL_TRACES_EXPORTER: undefined,
  OTEL_TRACES_SAMPLER: undefined,
  OTEL_TRACES_SAMPLER_ARG: undefined,
  OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
  OTEL_EXPORTER_OTLP_PROTOCOL: undefined,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: undefined,
  OTEL_SDK_DISABLED: undefined,
  MLTRACE_SAMPLING_STRATEGIES_FILE: undefined,
  MLTRACE_SAMPLING_REMOTE_URL: undefined,
  MLTRACE_SCENARIO: undefined,
  // Spans leave within a second, so a test need not wait five for the batch timer.
  OTEL_BSP_SCHEDULE_DELAY: '500',
};

export function startServices(tmp: string, env: Record<string, string | undefined>, more: Partial<SystemOptions> = {}): Promise<RunningSystem> {
  return startSystem({
    ports: 'auto',
    redis: 'private',
    seedCustomers: 200,
    tracesDir: join(tmp, 'traces'),
    logsDir: join(tmp, 'logs'),
    ...more,
    // These tests compare every span: a busy machine must not cut the final flush to Jaeger short.
    // (The 2 s default bound on shutdown is tested on its own, in packages/tracing.)
    env: { ...CLEAN_TRACING_ENV, MLTRACE_SHUTDOWN_TIMEOUT_MS: '15000', ...env },
  });
}

export interface Sent {
  status: number;
  traceId: string;
  /** Sent with model_version=v2 in its baggage. */
  v2: boolean;
}

export async function predict(system: RunningSystem, entities: string[], baggage: string): Promise<Sent> {
  const res = await fetch(`${system.urls.gateway}/v1/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', baggage },
    body: JSON.stringify({ entities }),
    signal: AbortSignal.timeout(15_000),
  });
  await res.body?.cancel();
  return { status: res.status, traceId: res.headers.get('x-trace-id') ?? '', v2: /(^|,)\s*model_version=v2\b/.test(baggage) };
}

export const V2_BAGGAGE = 'model_version=v2,customer_segment=enterprise,region=eu-west,priority=high,experiment_id=jaeger-e2e';
export const V1_BAGGAGE = 'model_version=v1,customer_segment=consumer,region=us-east,priority=low';

/** A varied batch: both model versions, several entities, an unknown customer and an invalid body. */
export async function sendMix(system: RunningSystem, rounds = 4): Promise<Sent[]> {
  const sent: Sent[] = [];
  for (let i = 0; i < rounds; i++) {
    const id = (n: number) => `cust-${String(n).padStart(5, '0')}`;
    sent.push(await predict(system, [id(1 + i), id(50 + i)], V2_BAGGAGE));
    sent.push(await predict(system, [id(100 + i)], V1_BAGGAGE));
  }
  sent.push(await predict(system, ['cust-99999'], V2_BAGGAGE));
  sent.push(await predict(system, [], V1_BAGGAGE));
  return sent;
}

/** Polls `check` until it returns true (then resolves) or the deadline passes (then fails with `describe()`). */
export async function eventually(check: () => Promise<boolean>, describe: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms: ${describe()}`);
    await sleep(250);
  }
}

/** The spans the file exporter wrote and the spans Jaeger serves through API v3, as the analysis loads them. */
export async function fromFilesAndJaeger(tracesDir: string, queryUrl: string): Promise<{ files: LoadResult; jaeger: LoadResult }> {
  const files = await loadSources([tracesDir]);
  let jaeger = await loadSources([queryUrl]);
  // Jaeger's batch processor and the last exports may lag the file by a moment. Wait for every span
  // the files hold, by id (a count could be reached by a span stored twice while another is missing).
  const ids = (r: LoadResult) => new Set(r.traces.flatMap((t) => t.spans.map((sp) => `${t.traceId}/${sp.spanId}`)));
  const wanted = [...ids(files)];
  let missing = wanted.length;
  await eventually(
    async () => {
      jaeger = await loadSources([queryUrl]);
      const have = ids(jaeger);
      missing = wanted.filter((id) => !have.has(id)).length;
      return missing === 0;
    },
    () => `Jaeger lacks ${missing} of the ${wanted.length} spans the files hold`,
  );
  return { files, jaeger };
}

export interface ExportRun {
  system: RunningSystem;
  sent: Sent[];
  /** Set when Jaeger did not get every span in time (the failure is the test's to report). */
  failure?: Error;
  loaded?: { files: LoadResult; jaeger: LoadResult };
}

/**
 * The services export to `otlpEndpoint` (`protocol`) and to files at once; a varied batch is sent,
 * the services stop (flushing every exporter), and both copies are loaded.
 */
export async function exportBoth(tmp: string, queryUrl: string, otlpEndpoint: string, protocol: 'http/protobuf' | 'grpc', rounds = 4): Promise<ExportRun> {
  const system = await startServices(tmp, { OTEL_TRACES_EXPORTER: 'otlp,file', OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol });
  const run: ExportRun = { system, sent: await sendMix(system, rounds) };
  await system.stop();
  try {
    run.loaded = await fromFilesAndJaeger(system.tracesDir, queryUrl);
  } catch (err) {
    run.failure = err as Error;
  }
  return run;
}

/** A span as comparable across loaders: every field the model has. */
export function spanKey(s: Span): string {
  return `${s.traceId}/${s.spanId}`;
}

export function comparable(s: Span): unknown {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    name: s.name,
    service: s.service,
    kind: s.kind,
    start: s.start,
    duration: s.duration,
    status: s.status,
    statusMessage: s.statusMessage ?? '',
    attributes: s.attributes,
    resource: s.resource,
    events: s.events,
  };
}

/**
 * The spans of the traces this system started (those with a root span here), and the others.
 * Other test files run their own systems at the same time, and the kernel hands a port that was
 * just freed to the next process that binds port 0 (measured: often within two binds). When
 * another test stops one of its services (e2e: inference, to see the gateway's 503) and one of
 * ours takes its port, that test's gateway calls land here: a server span of a foreign trace,
 * whose parent is in the other test's files. Such traces are not this test's to compare; a trace
 * of ours with a missing parent still fails the comparison (Jaeger marks it with warnings).
 * With `among` (the files' own spans): the spans of those traces, for Jaeger's side.
 */
export function ownSpans(r: LoadResult, among?: Map<string, Span>): { own: Map<string, Span>; foreign: Span[] } {
  const own = new Map<string, Span>();
  const foreign: Span[] = [];
  const traceIds = among && new Set([...among.values()].map((s) => s.traceId));
  for (const t of r.traces) {
    // Jaeger's side: the traces the files hold (an OTLP port can be handed over too).
    const started = traceIds ? traceIds.has(t.traceId) : t.spans.some((s) => !s.parentSpanId);
    for (const s of t.spans) {
      if (started) own.set(spanKey(s), s);
      else foreign.push(s);
    }
  }
  return { own, foreign };
}

/** Spans of `own` whose parent is not in `own`: a span this system lost (Jaeger would add warnings to the child). */
export function orphansOf(own: Map<string, Span>): string[] {
  return [...own.values()].filter((s) => s.parentSpanId && !own.has(`${s.traceId}/${s.parentSpanId}`)).map((s) => `${s.service} '${s.name}' ${spanKey(s)}: parent ${s.parentSpanId} not exported`);
}

/** One line per foreign span, for a test's diagnostics. */
export function describeForeign(foreign: Span[]): string {
  return foreign.map((s) => `${s.service} '${s.name}' in trace ${s.traceId} (parent ${s.parentSpanId} elsewhere)`).join('; ');
}

/** Runs the real CLI: `mltrace analyze <sources…> --format json`. */
export function analyzeCli(sources: string[], extra: string[] = []): Promise<any> {
  const cli = join(REPO_ROOT, 'packages', 'analysis', 'dist', 'src', 'cli', 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'analyze', ...sources, '--format', 'json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`mltrace analyze ${sources.join(' ')} exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`mltrace analyze printed no JSON: ${(e as Error).message}\n${out.slice(0, 500)}`));
      }
    });
  });
}
