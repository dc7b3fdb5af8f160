/**
 * The lab runner: a detached process that owns the running system. It starts the system with the
 * lab's scenario, sends the lab's traffic, waits until the spans are on disk, says "ready" in the
 * state file, and keeps the system up until SIGTERM/SIGINT (`mltrace lab stop`), when it stops it
 * (the services flush their spans) and exits.
 */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadMixFile, runLoad } from '@mltrace/loadgen';
import { countExportedSpans, hasRedisServer, REPO_ROOT, sleep, startSystem, type RunningSystem } from '@mltrace/stack';
import { readState, revealScenario, updateState, type LabState } from './state';

/** The request mix of every lab: the scenario tests' mix (both model versions, every segment, most traffic to ap-south). */
export const LAB_MIX_FILE = join(REPO_ROOT, 'docs', 'scenario-mix.yaml');

/** How often the services export spans while a lab runs: files are current a moment after the traffic ends. */
const EXPORT_DELAY_MS = 200;

/**
 * Waits until the span count has stopped growing (the last batches exported), at most `limitMs`:
 * two equal counts two export intervals apart, so at least one whole export cycle added nothing.
 */
async function spansSettled(dir: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  let last = -1;
  while (Date.now() < until) {
    const now = existsSync(dir) ? countExportedSpans(dir) : 0;
    if (now === last && now > 0) return;
    last = now;
    await sleep(EXPORT_DELAY_MS * 2);
  }
}

function serviceEnv(state: LabState): Record<string, string> {
  const env: Record<string, string> = { OTEL_BSP_SCHEDULE_DELAY: String(EXPORT_DELAY_MS) };
  // A strategies file named relative to the repository (the services run in their own folders).
  for (const [k, v] of Object.entries(state.env)) env[k] = k.endsWith('_FILE') ? resolve(REPO_ROOT, v) : v;
  return env;
}

export async function runLab(labDir: string): Promise<void> {
  const state = readState(labDir);
  if (!state) throw new Error(`no lab state in ${labDir}`);
  rmSync(state.tracesDir, { recursive: true, force: true });
  let system: RunningSystem | undefined;
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await system?.stop();
    updateState(labDir, { status: 'stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());

  try {
    system = await startSystem({
      ...(state.autoPorts ? { ports: 'auto' as const } : {}),
      scenario: revealScenario(state),
      redis: hasRedisServer() ? 'private' : 'memory',
      seedCustomers: 2000,
      tracesDir: state.tracesDir,
      logsDir: state.logsDir,
      env: serviceEnv(state),
    });
    if (stopping) return;
    updateState(labDir, { status: 'sending', gateway: system.urls.gateway });
    if (state.traffic) {
      const result = await runLoad({
        url: system.urls.gateway,
        mode: 'open',
        rate: state.traffic.rate,
        durationS: state.traffic.durationS,
        traceparent: state.traffic.traceparent ?? true,
        mix: loadMixFile(LAB_MIX_FILE),
        seed: 7,
        timeoutMs: 5000,
      });
      if (!state.otlpEndpoint) await spansSettled(state.tracesDir);
      else await sleep(EXPORT_DELAY_MS * 5);
      updateState(labDir, { status: 'ready', load: { sent: result.sent, ok: result.ok, statuses: result.statuses } });
    } else {
      updateState(labDir, { status: 'ready' });
    }
  } catch (err) {
    updateState(labDir, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
    await system?.stop();
    process.exit(1);
  }
  // The services are child processes of this one; this timer keeps the runner alive beside them.
  setInterval(() => undefined, 60_000);
}
