/**
 * The running lab's state, one JSON file in the lab directory: written by the runner process
 * (which owns the system) and read by `mltrace lab start | stop | answer`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Traffic } from './labs';

export type LabStatus = 'starting' | 'sending' | 'ready' | 'failed' | 'stopped';

export interface LoadOutcome {
  sent: number;
  ok: number;
  statuses: Record<string, number>;
}

export interface LabState {
  lab: string;
  mystery: boolean;
  /**
   * The planted scenario, '' for none. A mystery's is stored reversed and base64-encoded: out of
   * sight (the learner is not meant to look), not secret.
   */
  scenario: string;
  traffic: Traffic | null;
  /** Extra environment for the services. */
  env: Record<string, string>;
  autoPorts: boolean;
  status: LabStatus;
  /** The runner process that owns the system. */
  pid?: number;
  gateway?: string;
  tracesDir: string;
  logsDir: string;
  /** Where the traces go when not to files (an OTLP endpoint). */
  otlpEndpoint?: string;
  load?: LoadOutcome;
  error?: string;
  startedAt: string;
}

export const statePath = (labDir: string): string => join(labDir, 'state.json');

export function readState(labDir: string): LabState | undefined {
  const file = statePath(labDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabState;
  } catch {
    // A state file being replaced is never half-written (rename below); an unreadable one is no lab.
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a reader never sees half a state. */
export function writeState(labDir: string, state: LabState): void {
  mkdirSync(labDir, { recursive: true });
  const tmp = `${statePath(labDir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, statePath(labDir));
}

export function updateState(labDir: string, patch: Partial<LabState>): LabState {
  const current = readState(labDir);
  if (!current) throw new Error(`the lab state in ${labDir} disappeared`);
  const next = { ...current, ...patch };
  writeState(labDir, next);
  return next;
}

export function hideScenario(name: string): string {
  return Buffer.from([...name].reverse().join(''), 'utf8').toString('base64');
}

export function revealScenario(state: LabState): string {
  return state.mystery ? [...Buffer.from(state.scenario, 'base64').toString('utf8')].reverse().join('') : state.scenario;
}

