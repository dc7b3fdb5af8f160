#!/usr/bin/env node
// `npm start`: the whole system on this machine until Ctrl-C.
import { StackError } from '../errors';
import { countExportedSpans } from '../span-files';
import { startSystem, type RunningSystem } from '../system';
import { readCliOptions, USAGE } from './options';
import { describeSystem } from './banner';

/** Exit statuses of a run ended by a signal, as a shell reports them (128 + signal number). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

async function main(): Promise<void> {
  const cli = readCliOptions();
  if (cli.help) {
    console.log(`usage: npm start -- [options]\n${USAGE}`);
    return;
  }
  // Handlers first: a Ctrl-C while Redis is seeded or the services start must stop them too.
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
      console.log(`\n${signal}: stopping the services …`);
      const running = system;
      running
        .stop()
        .then(() => console.log(`stopped. ${countExportedSpans(running.tracesDir)} spans in ${running.tracesDir}`))
        .catch((err: unknown) => {
          console.error('error while stopping:', err);
          process.exitCode = 1;
        })
        .finally(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });

  console.log('starting mltrace: redis, feature-store, inference, postprocess, gateway …');
  const started = Date.now();
  try {
    system = await startSystem({ ...cli.system, signal: startup.signal });
  } catch (err) {
    if (err instanceof StackError && err.code === 'STACK_ABORTED') {
      console.log(`stopped before start-up finished: ${err.message}`);
      return;
    }
    throw err;
  }
  console.log(describeSystem(system, cli.tracesTarget(system.tracesDir), Date.now() - started));
  console.log(`try:  curl -s localhost:${new URL(system.urls.gateway).port}/v1/predict -H 'content-type: application/json' \\
        -H 'baggage: model_version=v2,customer_segment=enterprise,region=eu-west' -d '{"entities":["cust-00042","cust-00043"]}'
or:   npm run demo
Ctrl-C stops everything (spans are flushed on the way out).`);
  await stopped;
}

main().catch((err: unknown) => {
  console.error(`mltrace failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
