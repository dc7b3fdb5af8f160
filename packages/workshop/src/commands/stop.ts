import { isAlive, sleep } from '@mltrace/stack';
import type { WorkshopConfig } from '../config';
import { readState, updateState } from '../state';
import { EXIT_OK } from '../usage';
import { shown } from '../shown';

/** The runner stops the system (gateway first, spans flushed) before it exits. */
const STOP_TIMEOUT_MS = 60_000;

/** SIGTERM to the lab runner, then waits for it to exit. */
export async function stopLab(labDir: string): Promise<boolean> {
  const state = readState(labDir);
  if (!state || !isAlive(state.pid)) return false;
  process.kill(state.pid as number, 'SIGTERM');
  const until = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(state.pid) && Date.now() < until) await sleep(200);
  if (isAlive(state.pid)) {
    process.kill(state.pid as number, 'SIGKILL');
    updateState(labDir, { status: 'stopped', error: `the lab runner did not stop within ${STOP_TIMEOUT_MS / 1000} s and was killed` });
  }
  return true;
}

export async function runStop(argv: string[], config: WorkshopConfig, out: (text: string) => void): Promise<number> {
  if (argv.length > 0) out(`(ignoring ${argv.join(' ')})`);
  const state = readState(config.labDir);
  if (!(await stopLab(config.labDir)) || !state) {
    out('no lab is running.');
    return EXIT_OK;
  }
  const name = state.mystery ? 'the mystery' : `lab ${state.lab}`;
  out(`stopped ${name}.${state.otlpEndpoint ? '' : ` Its traces stay in ${shown(state.tracesDir)}/.`}`);
  return EXIT_OK;
}
