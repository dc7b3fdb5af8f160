import { join } from 'node:path';
import { startSystem, type RunningSystem } from '@mltrace/stack';
import type { BenchOptions, Configuration } from './types';

/**
 * The system as every lab run starts it: free ports, a private seeded Redis, the configuration's
 * tracing switch, traces and logs under the run's own directory, and the run's environment.
 */
export function startLabSystem(config: Configuration, opts: BenchOptions, dir: string, env: Record<string, string>): Promise<RunningSystem> {
  return startSystem({
    ports: 'auto',
    redis: 'private',
    seedCustomers: opts.seedCustomers,
    tracing: config.tracing,
    tracesDir: join(dir, 'traces'),
    logsDir: join(dir, 'logs'),
    env,
  });
}
