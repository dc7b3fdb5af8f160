import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad, type LatencySummary, type LoadOptions, type LoadResult } from '@mltrace/loadgen';
import { SERVICE_NAMES, type RunningSystem } from '@mltrace/stack';
import { startLabSystem } from './lab-system';
import { benchMix } from './mix';
import { startOtlpSink, type OtlpSink } from './otlp-sink';
import { processCpuMs } from './proc-cpu';
import { median } from './summarize';
import { tallyTraceFiles } from './trace-files';
import type { BenchOptions, Configuration, RunMeasurement } from './types';

/**
 * One configuration's system, running for one round. A round starts every configuration's
 * system first, then measures them in turn (bench.ts), so that the closed-loop phase can be cut
 * into slices interleaved across configurations.
 */
export interface LabRun {
  config: Configuration;
  round: number;
  dir: string;
  system: RunningSystem;
  /** Its own OTLP sink (OTLP configurations only): systems run side by side, so tallies must not mix. */
  sink?: OtlpSink;
  phases: LoadResult[];
  slices: LoadResult[];
  /** CPU ms per response of the four services (/proc) during each slice. */
  sliceCpuMsPerRequest: number[];
  open?: LoadResult;
  cpuMsPerRequest: Record<string, number>;
  stopped: boolean;
}

function errorsOf(r: LoadResult): number {
  return r.completed - r.ok + r.timeouts + r.connectionErrors + r.dropped;
}

function loadBase(run: LabRun, opts: BenchOptions, seed: number): LoadOptions {
  return { url: run.system.urls.gateway, mix: benchMix(opts.seedCustomers), traceparent: false, seed, timeoutMs: 10_000 };
}

/** Starts the system of `config` (and its OTLP sink) in a directory of its own. */
export async function startRun(config: Configuration, round: number, opts: BenchOptions): Promise<LabRun> {
  const dir = mkdtempSync(join(opts.workDir, `${config.id}-r${round}-`));
  const sink = config.exporter === 'otlp' ? await startOtlpSink() : undefined;
  const env: Record<string, string> = { ...config.env };
  if (sink) {
    if (config.otlpEndpoint === 'base') env['OTEL_EXPORTER_OTLP_ENDPOINT'] = sink.baseUrl;
    else env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = sink.endpoint;
  }
  try {
    const system = await startLabSystem(config, opts, dir, env);
    return { config, round, dir, system, ...(sink ? { sink } : {}), phases: [], slices: [], sliceCpuMsPerRequest: [], cpuMsPerRequest: {}, stopped: false };
  } catch (err) {
    await sink?.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Closed loop, not measured: JIT, connection pools, Redis. On 2 cores throughput still climbs for ≈ 8 s after start. */
export async function warmUp(run: LabRun, opts: BenchOptions): Promise<void> {
  run.phases.push(await runLoad({ ...loadBase(run, opts, run.round), mode: 'closed', connections: opts.connections, durationS: opts.warmupS }));
}

/** One slice of the closed-loop (max throughput) phase; slice `index` uses the same request mix in every configuration. */
export async function closedSlice(run: LabRun, opts: BenchOptions, seconds: number, index: number): Promise<void> {
  const before = cpuByService(run);
  const slice = await runLoad({ ...loadBase(run, opts, run.round * 1000 + index), mode: 'closed', connections: opts.connections, durationS: seconds });
  const used = cpuUsedSince(run, before);
  run.slices.push(slice);
  run.phases.push(slice);
  const total = SERVICE_NAMES.reduce((sum, n) => sum + (used[n] ?? NaN), 0);
  run.sliceCpuMsPerRequest.push(slice.completed > 0 ? total / slice.completed : NaN);
}

/** Each service's CPU ms so far (/proc: user + system, all threads); undefined for one that is gone. */
function cpuByService(run: LabRun): Array<number | undefined> {
  return SERVICE_NAMES.map((n) => processCpuMs(run.system.pids[n] ?? -1));
}

/** CPU ms each service used since `before` (cpuByService); services that could not be read are left out. */
function cpuUsedSince(run: LabRun, before: Array<number | undefined>): Record<string, number> {
  const after = cpuByService(run);
  const used: Record<string, number> = {};
  SERVICE_NAMES.forEach((n, i) => {
    const b = before[i];
    const a = after[i];
    if (b !== undefined && a !== undefined) used[n] = a - b;
  });
  return used;
}

/** Open loop at the fixed rate: latency, and CPU per request of each service from /proc. */
export async function openPhase(run: LabRun, opts: BenchOptions): Promise<void> {
  const before = cpuByService(run);
  const open = await runLoad({ ...loadBase(run, opts, run.round), mode: 'open', rate: opts.openRate, durationS: opts.openS, connections: opts.connections });
  const used = cpuUsedSince(run, before);
  if (open.completed > 0) for (const [n, ms] of Object.entries(used)) run.cpuMsPerRequest[n] = ms / open.completed;
  run.open = open;
  run.phases.push(open);
}

/** Each percentile as the median over the slices (slices of one phase, so close to the phase's own). */
function medianLatency(results: LoadResult[]): LatencySummary {
  const pick = (k: keyof LatencySummary) => median(results.map((r) => r.latencyMs[k]));
  return { count: results.reduce((a, r) => a + r.latencyMs.count, 0), min: pick('min'), mean: pick('mean'), p50: pick('p50'), p90: pick('p90'), p99: pick('p99'), p999: pick('p999'), max: pick('max') };
}

/** Stops the system (spans flushed) and counts what it exported; the run's files are removed. */
export async function finishRun(run: LabRun): Promise<RunMeasurement> {
  await stopRun(run);
  try {
    const exported = run.sink ? run.sink.tally() : tallyTraceFiles(run.system.tracesDir);
    const open = run.open;
    if (!open || run.slices.length === 0) throw new Error(`${run.config.id}: finished before it was measured`);
    const requests = run.phases.reduce((a, r) => a + r.completed, 0);
    const sliced = run.slices.reduce((a, r) => a + r.elapsedS, 0);
    return {
      config: run.config.id,
      round: run.round,
      maxThroughput: sliced > 0 ? run.slices.reduce((a, r) => a + r.completed, 0) / sliced : 0,
      sliceThroughputs: run.slices.map((r) => r.throughput),
      sliceCpuMsPerRequest: run.sliceCpuMsPerRequest,
      saturatedLatencyMs: medianLatency(run.slices),
      openRate: open.requested.rate ?? 0,
      achievedRate: open.achievedRate,
      latencyMs: open.latencyMs,
      errors: run.phases.reduce((a, r) => a + errorsOf(r), 0),
      cpuMsPerRequest: run.cpuMsPerRequest,
      requests,
      exported,
      spansPerRequest: requests ? exported.spans / requests : 0,
      bytesPerRequest: requests ? exported.bytes / requests : 0,
    };
  } finally {
    await discardRun(run);
  }
}

async function stopRun(run: LabRun): Promise<void> {
  if (run.stopped) return;
  run.stopped = true;
  await run.system.stop();
}

/** Stops the run if it still runs and removes its files and sink; safe to call more than once. */
export async function discardRun(run: LabRun): Promise<void> {
  await stopRun(run);
  const sink = run.sink;
  delete run.sink;
  await sink?.close();
  rmSync(run.dir, { recursive: true, force: true });
}
