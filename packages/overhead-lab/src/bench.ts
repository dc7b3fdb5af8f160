import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { machineInfo } from './machine';
import { closedSlice, discardRun, finishRun, openPhase, startRun, warmUp, type LabRun } from './measure';
import { profileConfiguration } from './profile-run';
import { markdownReport } from './report';
import { sliceCount } from './slices';
import { summarize } from './summarize';
import type { BenchOptions, BenchReport, ProfileResult, RunMeasurement } from './types';

/**
 * One round: every configuration's system is started and warmed up, then the closed-loop phase
 * runs in slices interleaved across configurations (A B C, C B A, A B C …), so a slice of each
 * configuration is measured within seconds of the same slice of `off`: the machine's drift and
 * its neighbours' bursts (seconds long on a shared VM) hit both sides of each ratio alike. Then
 * the open-loop phase of each, then every system is stopped and its spans counted. A system
 * waiting for its turn is idle (no load, no spans).
 */
async function runRound(round: number, opts: BenchOptions): Promise<RunMeasurement[]> {
  const runs: LabRun[] = [];
  try {
    for (const config of opts.configurations) runs.push(await startRun(config, round, opts));
    for (const run of runs) await warmUp(run, opts);
    const slices = sliceCount(opts);
    const seconds = opts.closedS / slices;
    for (let i = 0; i < slices; i++) {
      for (const run of i % 2 === 0 ? runs : [...runs].reverse()) await closedSlice(run, opts, seconds, i);
    }
    for (const run of runs) await openPhase(run, opts);
    const measured: RunMeasurement[] = [];
    for (const run of runs) {
      const m = await finishRun(run);
      measured.push(m);
      opts.log(
        `round ${round}/${opts.rounds} ${m.config.padEnd(12)} max ${m.maxThroughput.toFixed(1)} req/s, p50 ${m.latencyMs.p50} ms, p99 ${m.latencyMs.p99} ms @ ${m.openRate.toFixed(1)} req/s, ` +
          `${m.spansPerRequest.toFixed(1)} spans/req`,
      );
    }
    return measured;
  } finally {
    for (const run of runs) await discardRun(run);
  }
}

/**
 * Runs every round (each configuration measured in each, see runRound), then the profiled runs.
 * Writes `overhead-<timestamp>.json` and `.md` (and `latest.*`) into `outDir`.
 */
export async function runOverheadBench(opts: BenchOptions): Promise<{ report: BenchReport; markdown: string; files: string[] }> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  mkdirSync(opts.workDir, { recursive: true });
  const work = mkdtempSync(join(opts.workDir, 'overhead-'));
  const runs: RunMeasurement[] = [];
  const profiles: ProfileResult[] = [];
  try {
    for (let round = 1; round <= opts.rounds; round++) runs.push(...(await runRound(round, { ...opts, workDir: work })));
    for (const config of opts.configurations.filter((c) => opts.profile.includes(c.id))) {
      const p = await profileConfiguration(config, { ...opts, workDir: work });
      profiles.push(p);
      opts.log(`profiled ${config.id}: ${p.requests} requests`);
    }
  } finally {
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
