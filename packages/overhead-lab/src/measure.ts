import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad, type LoadOptions, type LoadResult } from '@mltrace/loadgen';
import { SERVICE_NAMES } from '@mltrace/stack';
import { startLabSystem } from './lab-system';
import { benchMix } from './mix';
import type { OtlpSink } from './otlp-sink';
import { processCpuMs } from './proc-cpu';
import { tallyTraceFiles } from './trace-files';
import type { BenchOptions, Configuration, RunMeasurement } from './types';

function errorsOf(r: LoadResult): number {
  return r.completed - r.ok + r.timeouts + r.connectionErrors + r.dropped;
}

/**
 * Starts the system in `config`, drives warm-up, closed-loop and open-loop load,
 * stops it (flushing spans) and counts what was exported.
 */
export async function measureOnce(config: Configuration, round: number, opts: BenchOptions, sink: OtlpSink): Promise<RunMeasurement> {
  const dir = mkdtempSync(join(opts.workDir, `${config.id}-r${round}-`));
  const env: Record<string, string> = { ...config.env };
  if (config.exporter === 'otlp') {
    if (config.otlpEndpoint === 'base') env['OTEL_EXPORTER_OTLP_ENDPOINT'] = sink.baseUrl;
    else env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] = sink.endpoint;
  }
  sink.reset();
  const system = await startLabSystem(config, opts, dir, env);
  try {
    const base: LoadOptions = { url: system.urls.gateway, mix: benchMix(opts.seedCustomers), traceparent: false, seed: round, timeoutMs: 10_000 };
    const warm = await runLoad({ ...base, mode: 'closed', connections: opts.connections, durationS: opts.warmupS });
    const closed = await runLoad({ ...base, mode: 'closed', connections: opts.connections, durationS: opts.closedS });
    const rate = opts.openRate;
    const cpuBefore = SERVICE_NAMES.map((n) => processCpuMs(system.pids[n] ?? -1));
    const open = await runLoad({ ...base, mode: 'open', rate, durationS: opts.openS, connections: opts.connections });
    const cpuAfter = SERVICE_NAMES.map((n) => processCpuMs(system.pids[n] ?? -1));
    const cpuMsPerRequest: Record<string, number> = {};
    SERVICE_NAMES.forEach((n, i) => {
      const before = cpuBefore[i];
      const after = cpuAfter[i];
      if (before !== undefined && after !== undefined && open.completed > 0) cpuMsPerRequest[n] = (after - before) / open.completed;
    });
    await system.stop();
    const exported = config.exporter === 'otlp' ? sink.tally() : tallyTraceFiles(system.tracesDir);
    const requests = warm.completed + closed.completed + open.completed;
    return {
      config: config.id,
      round,
      maxThroughput: closed.throughput,
      saturatedLatencyMs: closed.latencyMs,
      openRate: rate,
      achievedRate: open.achievedRate,
      latencyMs: open.latencyMs,
      errors: errorsOf(warm) + errorsOf(closed) + errorsOf(open),
      cpuMsPerRequest,
      requests,
      exported,
      spansPerRequest: requests ? exported.spans / requests : 0,
      bytesPerRequest: requests ? exported.bytes / requests : 0,
    };
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
