#!/usr/bin/env node
// `npm start`: the whole system on this machine until Ctrl-C or SIGTERM.
import { relative } from 'node:path';
import { StackError } from '../errors';
import { REPO_ROOT } from '../paths';
import { countExportedSpans } from '../span-files';
import { removeStackState, writeStackState } from '../state-file';
import { startSystem, type RunningSystem } from '../system';
import { readCliOptions, USAGE } from './options';
import { describeSystem } from './banner';

/** Exit statuses of a run ended by a signal, as a shell reports them (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
/** SIGHUP: the terminal went away; the services, in process groups of their own, would outlive it. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

async function main(): Promise<void> {
  const cli = readCliOptions();
  if (cli.help) {
    console.log(`usage: npm start -- [options]\n${USAGE}`);
    return;
  }
  // Handlers first: a Ctrl-C while Redis is seeded or the services start must stop them too.
  // A Ctrl-C reaches this process twice (from the terminal and forwarded by npm): one stop.
  const startup = new AbortController();
  let system: RunningSystem | undefined;
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      if (!system) {
        console.log(`\n${signal} during start-up: stopping what has started …`);
        process.exitCode = SIGNAL_EXIT[signal] ?? 1;
        startup.abort(signal);
        return;
      }
      console.log(`\n${signal}: stopping the system …`);
      const running = system;
      running
        .stop()
        .then(() => console.log(`stopped. ${countExportedSpans(running.tracesDir)} spans in ${running.tracesDir}`))
        .catch((err: unknown) => {
          console.error('error while stopping:', err);
          process.exitCode = 1;
        })
        .finally(() => {
          removeStackState(cli.stateFile, process.pid);
          resolve();
        });
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });

  console.log('starting mltrace: redis, feature-store, inference, postprocess, gateway …');
  const started = Date.now();
  try {
    // isolateSignals: the terminal's Ctrl-C reaches only this process, which stops the gateway
    // first (it finishes its requests in flight), then the rest; not everything at once.
    system = await startSystem({ ...cli.system, signal: startup.signal, isolateSignals: true, progress: (line) => console.log(line) });
  } catch (err) {
    if (err instanceof StackError && err.code === 'STACK_ABORTED') {
      console.log(`stopped before start-up finished: ${err.message}`);
      return;
    }
    throw err;
  }
  // How `npm run demo` (and anyone else) finds this system, whichever ports it got.
  writeStackState(cli.stateFile, {
    pid: process.pid,
    urls: system.urls,
    tracesDir: system.tracesDir,
    logsDir: system.logsDir,
    ...(system.scenario ? { scenario: system.scenario } : {}),
    startedAt: new Date().toISOString(),
  });
  console.log(describeSystem(system, cli.tracesTarget(system.tracesDir), Date.now() - started));
  console.log(`try:  curl -s localhost:${new URL(system.urls.gateway).port}/v1/predict -H 'content-type: application/json' \\
        -H 'baggage: model_version=v2,customer_segment=enterprise,region=eu-west' -d '{"entities":["cust-00042","cust-00043"]}'
or:   npm run demo      (uses this system: it finds it through ${shown(cli.stateFile)})
Ctrl-C or \`kill ${process.pid}\` stops everything: the gateway first (finishing requests in flight), then the
other services (flushing their spans), then Redis.`);
  await stopped;
}

/** A path inside the repository relative to it (as the commands are run from there), others as they are. */
function shown(path: string): string {
  return path.startsWith(`${REPO_ROOT}/`) ? relative(REPO_ROOT, path) : path;
}

main().catch((err: unknown) => {
  console.error(`mltrace failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
