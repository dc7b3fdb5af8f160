#!/usr/bin/env node
// `npm run jaeger`: the real Jaeger v2 (built once, cached) with the sandbox's own
// deploy/jaeger/config.yaml, on 127.0.0.1: OTLP 4317 (gRPC) and 4318 (HTTP), UI and query APIs
// 16686, remote sampling 5778 serving config/sampling-strategies.json.
//   npm run jaeger                 in the foreground; Ctrl-C stops it
//   npm run jaeger -- --detach     in the background (one per directory: .mltrace/jaeger/), returns once it is ready
//   npm run jaeger -- --stop       stops the background one
// MLTRACE_JAEGER_PORTS=auto: free ports instead (the banner and .mltrace/jaeger/state.json say which).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive, sleep } from '@mltrace/stack';
import { jaegerConfig } from '../config';
import { detachedJaegerDir, detachedJaegerStateFile, runningDetachedJaeger, type DetachedJaeger } from '../detached';
import { startJaeger, type RunningJaeger } from '../jaeger';
import { ensureTool } from '../tools';

/** The background Jaeger's folder: its state (pid and URLs) and its log. npm runs root scripts in the repository's root. */
const DIR = detachedJaegerDir(process.cwd());
const STATE_FILE = detachedJaegerStateFile(process.cwd());
const LOG_FILE = join(DIR, 'jaeger.log');
/** Jaeger itself starts in a second or two; a loaded machine gets more. */
const READY_TIMEOUT_MS = 60_000;

type Urls = Omit<DetachedJaeger, 'pid'>;

const shown = (p: string) => relative(process.cwd(), p) || '.';


/** The background Jaeger, if one runs from this folder. */
const running = (): DetachedJaeger | undefined => runningDetachedJaeger(process.cwd());

function banner(urls: Urls, how: string): string {
  return `Jaeger v2 is running ${how} (memory storage; traces are lost when it stops)
  UI and query APIs   ${urls.queryUrl}
  OTLP/HTTP           ${urls.otlpHttpUrl}
  OTLP/gRPC           ${urls.otlpGrpcUrl}
  remote sampling     ${urls.samplingUrl}`;
}

async function start(echo: boolean): Promise<RunningJaeger> {
  const tool = await ensureTool('jaeger');
  if (tool.built) console.error(`built Jaeger v2 in ${(tool.ms / 1000).toFixed(0)} s: ${tool.path}`);
  return startJaeger({ ports: jaegerConfig().jaegerPorts, internalMetrics: jaegerConfig().jaegerPorts === 'as-configured', echo });
}

/** Stops Jaeger on SIGINT/SIGTERM, and exits 1 with its last output if it dies on its own. */
function superviseUntilStopped(jaeger: RunningJaeger, onStop: () => void = () => undefined): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void jaeger.stop().then(() => {
      onStop();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  jaeger.backend.child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`jaeger exited (${code ?? signal}); its last output:\n${jaeger.backend.output().split('\n').slice(-20).join('\n')}`);
    onStop();
    process.exit(1);
  });
}

async function foreground(verbose: boolean): Promise<undefined> {
  const jaeger = await start(verbose);
  console.log(`${banner(jaeger, 'in the foreground')}
In another terminal:
  OTEL_EXPORTER_OTLP_ENDPOINT=${jaeger.otlpHttpUrl} npm start
  npx mltrace analyze ${jaeger.queryUrl}
Ctrl-C stops Jaeger (its log: --verbose).`);
  // Jaeger's output pipes keep this process alive until it is stopped.
  superviseUntilStopped(jaeger);
  return undefined;
}

/** The background process (`--detach` spawns this file again with --detached-child): starts Jaeger, records where it listens. */
async function detachedChild(): Promise<void> {
  const jaeger = await start(true);
  const state: DetachedJaeger = { pid: process.pid, otlpHttpUrl: jaeger.otlpHttpUrl, otlpGrpcUrl: jaeger.otlpGrpcUrl, queryUrl: jaeger.queryUrl, samplingUrl: jaeger.samplingUrl };
  writeFileSync(`${STATE_FILE}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${STATE_FILE}.tmp`, STATE_FILE);
  superviseUntilStopped(jaeger, () => rmSync(STATE_FILE, { force: true }));
}

async function detach(): Promise<number> {
  const already = running();
  if (already) {
    console.log(`${banner(already, 'in the background already')}\nnpm run jaeger -- --stop stops it.`);
    return 0;
  }
  // Built here, in the foreground, so a first build's progress is seen (and the child only links nothing).
  await ensureTool('jaeger');
  mkdirSync(DIR, { recursive: true });
  rmSync(STATE_FILE, { force: true });
  const fd = openSync(LOG_FILE, 'w');
  const child = spawn(process.execPath, [__filename, '--detached-child'], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.unref();
  const until = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const state = running();
    if (state) {
      console.log(`${banner(state, 'in the background')}
  its log             ${shown(LOG_FILE)}
Then:
  OTEL_EXPORTER_OTLP_ENDPOINT=${state.otlpHttpUrl} npx mltrace lab start <lab>
  npx mltrace analyze ${state.queryUrl}
npm run jaeger -- --stop stops it.`);
      return 0;
    }
    if (child.pid === undefined || !isAlive(child.pid) || Date.now() > until) {
      if (child.pid !== undefined && isAlive(child.pid)) process.kill(child.pid, 'SIGTERM');
      const tail = existsSync(LOG_FILE) ? readFileSync(LOG_FILE, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
      console.error(`npm run jaeger: Jaeger did not start${Date.now() > until ? ` within ${READY_TIMEOUT_MS / 1000} s` : ''}; its log (${shown(LOG_FILE)}):\n${tail}`);
      return 1;
    }
    await sleep(100);
  }
}

async function stop(): Promise<number> {
  const state = running();
  if (!state) {
    rmSync(STATE_FILE, { force: true });
    console.log('no Jaeger runs in the background here.');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  // Jaeger gets 10 s to stop (then SIGKILL), see startBackend.
  for (const until = Date.now() + 15_000; isAlive(state.pid) && Date.now() < until; ) await sleep(100);
  if (isAlive(state.pid)) {
    console.error(`npm run jaeger: the background Jaeger (pid ${state.pid}) did not stop`);
    return 1;
  }
  console.log('stopped the background Jaeger.');
  return 0;
}

async function main(): Promise<number | undefined> {
  const { values } = parseArgs({
    options: { detach: { type: 'boolean', default: false }, stop: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, 'detached-child': { type: 'boolean', default: false } },
  });
  if (values['detached-child']) return void (await detachedChild());
  if (values.detach && values.stop) throw new Error('--detach or --stop, not both');
  if (values.stop) return stop();
  if (values.detach) return detach();
  return foreground(values.verbose);
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (err: Error) => {
    console.error(`npm run jaeger: ${err.message}`);
    process.exit(1);
  },
);
