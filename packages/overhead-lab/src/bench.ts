import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from './machine';
import { measureOnce } from './measure';
import { startOtlpSink } from './otlp-sink';
import { profileConfiguration } from './profile-run';
import { markdownReport } from './report';
import { summarize } from './summarize';
import type { BenchOptions, BenchReport, ProfileResult, RunMeasurement } from './types';

/**
 * Runs every configuration once per round, A B C … A B C …, so slow drift of the
 * machine (thermal, page cache, other tenants) hits every configuration alike.
 * Writes `overhead-<timestamp>.json` and `.md` (and `latest.*`) into `outDir`.
 */
export async function runOverheadBench(opts: BenchOptions): Promise<{ report: BenchReport; markdown: string; files: string[] }> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  mkdirSync(opts.workDir, { recursive: true });
  const work = mkdtempSync(join(opts.workDir, 'overhead-'));
  const sink = await startOtlpSink();
  const runs: RunMeasurement[] = [];
  const profiles: ProfileResult[] = [];
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const config of opts.configurations) {
        const t = Date.now();
        const m = await measureOnce(config, round, { ...opts, workDir: work }, sink);
        runs.push(m);
        opts.log(
          `round ${round}/${opts.rounds} ${config.id.padEnd(12)} max ${m.maxThroughput.toFixed(1)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms @ ${m.openRate.toFixed(1)} req/s, ` +
            `${m.spansPerRequest.toFixed(1)} spans/req, ${(Date.now() - t) / 1000} s`,
        );
      }
    }
    for (const config of opts.configurations.filter((c) => opts.profile.includes(c.id))) {
      const p = await profileConfiguration(config, { ...opts, workDir: work });
      profiles.push(p);
      opts.log(`profiled ${config.id}: ${p.requests} requests`);
    }
  } finally {
    await sink.close();
    rmSync(work, { recursive: true, force: true });
  }
  const { configurations, log: _log, outDir: _out, workDir: _work, ...rest } = opts;
  const report: BenchReport = {
    startedAt,
    durationS: (Date.now() - started) / 1000,
    machine: machineInfo(),
    settings: { ...rest, configurations: configurations.map((c) => c.id) },
    summaries: summarize(configurations, runs),
    runs,
    profiles,
  };
  const markdown = markdownReport(report);
  mkdirSync(opts.outDir, { recursive: true });
  const stamp = startedAt.replace(/[:.]/g, '-');
  const files = [join(opts.outDir, `overhead-${stamp}.json`), join(opts.outDir, `overhead-${stamp}.md`), join(opts.outDir, 'overhead-latest.json'), join(opts.outDir, 'overhead-latest.md')];
  for (const f of files) writeFileSync(f, f.endsWith('.json') ? `${JSON.stringify(report, null, 2)}\n` : markdown);
  return { report, markdown, files };
}
