import { SERVICE_NAMES } from '../paths';
import type { RunningSystem } from '../system';

const ROUTES: Record<string, string> = {
  gateway: 'POST /v1/predict',
  'feature-store': 'POST /v1/features',
  inference: 'POST /v1/infer',
  postprocess: 'POST /v1/postprocess',
};

/** The lines printed once the system is up: URLs, feature backend, traces and logs. */
export function describeSystem(system: RunningSystem, tracesTarget: string, startupMs: number): string {
  const lines = [`mltrace is up (${(startupMs / 1000).toFixed(1)} s):`];
  for (const name of ['gateway', ...SERVICE_NAMES.filter((n) => n !== 'gateway')] as const) {
    lines.push(`  ${name.padEnd(14)} ${system.urls[name].padEnd(24)} ${ROUTES[name]}   pid ${system.pids[name] ?? '?'}`);
  }
  const backend = system.redis
    ? system.redis.private
      ? `private redis-server ${system.redis.url} (seeded, stopped with the system)`
      : `redis ${system.redis.url}`
    : 'in-memory (no redis-server binary, or --memory)';
  lines.push(`  features from  ${backend}`);
  lines.push(`  traces go to   ${tracesTarget}`);
  if (system.scenario) lines.push(`  scenario       ${system.scenario} (planted fault, see docs/scenarios.md)`);
  lines.push(`  service logs   ${system.logsDir}/<service>.log`);
  return lines.join('\n');
}
