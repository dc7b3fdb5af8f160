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
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, serviceDir, stopProcess, waitForHttp } from '@mltrace/stack';
import { processCpuMs } from '../proc-cpu';

const BAGGAGE =
  'data_batch_id=bench-batch-1,product_area=retention,experiment_id=exp-1,experiment_arm=b,model_version=v2,customer_segment=enterprise,region=eu-west,priority=high,synthetic_type=test';
const BODY = JSON.stringify({
  predictions: [0.2, 0.6, 0.9].map((p, i) => ({ entity: `cust-0000${i}`, class: p >= 0.5 ? 1 : 0, probabilities: [1 - p, p], confidence: Math.max(p, 1 - p) })),
});
const CONCURRENCY = 4;
const WARMUP = 1500;

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

async function send(url: string, n: number): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent++ < n) {
        const traceparent = `00-${randomBytes(16).toString('hex')}-b7ad6b7169203331-00`;
        const res = await fetch(url, { method: 'POST', body: BODY, headers: { 'content-type': 'application/json', traceparent, baggage: BAGGAGE } });
        if (res.status !== 200) throw new Error(`postprocess answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
}

/** µs of server CPU per request, after a warm-up (JIT) that is not counted. */
async function measure(variant: Variant, requests: number): Promise<number> {
  const port = await freePort();
  // The file exporter, as in the lab's head-1 (the 1 % sampled roots of this traffic: none, all parents are unsampled).
  const tracesDir = mkdtempSync(join(tmpdir(), 'mltrace-bench-hop-'));
  const child = spawn(process.execPath, [...(variant.traced ? ['--require', '@mltrace/tracing/register'] : []), 'dist/src/server.js'], {
    cwd: serviceDir('postprocess'),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
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
  const requests = Number(process.argv[2] ?? 4000);
  const rounds = Number(process.argv[3] ?? 4);
  const results = new Map<string, number[]>(VARIANTS.map((v) => [v.id, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const v of VARIANTS) results.get(v.id)!.push(await measure(v, requests));
    process.stderr.write(`round ${round}/${rounds} done\n`);
  }
  console.log(`postprocess, ${requests} unsampled requests per run, ${rounds} rounds interleaved; server CPU µs/request: median (runs)`);
  for (const v of VARIANTS) {
    const xs = results.get(v.id)!;
    console.log(`${v.id.padEnd(14)} ${median(xs).toFixed(0).padStart(5)}  (${xs.map((x) => x.toFixed(0)).join(', ')})`);
  }
  for (const level of ['info', 'warn'] as const) {
    const added = results.get(`head-1, ${level}`)!.map((x, i) => x - (results.get(`off, ${level}`)![i] ?? NaN));
    console.log(`added by tracing at ${level}: median ${median(added).toFixed(0)} µs/request (per round: ${added.map((x) => x.toFixed(0)).join(', ')})`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
