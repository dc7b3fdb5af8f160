#!/usr/bin/env node
// `npm run demo`: a varied batch of requests against the system (started here if it is not running).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoPlan, type DemoRequest } from '../demo-plan';
import { StackError } from '../errors';
import { REPO_ROOT } from '../paths';
import { sleep } from '../process';
import { countExportedSpans } from '../span-files';
import { readRunningStack } from '../state-file';
import { startSystem, type RunningSystem, type SystemOptions } from '../system';
import { describeSystem } from './banner';
import { readCliOptions, USAGE, type CliOptions } from './options';

const CONCURRENCY = 8;

interface Outcome {
  req: DemoRequest;
  status: number;
  ms: number;
  version?: string;
  code?: string;
}

async function main(): Promise<void> {
  const cli = readCliOptions();
  if (cli.help) {
    console.log(`usage: npm run demo -- [options]   (options apply when the demo starts the system itself)\n${USAGE}`);
    return;
  }
  let system: RunningSystem | undefined;
  const running = await findRunningSystem(cli);
  let gatewayUrl: string;
  let tracesDir: string;
  if (running) {
    console.log(`using the system already running at ${running.gatewayUrl} (${running.how})`);
    gatewayUrl = running.gatewayUrl;
    tracesDir = running.tracesDir;
  } else {
    console.log(`no gateway answering at ${cli.gatewayUrl}${cli.gatewayUrlChosen ? '' : ` and no running \`npm start\` in ${cli.stateFile}`}: starting the system …`);
    const started = Date.now();
    // A directory of its own, so the analysis below reads this run only.
    const runDir = join(cli.stackDir, 'runs', `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    const ours = await startOwnSystem({ ...cli.system, ...(cli.tracesChosen ? {} : { tracesDir: runDir }) });
    system = ours;
    console.log(describeSystem(ours, cli.tracesTarget(ours.tracesDir), Date.now() - started));
    gatewayUrl = ours.urls.gateway;
    tracesDir = ours.tracesDir;
  }
  const spansBefore = countExportedSpans(tracesDir);

  const plan = demoPlan();
  console.log(`\nsending ${plan.length} requests (${CONCURRENCY} at a time) …`);
  const started = Date.now();
  const outcomes = await runPlan(gatewayUrl, plan);
  console.log(summarize(outcomes, Date.now() - started));

  if (system) {
    console.log('\nstopping the system (flushing spans) …');
    await system.stop();
  } else {
    // The services' batch span processors export on a timer; give them one round.
    await sleep(6000);
  }
  const spansAfter = countExportedSpans(tracesDir);
  console.log(`\ntraces: ${cli.tracesTarget(tracesDir)}`);
  console.log(`spans written by this demo: ${spansAfter - spansBefore} (${spansAfter} in total there)`);
  if (spansAfter > 0) runAnalysis(tracesDir);
}

/**
 * The system to use: MLTRACE_GATEWAY_URL's gateway when that is set; else the one a running
 * `npm start` names in its stack file (whatever ports it got); else one on the default ports.
 */
async function findRunningSystem(cli: CliOptions): Promise<{ gatewayUrl: string; tracesDir: string; how: string } | undefined> {
  if (!cli.gatewayUrlChosen) {
    const state = readRunningStack(cli.stateFile);
    if (state && (await answers(`${state.urls.gateway}/health`))) {
      return { gatewayUrl: state.urls.gateway, tracesDir: state.tracesDir, how: `npm start, pid ${state.pid}, per ${cli.stateFile}` };
    }
  }
  if (!(await answers(`${cli.gatewayUrl}/health`))) return undefined;
  // Its traces go wherever that system was told; the default place is the best guess.
  return { gatewayUrl: cli.gatewayUrl, tracesDir: cli.system.tracesDir ?? join(cli.stackDir, 'traces'), how: cli.gatewayUrlChosen ? 'MLTRACE_GATEWAY_URL' : 'default port' };
}

/**
 * Starts the system for the demo's own use: Ctrl-C or SIGTERM stops it in order (its processes run
 * in groups of their own, so nothing else would) and ends the demo.
 */
async function startOwnSystem(opts: SystemOptions): Promise<RunningSystem> {
  const startup = new AbortController();
  let system: RunningSystem | undefined;
  let stopping = false;
  // Stays installed: a Ctrl-C arrives twice (terminal and npm), and a second default SIGINT would
  // end this process in the middle of the stop.
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    console.log(`\n${signal}: stopping the system …`);
    if (!system) startup.abort(signal);
    else void system.stop().finally(() => process.exit());
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, onSignal);
  try {
    system = await startSystem({ ...opts, signal: startup.signal, isolateSignals: true });
  } catch (err) {
    if (!(err instanceof StackError && err.code === 'STACK_ABORTED')) throw err;
    console.log(`stopped before start-up finished: ${err.message}`);
    process.exit();
  }
  return system;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(500) })).ok;
  } catch {
    return false;
  }
}

async function runPlan(gatewayUrl: string, plan: DemoRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.length; i = next++) {
      const req = plan[i] as DemoRequest;
      const t0 = performance.now();
      const baggage = Object.entries(req.baggage)
        .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
        .join(',');
      try {
        const res = await fetch(`${gatewayUrl}/v1/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', baggage },
          body: JSON.stringify(req.body),
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await res.json()) as { model?: { version?: string }; code?: string };
        outcomes.push({ req, status: res.status, ms: performance.now() - t0, ...(body.model?.version ? { version: body.model.version } : {}), ...(body.code ? { code: body.code } : {}) });
      } catch (err) {
        outcomes.push({ req, status: 0, ms: performance.now() - t0, code: (err as Error).name });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

function summarize(outcomes: Outcome[], totalMs: number): string {
  const lines = [`${outcomes.length} requests in ${(totalMs / 1000).toFixed(1)} s`];
  const byKind = new Map<string, Map<string, number>>();
  for (const o of outcomes) {
    const m = byKind.get(o.req.kind) ?? new Map<string, number>();
    const key = o.code ? `${o.status} ${o.code}` : String(o.status);
    m.set(key, (m.get(key) ?? 0) + 1);
    byKind.set(o.req.kind, m);
  }
  lines.push('  request kind       answers');
  for (const [kind, m] of byKind) lines.push(`  ${kind.padEnd(18)} ${[...m].map(([k, n]) => `${n}× ${k}`).join(', ')}`);
  const versions = new Map<string, number[]>();
  for (const o of outcomes) if (o.version) versions.set(o.version, [...(versions.get(o.version) ?? []), o.ms]);
  for (const [v, ms] of [...versions].sort()) {
    const sorted = ms.sort((a, b) => a - b);
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0;
    lines.push(`  model ${v}: ${sorted.length} answers, p50 ${p50.toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms`);
  }
  return lines.join('\n');
}

/** `mltrace analyze` on the traces, when the analysis package is built: its first sections here, all of it in a file. */
function runAnalysis(tracesDir: string): void {
  const cli = join(REPO_ROOT, 'packages', 'analysis', 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    console.log('(the analysis CLI is not built; `npx turbo run build` then `npx mltrace analyze <traces dir>`)');
    return;
  }
  const res = spawnSync(process.execPath, [cli, 'analyze', tracesDir], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    console.log(`(mltrace analyze exited with ${res.status ?? res.signal}: ${(res.stderr ?? '').trim()})`);
    return;
  }
  const reportFile = `${tracesDir.replace(/\/+$/, '')}-report.txt`;
  writeFileSync(reportFile, res.stdout);
  // Summary and Recommendations are the first two sections of the text report.
  const sections = res.stdout.split(/^(?=== )/m);
  console.log(`\nmltrace analyze ${tracesDir}\n`);
  console.log(sections.slice(0, 2).join('').trimEnd());
  console.log(`\n… the full report (performance, bottlenecks, errors, slices, capacity): ${reportFile}`);
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
