#!/usr/bin/env node
/**
 * One server hop under unsampled traffic: the CPU (/proc, all threads) the post-processor spends
 * per request untraced and with the preload at head sampling 1 %, every request carrying a
 * `traceparent` with flags 00 and the lab's 9-member baggage, as a downstream hop of a request the
 * gateway did not sample. Run at LOG_LEVEL info (the services' default: 2 log lines per request)
 * and warn (none), rounds interleaved. Resolves a few µs per request where the full-system lab
 * cannot; it is how packages/overhead-lab/README.md splits what an unsampled request pays.
 *
 *   node packages/overhead-lab/dist/src/bin/bench-hop.js [requests=4000] [rounds=4]
 *   node packages/overhead-lab/dist/src/bin/bench-hop.js --instructions [requests=600] [rounds=2]
 *
 * `--instructions`: the post-processor under valgrind's callgrind, instructions per request instead
 * of CPU time: a count the machine's noise barely moves (5–10 % between runs: JIT timing, GCs), but
 * blind to what instructions do not show (system calls, cache misses). Needs valgrind.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, serviceDir, stopProcess, waitForHttp } from '@mltrace/stack';
import { callgrindArgs, callgrindControl, dumpedInstructions, hasValgrind, type CallgrindSetup } from '../callgrind';
import { processCpuMs } from '../proc-cpu';

const BAGGAGE =
  'data_batch_id=bench-batch-1,product_area=retention,experiment_id=exp-1,experiment_arm=b,model_version=v2,customer_segment=enterprise,region=eu-west,priority=high,synthetic_type=test';
const BODY = JSON.stringify({
  predictions: [0.2, 0.6, 0.9].map((p, i) => ({ entity: `cust-0000${i}`, class: p >= 0.5 ? 1 : 0, probabilities: [1 - p, p], confidence: Math.max(p, 1 - p) })),
});
const CONCURRENCY = 4;
const WARMUP = 1500;
/** Under valgrind: measured, 2 000 left the traced process still compiling in the counted window. */
const WARMUP_INSTRUCTIONS = 8000;

interface Variant {
  id: string;
  traced: boolean;
  logLevel: 'info' | 'warn';
}
const VARIANTS: Variant[] = [
  { id: 'off, info', traced: false, logLevel: 'info' },
  { id: 'head-1, info', traced: true, logLevel: 'info' },
  { id: 'off, warn', traced: false, logLevel: 'warn' },
  { id: 'head-1, warn', traced: true, logLevel: 'warn' },
];

async function send(url: string, n: number, concurrency = CONCURRENCY): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < n) {
        const traceparent = `00-${randomBytes(16).toString('hex')}-b7ad6b7169203331-00`;
        const res = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', traceparent, baggage: BAGGAGE } });
        if (res.status !== 200) throw new Error(`postprocess answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
}

/**
 * µs of server CPU per request after a warm-up (JIT) that is not counted; with `counting`,
 * thousands of instructions per request instead (the process runs under callgrind).
 */
async function measure(variant: Variant, requests: number, counting?: CallgrindSetup): Promise<number> {
  const port = await freePort();
  // The file exporter, as in the lab's head-1 (the 1 % sampled roots of this traffic: none, all parents are unsampled).
  const tracesDir = mkdtempSync(join(tmpdir(), 'mltrace-bench-hop-'));
  const nodeArgs = [...(variant.traced ? ['--require', '@mltrace/tracing/register'] : []), 'dist/src/server.js'];
  const [command, args] = counting ? ['valgrind', [...callgrindArgs(counting), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, args, {
    cwd: serviceDir('postprocess'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...counting?.env,
      PORT: String(port),
      LOG_LEVEL: variant.logLevel,
      OTEL_SERVICE_NAME: 'postprocess',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.01',
      MLTRACE_TRACES_DIR: tracesDir,
    },
  });
  try {
    await waitForHttp(`http://127.0.0.1:${port}/health`);
    const url = `http://127.0.0.1:${port}/v1/postprocess`;
    if (counting) {
      await send(url, WARMUP_INSTRUCTIONS);
      callgrindControl(counting, child.pid!, '--instr=on');
      callgrindControl(counting, child.pid!, '--zero');
      // One at a time: the fewest timing-dependent paths (batched writes, coalesced wake-ups).
      await send(url, requests, 1);
      callgrindControl(counting, child.pid!, '--dump');
      return dumpedInstructions(counting, child.pid!) / requests / 1000;
    }
    await send(url, WARMUP);
    const before = processCpuMs(child.pid!);
    await send(url, requests);
    const after = processCpuMs(child.pid!);
    if (before === undefined || after === undefined) throw new Error('postprocess exited during the run');
    return ((after - before) / requests) * 1000;
  } finally {
    await stopProcess(child);
    rmSync(tracesDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const instructions = process.argv[2] === '--instructions';
  const [requestsArg, roundsArg] = process.argv.slice(instructions ? 3 : 2);
  const requests = Number(requestsArg ?? (instructions ? 600 : 4000));
  const rounds = Number(roundsArg ?? (instructions ? 2 : 4));
  if (instructions && !hasValgrind()) throw new Error('--instructions needs valgrind and callgrind_control on the PATH (Debian: apt-get install valgrind)');
  const unit = instructions ? 'k instructions' : 'µs';
  const results = new Map<string, number[]>(VARIANTS.map((v) => [v.id, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const v of VARIANTS) {
      const counting = instructions ? { outDir: mkdtempSync(join(tmpdir(), 'mltrace-bench-hop-cg-')), env: { HOST: '127.0.0.1' } } : undefined;
      try {
        results.get(v.id)!.push(await measure(v, requests, counting));
      } finally {
        if (counting) rmSync(counting.outDir, { recursive: true, force: true });
      }
    }
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  const what = instructions ? 'server instructions (callgrind), thousands per request' : 'server CPU µs/request';
  console.log(`postprocess, ${requests} unsampled requests per run, ${rounds} rounds interleaved; ${what}: median (runs)`);
  for (const v of VARIANTS) {
    const xs = results.get(v.id)!;
    console.log(`${v.id.padEnd(14)} ${median(xs).toFixed(0).padStart(5)}  (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  }
  for (const level of ['info', 'warn'] as const) {
    const added = results.get(`head-1, ${level}`)!.map((x, i) => x - (results.get(`off, ${level}`)![i] ?? NaN));
    console.log(`added by tracing at ${level}: median ${median(added).toFixed(0)} ${unit}/request (per round: ${added.map((x) => x.toFixed(0)).join(', ')})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
