/**
 * Shared by the scenario tests (scenarios-*.test.ts): start the system with one planted
 * scenario, drive bounded load with @mltrace/loadgen, stop it (spans flushed), analyse the
 * trace files with @mltrace/analysis.
 *
 * This package is a leaf of the build graph, so the analysis and the load generator are imported
 * with their own types: a report field a test reads that the analysis renames fails the build.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze, loadSources, type AnalysisReport, type Recommendation, type Span } from '@mltrace/analysis';
import { loadMixFile, runLoad, type LoadResult, type Mix } from '@mltrace/loadgen';
import { hasRedisServer, REPO_ROOT, startSystem, type ServiceName } from '@mltrace/stack';

export type { Recommendation };
/** The analysis report, as `mltrace analyze --format json` gives it. */
export type ScenarioReport = AnalysisReport;
/** What a load run returns. */
export type LoadSummary = LoadResult;
/** A span as the analysis loaded it (µs). */
export type TraceSpan = Span;


export interface ScenarioRun {
  scenario: string;
  load: LoadSummary;
  traces: number;
  spans: number;
  /** Every span of the run, as the analysis loaded it. */
  allSpans: TraceSpan[];
  report: ScenarioReport;
  /** The same traces through the real CLI (`mltrace analyze <dir> --format json`), when asked for. */
  cliReport?: ScenarioReport;
}

/** The `mltrace` command as the repository links it (@mltrace/cli's committed bin). */
export const MLTRACE_CLI = join(REPO_ROOT, 'packages', 'cli', 'bin', 'mltrace.js');

/** Runs `mltrace analyze <dir> --format json` in a child process and parses its report. */
export function analyzeWithCli(dir: string): ScenarioReport {
  const r = spawnSync(process.execPath, [MLTRACE_CLI, 'analyze', dir, '--format', 'json'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, `mltrace analyze exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as ScenarioReport;
}

/** A request mix in @mltrace/loadgen's format. */
export type { Mix };

/**
 * The mix of every scenario run and the baseline (docs/scenario-mix.yaml, also what docs/scenarios.md
 * tells people to use), so "absent without the switch" compares like with like: batches of 4–8
 * entities (N+1 shows), both model versions, enterprise twice as often as each other segment (the
 * model-regression slice is then 1 request in 5), most traffic to ap-south (the hot partition), no
 * deliberately invalid requests (errors come only from the scenarios).
 */
export const SCENARIO_MIX_FILE = join(REPO_ROOT, 'docs', 'scenario-mix.yaml');

/** How a scenario run drives the system (@mltrace/loadgen's options). */
export interface ScenarioLoad {
  mode: 'open' | 'closed';
  /** Open loop: requests per second. */
  rate?: number;
  /** Closed loop: requests in flight at once. */
  connections?: number;
  /** Open loop: how long; closed loop: an upper bound (maxRequests ends it first). */
  durationS: number;
  maxRequests?: number;
}

/**
 * 80 requests (enough for every rule's minimum counts), one at a time. A closed loop rather than a
 * fixed arrival rate: when a busy machine serves slower than the rate, an open loop queues without
 * bound, and the queueing lands in whichever span is waiting (mostly the gateway's), which then tops
 * the critical path and hides the planted cause. One request in flight also keeps requests from
 * waiting on each other's CPU inside a service: on a 2-core machine at load 20, 4 connections put
 * 90–280 ms of gateway time on each request's critical path and diluted slow slices below the
 * rule's ratio; 1 connection, 10–20 ms (measured side by side).
 */
export const LOAD: ScenarioLoad = { mode: 'closed', connections: 1, maxRequests: 80, durationS: 300 };

/**
 * The request deadlines of the scenario runs (the gateway's, the feature store's Redis commands):
 * the products' defaults (2 s, 500 ms) are a defence against a stuck dependency; on a starved CPU
 * they turn slowness no scenario planted into 503s and 504s. The tests judge the analysis.
 */
export const SCENARIO_DEADLINE_MS = 10_000;

export interface ScenarioOptions {
  /** Also run the real CLI on the traces (`cliReport`). */
  cli?: boolean;
  /** Extra environment per service (e.g. the gateway's REQUEST_TIMEOUT_MS). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** The load generator's own timeout per request; default SCENARIO_DEADLINE_MS + 5 s. */
  timeoutMs?: number;
}

/** Memoizes one run per test file (the shared baseline). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export async function runScenario(scenario: string, load: ScenarioLoad = LOAD, opts: ScenarioOptions = {}): Promise<ScenarioRun> {
  const mix = loadMixFile(SCENARIO_MIX_FILE);
  const dir = mkdtempSync(join(tmpdir(), `mltrace-scenario-${scenario}-`));
  const system = await startSystem({
    ports: 'auto',
    scenario: scenario === 'baseline' ? '' : scenario,
    redis: hasRedisServer() ? 'private' : 'memory',
    seedCustomers: 2000,
    tracesDir: join(dir, 'traces'),
    logsDir: join(dir, 'logs'),
    // The tests pin every tracing knob the shell might have set.
    env: { OTEL_TRACES_SAMPLER: 'parentbased_always_on', OTEL_TRACES_EXPORTER: 'file', OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', MLTRACE_SAMPLING_STRATEGIES_FILE: '' },
    serviceEnv: {
      ...opts.serviceEnv,
      gateway: { REQUEST_TIMEOUT_MS: String(SCENARIO_DEADLINE_MS), ...opts.serviceEnv?.gateway },
      'feature-store': { REDIS_COMMAND_TIMEOUT_MS: String(SCENARIO_DEADLINE_MS), ...opts.serviceEnv?.['feature-store'] },
    },
  });
  try {
    const result = await runLoad({ url: system.urls.gateway, ...load, mix, seed: 7, timeoutMs: opts.timeoutMs ?? SCENARIO_DEADLINE_MS + 5000 });
    await system.stop();
    const loaded = await loadSources([system.tracesDir]);
    // Real exporter output: the loader's byte scanner must agree with JSON.parse + the converter.
    assert.deepStrictEqual(loaded, await loadSources([system.tracesDir], { fastPath: false }), 'the OTLP line scanner disagrees with JSON.parse on real traces');
    const run: ScenarioRun = { scenario, load: result, traces: loaded.traces.length, spans: loaded.spanCount, allSpans: loaded.traces.flatMap((t) => t.spans), report: analyze(loaded.traces) };
    if (opts.cli) run.cliReport = analyzeWithCli(system.tracesDir);
    return run;
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Mean critical-path time (ms) per trace that `service` is on, as the analysis measured it; 0 when absent. */
export function criticalPathMs(run: ScenarioRun, service: string): number {
  return (run.report.criticalPath.byService.find((s) => s.service === service)?.meanTime ?? 0) / 1000;
}

/**
 * How much more critical-path time per trace each service has in `run` than in `base` (ms),
 * largest first: what a scenario added, and where the analysis puts it.
 */
export function growthOverBaseline(run: ScenarioRun, base: ScenarioRun): Array<{ service: string; ms: number }> {
  const services = new Set([...run.report.criticalPath.byService, ...base.report.criticalPath.byService].map((s) => s.service));
  return [...services].map((service) => ({ service, ms: criticalPathMs(run, service) - criticalPathMs(base, service) })).sort((a, b) => b.ms - a.ms);
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Durations (ms) of the run's spans of `service` named `name`. */
export function spanDurationsMs(run: ScenarioRun, service: string, name: string): number[] {
  return run.allSpans.filter((s) => s.service === service && s.name === name).map((s) => s.duration / 1000);
}

export function recommendation(run: ScenarioRun, id: string): Recommendation | undefined {
  return run.report.recommendations.find((r) => r.id === id);
}

/** The recommendation `id`, failing the test (with the report's summary) when it is missing. */
export function mustRecommend(run: ScenarioRun, id: string): Recommendation {
  const rec = recommendation(run, id);
  assert.ok(rec, `no ${id}: ${describeRun(run)}`);
  return rec;
}

/** Every request of the run answered 2xx (a scenario that should slow things down, not break them). */
export function assertAllAnswered(run: ScenarioRun): void {
  assert.equal(run.load.ok, run.load.sent, describeRun(run));
}

/** A short description of a report for assertion messages. */
export function describeRun(run: ScenarioRun): string {
  const r = run.report;
  return JSON.stringify(
    {
      scenario: run.scenario,
      load: { sent: run.load.sent, ok: run.load.ok, statuses: run.load.statuses },
      traces: run.traces,
      recommendations: r.recommendations.map((x) => `${x.id} @ ${x.target} (${x.impact.toFixed(3)})`),
      topBottlenecks: r.bottlenecks.ranked.slice(0, 3).map((b) => `${b.service}: ${b.operation}`),
      criticalPath: r.criticalPath.byService.slice(0, 4).map((s) => `${s.service} ${(s.shareOfTotal * 100).toFixed(0)}% ${(s.meanTime / 1000).toFixed(1)} ms`),
      errorOrigins: r.errors.origins.slice(0, 2).map((o) => `${o.service}: ${o.operation} (${o.type})`),
      hopAtFault: r.completeness.hopAtFault,
      slowSlices: r.slices.slowSlices.slice(0, 3).map((s) => `${s.label} x${s.ratio.toFixed(2)}`),
    },
    null,
    1,
  );
}
