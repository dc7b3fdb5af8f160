import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@mltrace/stack';

/** What `npm run jaeger -- --detach` records in `.mltrace/jaeger/state.json`: its pid and where it listens. */
export interface DetachedJaeger {
  pid: number;
  otlpHttpUrl: string;
  otlpGrpcUrl: string;
  queryUrl: string;
  samplingUrl: string;
}

/** The background Jaeger's folder under `dir`: its state file and its log. */
export function detachedJaegerDir(dir: string): string {
  return join(dir, '.mltrace', 'jaeger');
}

/** Where the background Jaeger started from `dir` records its DetachedJaeger state. */
export function detachedJaegerStateFile(dir: string): string {
  return join(detachedJaegerDir(dir), 'state.json');
}

/** The background Jaeger started from `dir`, if it still runs. */
export function runningDetachedJaeger(dir: string): DetachedJaeger | undefined {
  const file = detachedJaegerStateFile(dir);
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as DetachedJaeger;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined; // being written, or not ours
  }
}
