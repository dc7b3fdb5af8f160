import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from '@mltrace/loadgen';
import { SERVICE_NAMES, sleep } from '@mltrace/stack';
import { startLabSystem } from './lab-system';
import { profileBreakdown, readCpuProfile } from './cpu-profile';
import { processCpuMs } from './proc-cpu';
import { benchMix } from './mix';
import type { BenchOptions, Configuration, ProfileResult } from './types';

const PRELOAD = join(__dirname, 'profiler-preload.js');

async function signalAll(pids: number[]): Promise<void> {
  for (const pid of pids) process.kill(pid, 'SIGUSR2');
  await sleep(50);
}

/**
 * Runs `config` once with the V8 CPU profiler in every service, on only during a closed-loop
 * phase after warm-up (start-up excluded), and attributes that CPU to the packages whose code ran.
 * The profiler itself costs some CPU, the same in every configuration.
 */
export async function profileConfiguration(config: Configuration, opts: BenchOptions): Promise<ProfileResult> {
  const dir = mkdtempSync(join(opts.workDir, `profile-${config.id}-`));
  const profDir = join(dir, 'profiles');
  mkdirSync(profDir);
  const system = await startLabSystem(config, opts, dir, { ...config.env, NODE_OPTIONS: `${config.env['NODE_OPTIONS'] ?? ''} --require ${PRELOAD}`.trim(), MLTRACE_PROFILE_DIR: profDir });
  try {
    const base = { url: system.urls.gateway, mix: benchMix(opts.seedCustomers), traceparent: false, seed: 99 };
    await runLoad({ ...base, mode: 'closed', connections: opts.connections, durationS: opts.warmupS });
    const pids = SERVICE_NAMES.map((n) => system.pids[n]).filter((p): p is number => p !== undefined);
    await signalAll(pids);
    const cpuBefore = pids.map(processCpuMs);
    // Saturated (closed loop): the profiler's own sampling cost is then spread over the most requests.
    const open = await runLoad({ ...base, mode: 'closed', durationS: opts.openS, connections: opts.connections });
    const cpuAfter = pids.map(processCpuMs);
    await signalAll(pids);
    const files = SERVICE_NAMES.map((n) => [n, join(profDir, `${system.pids[n]}.cpuprofile`)] as const);
    for (let i = 0; i < 100 && !files.every(([, f]) => existsSync(f)); i++) await sleep(100);
    await system.stop();
    const byPackage: Record<string, number> = {};
    const byService: Record<string, number> = {};
    // Kept for a closer look (Chrome DevTools, speedscope): the latest run of each configuration.
    const keptDir = join(opts.outDir, 'profiles');
    mkdirSync(keptDir, { recursive: true });
    files.forEach(([service, file], i) => {
      if (!existsSync(file)) throw new Error(`${service} wrote no CPU profile (${file})`);
      copyFileSync(file, join(keptDir, `${config.id}-${service}.cpuprofile`));
      // Profile samples are wall-clock: a process waiting for a core keeps charging its current frame.
      // So the profile gives each package's share, and /proc gives the CPU time those shares split.
      const breakdown = profileBreakdown(readCpuProfile(file));
      const sampled = Object.values(breakdown).reduce((a, b) => a + b, 0);
      const cpu = (cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0);
      byService[service] = cpu / open.completed;
      for (const [cat, ms] of Object.entries(breakdown)) {
        byPackage[cat] = (byPackage[cat] ?? 0) + ((ms / sampled) * cpu) / open.completed;
      }
    });
    return { config: config.id, requests: open.completed, msPerRequestByPackage: byPackage, msPerRequestByService: byService };
  } finally {
    await system.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
