import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Span } from '../src/model';

/** Repo root from dist/test. */
export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
export const REFERENCE = join(REPO_ROOT, '..', 'shared', 'reference');

export function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listJson(full));
    else if (name.endsWith('.json')) out.push(full);
  }
  return out;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

let counter = 0;

/** A model span with defaults, for hand-made traces. */
export function makeSpan(partial: Partial<Span> & { spanId: string; start: number; duration: number }): Span {
  return {
    traceId: 'trace-1',
    parentSpanId: undefined,
    references: [],
    name: `op-${counter++}`,
    service: 'svc',
    kind: 'unspecified',
    status: 'unset',
    attributes: {},
    resource: {},
    events: [],
    ...partial,
  };
}
