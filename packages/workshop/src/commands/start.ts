import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive, sleep } from '@mltrace/stack';
import { SCENARIO_NAMES, type ScenarioName } from '@mltrace/scenarios';
import type { WorkshopConfig } from '../config';
import { jaegerQueryUrl } from '../jaeger-url';
import { findLab, LABS, STANDARD_TRAFFIC, type Lab } from '../labs';
import { shown } from '../shown';
import { hideScenario, readState, writeState, type LabState } from '../state';
import { EXIT_OK, EXIT_WRONG, UsageError } from '../usage';
import { stopLab } from './stop';

const RUNNER = join(__dirname, '..', 'bin', 'lab-runner.js');
/** Start-up (Redis, seeding, four services) plus the traffic, on a busy 2-core machine. */
const START_TIMEOUT_MS = 180_000;

/** The mystery of round `seed` (the same for everyone who picks it), or a random one. */
export function mysteryScenario(seed: number | undefined): ScenarioName {
  const i = seed === undefined ? randomInt(SCENARIO_NAMES.length) : ((seed % SCENARIO_NAMES.length) + SCENARIO_NAMES.length) % SCENARIO_NAMES.length;
  return SCENARIO_NAMES[i] as ScenarioName;
}

function parse(argv: string[]): { lab?: Lab; mystery: boolean; seed?: number } {
  const { values, positionals } = parseArgs({ args: argv, options: { mystery: { type: 'boolean', default: false }, seed: { type: 'string' } }, allowPositionals: true });
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, not ${JSON.stringify(values.seed)}`);
  if (values.mystery) {
    if (positionals.length > 0) throw new UsageError('start --mystery takes no lab name');
    return { mystery: true, ...(seed !== undefined ? { seed } : {}) };
  }
  if (seed !== undefined) throw new UsageError('--seed goes with --mystery');
  if (positionals.length !== 1) throw new UsageError('start needs one lab name (mltrace lab list shows them) or --mystery');
  const lab = findLab(positionals[0] as string);
  if (!lab) throw new UsageError(`no lab named ${JSON.stringify(positionals[0])}; the labs: ${LABS.map((l) => l.id).join(', ')}`);
  return { lab, mystery: false };
}

/**
 * The lab's environment for the services, where the learner's own setting wins: a strategies
 * file of their own (`MLTRACE_SAMPLING_STRATEGIES_FILE=mine.json npx mltrace lab start sampling`).
 */
function labEnv(lab: Lab, config: WorkshopConfig): Record<string, string> {
  const env: Record<string, string> = { ...lab.env };
  if (env['MLTRACE_SAMPLING_STRATEGIES_FILE'] && config.strategiesFile) env['MLTRACE_SAMPLING_STRATEGIES_FILE'] = config.strategiesFile;
  return env;
}

export async function runStart(argv: string[], config: WorkshopConfig, out: (text: string) => void): Promise<number> {
  const { lab, mystery, seed } = parse(argv);
  if (lab && !lab.traffic && lab.id !== 'mystery') {
    // The overhead lab starts and stops its own systems, one per tracing configuration.
    out(`${lab.title}: this lab runs its own systems; nothing to start here.\nFollow ${lab.page}.`);
    return EXIT_OK;
  }
  const isMystery = mystery || lab?.id === 'mystery';

  const previous = readState(config.labDir);
  if (previous && isAlive(previous.pid)) {
    out(`stopping the running lab (${previous.mystery ? 'the mystery' : previous.lab}) first…`);
    await stopLab(config.labDir);
  }

  const scenario = isMystery ? mysteryScenario(seed) : (lab?.scenario ?? '');
  const state: LabState = {
    lab: isMystery ? 'mystery' : (lab as Lab).id,
    mystery: isMystery,
    scenario: isMystery ? hideScenario(scenario) : scenario,
    traffic: isMystery ? STANDARD_TRAFFIC : ((lab as Lab).traffic ?? null),
    env: isMystery ? {} : labEnv(lab as Lab, config),
    autoPorts: config.autoPorts,
    status: 'starting',
    tracesDir: join(config.labDir, 'traces'),
    logsDir: join(config.labDir, 'logs'),
    ...(config.otlpEndpoint ? { otlpEndpoint: config.otlpEndpoint } : {}),
    startedAt: new Date().toISOString(),
  };
  writeState(config.labDir, state);

  mkdirSync(config.labDir, { recursive: true });
  const logFile = join(config.labDir, 'runner.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [RUNNER, config.labDir], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  writeState(config.labDir, { ...state, ...(child.pid ? { pid: child.pid } : {}) });
  out(isMystery ? 'starting the mystery: a problem is planted somewhere…' : `starting lab ${state.lab} (${lab?.title})…`);

  const until = Date.now() + START_TIMEOUT_MS;
  let current = readState(config.labDir);
  while (Date.now() < until && current && (current.status === 'starting' || current.status === 'sending') && isAlive(child.pid)) {
    await sleep(250);
    current = readState(config.labDir);
  }
  if (current?.status !== 'ready') {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-8).join('\n') : '';
    const why = current?.error ?? (isAlive(child.pid) ? `not ready after ${START_TIMEOUT_MS / 1000} s` : 'the lab runner exited');
    process.stderr.write(`mltrace lab start: ${why}\n${tail ? `${tail}\n` : ''}(runner log: ${shown(logFile)}; service logs: ${shown(state.logsDir)})\n`);
    if (isAlive(child.pid)) await stopLab(config.labDir);
    return EXIT_WRONG;
  }
  for (const line of banner(current, lab)) out(line);
  return EXIT_OK;
}

function banner(state: LabState, lab: Lab | undefined): string[] {
  const query = state.otlpEndpoint ? jaegerQueryUrl(state.otlpEndpoint) : undefined;
  const traces = query ? `sent to ${state.otlpEndpoint} (Jaeger UI: ${query})` : `${shown(state.tracesDir)}/`;
  // Jaeger keeps the traces of every lab run since it started: read this run's only.
  const source = query ? `${query} --since ${state.startedAt}` : shown(state.tracesDir);
  const load = state.load ? `${state.load.sent} requests sent, ${state.load.ok} answered 2xx` : 'no traffic sent';
  const lines = [
    '',
    `  gateway   ${state.gateway}`,
    `  traffic   ${load}`,
    `  traces    ${traces}`,
    '',
    'Next:',
  ];
  if (state.mystery) {
    lines.push(
      `  npx mltrace analyze ${source}        what is wrong, and where?`,
      '  npx mltrace lab answer <scenario> --service <service>   check your diagnosis (mltrace lab list: the scenario names are the lab names)',
      '  npx mltrace lab stop',
    );
  } else {
    lines.push(`  read ${lab?.page}`, `  npx mltrace analyze ${source}`, '  npx mltrace lab stop          when you are done (the traces stay)');
  }
  return lines;
}
