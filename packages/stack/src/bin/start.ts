#!/usr/bin/env node
// `npm start`: the whole system on this machine until Ctrl-C.
import { countExportedSpans } from '../span-files';
import { startSystem, type RunningSystem } from '../system';
import { readCliOptions, USAGE } from './options';
import { describeSystem } from './banner';

async function main(): Promise<void> {
  const cli = readCliOptions();
  if (cli.help) {
    console.log(`usage: npm start -- [options]\n${USAGE}`);
    return;
  }
  console.log('starting mltrace: redis, feature-store, inference, postprocess, gateway …');
  const started = Date.now();
  const system = await startSystem(cli.system);
  console.log(describeSystem(system, cli.tracesTarget(system.tracesDir), Date.now() - started));
  console.log(`try:  curl -s localhost:${new URL(system.urls.gateway).port}/v1/predict -H 'content-type: application/json' \\
        -H 'baggage: model_version=v2,customer_segment=enterprise,region=eu-west' -d '{"entities":["cust-00042","cust-00043"]}'
or:   npm run demo
Ctrl-C stops everything (spans are flushed on the way out).`);
  await stopOnSignal(system);
}

function stopOnSignal(system: RunningSystem): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping the services …`);
      system
        .stop()
        .then(() => {
          console.log(`stopped. ${countExportedSpans(system.tracesDir)} spans in ${system.tracesDir}`);
          resolve();
        })
        .catch((err: unknown) => {
          console.error('error while stopping:', err);
          process.exitCode = 1;
          resolve();
        });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

main().catch((err: unknown) => {
  console.error(`mltrace failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
