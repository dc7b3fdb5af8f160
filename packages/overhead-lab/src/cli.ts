import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@mltrace/stack';
import { runOverheadBench } from './bench';
import { CONFIGURATIONS, selectConfigurations } from './configurations';
import type { BenchOptions } from './types';

export const BENCH_DEFAULTS = {
  rounds: 2,
  // Measured on a 2-core VM: throughput still climbs for ≈ 8 s after a service starts (JIT).
  warmupS: 8,
  closedS: 10,
  sliceS: 2,
  openS: 6,
  connections: 16,
  // Below saturation of the slowest configuration measured so far (100 % sampling, all instrumentations, 2 cores).
  openRate: 40,
  seedCustomers: 10_000,
  profile: ['off', 'sampling-off', 'head-100'],
  outDir: join(REPO_ROOT, 'bench-results'),
};

export const BENCH_USAGE = `Usage: npm run bench:overhead -- [options]

Starts the four-service system once per tracing configuration and round (interleaved),
drives the same load at each and reports throughput, latency, CPU, spans and bytes per
request as ratios to tracing off. Writes JSON and Markdown into --out.

Options:
  --rounds N         rounds over all configurations (default ${BENCH_DEFAULTS.rounds}, at least 1)
  --configs a,b      configurations to run (off always runs): ${CONFIGURATIONS.map((c) => c.id).join(', ')}
  --warmup S         closed-loop warm-up per run (default ${BENCH_DEFAULTS.warmupS})
  --closed S         closed-loop max-throughput phase per configuration and round (default ${BENCH_DEFAULTS.closedS})
  --slice S          the closed-loop phase runs in slices of S seconds, interleaved across
                     configurations; ratios are per slice (default ${BENCH_DEFAULTS.sliceS})
  --open S           open-loop latency/CPU phase (default ${BENCH_DEFAULTS.openS})
  --connections N    closed-loop connections (default ${BENCH_DEFAULTS.connections})
  --rate N           open-loop rate, the same for every configuration; keep it below the slowest
                     configuration's max throughput (default ${BENCH_DEFAULTS.openRate})
  --customers N      customers seeded into each run's Redis (default ${BENCH_DEFAULTS.seedCustomers})
  --profile a,b      configurations to run once more under the V8 CPU profiler for the
                     per-package CPU breakdown (default ${BENCH_DEFAULTS.profile.join(',')}; 'none' for none)
  --out DIR          where results go (default <repo>/bench-results)
  -h, --help`;

export function parseBenchArgs(argv: string[]): BenchOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      rounds: { type: 'string' },
      configs: { type: 'string' },
      warmup: { type: 'string' },
      closed: { type: 'string' },
      slice: { type: 'string' },
      open: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      customers: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return 'help';
  const num = (name: string, raw: string | undefined, fallback: number, min: number, integer = false): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  return {
    rounds: num('rounds', v.rounds, BENCH_DEFAULTS.rounds, 1, true),
    configurations: selectConfigurations(v.configs),
    warmupS: num('warmup', v.warmup, BENCH_DEFAULTS.warmupS, 0.1),
    closedS: num('closed', v.closed, BENCH_DEFAULTS.closedS, 0.5),
    sliceS: num('slice', v.slice, BENCH_DEFAULTS.sliceS, 0.5),
    openS: num('open', v.open, BENCH_DEFAULTS.openS, 0.5),
    connections: num('connections', v.connections, BENCH_DEFAULTS.connections, 1, true),
    openRate: num('rate', v.rate, BENCH_DEFAULTS.openRate, 0.1),
    seedCustomers: num('customers', v.customers, BENCH_DEFAULTS.seedCustomers, 1, true),
    profile: v.profile === undefined ? BENCH_DEFAULTS.profile : v.profile === 'none' ? [] : v.profile.split(',').map((s) => s.trim()),
    outDir: v.out ?? BENCH_DEFAULTS.outDir,
    workDir: tmpdir(),
    log: (line) => process.stderr.write(`${line}\n`),
  };
}

/** `npm run bench:overhead`: resolves to the exit code (0 done, 1 a run failed, 2 bad usage). */
export async function runBenchCommand(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseBenchArgs(argv);
  } catch (err) {
    process.stderr.write(`bench:overhead: ${(err as Error).message}\n\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  try {
    const { markdown, files } = await runOverheadBench(opts);
    process.stdout.write(`${markdown}\nwritten: ${files.join(', ')}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`bench:overhead failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
