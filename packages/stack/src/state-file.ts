import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServiceName } from './paths';
import { isAlive } from './process';

/**
 * What `npm start` writes to `<stack dir>/stack.json` once the system is up, and removes when it
 * has stopped: how another command (the demo) finds a system started on auto ports.
 */
export interface StackState {
  /** The `npm start` process (the launcher); the state holds only while it lives. */
  pid: number;
  urls: Record<ServiceName, string>;
  tracesDir: string;
  logsDir: string;
  scenario?: string;
  startedAt: string;
}

export function stackStateFile(stackDir: string): string {
  return join(stackDir, 'stack.json');
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeStackState(file: string, state: StackState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The state in `file` when its launcher is still alive; undefined when absent, unreadable or stale. */
export function readRunningStack(file: string): StackState | undefined {
  let state: StackState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(state.pid) || typeof state.urls?.gateway !== 'string' || !isAlive(state.pid)) return undefined;
  return state;
}

/** Removes `file` if it still describes the launcher `pid` (a newer launcher's file stays). */
export function removeStackState(file: string, pid: number): void {
  try {
    if ((JSON.parse(readFileSync(file, 'utf8')) as StackState).pid !== pid) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}
