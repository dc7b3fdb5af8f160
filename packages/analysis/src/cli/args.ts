/** Parsing of option values shared by the commands (times, key=value pairs, numbers). */
import type { ExpectedEdge } from '../analyses/options';
import { UsageError } from './usage';

const UNITS: Record<string, number> = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6 };

/**
 * A point in time as µs since epoch: ISO 8601, epoch seconds/ms/µs by magnitude, or a duration
 * ago ("15m" = 15 minutes before now).
 */
export function parseTime(value: string, flag: string, now = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value);
  if (rel) return Math.round(now * 1000 - Number(rel[1]) * (UNITS[rel[2] as string] as number));
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1e11) return n * 1e6; // seconds
    if (n < 1e14) return n * 1e3; // milliseconds
    return n; // microseconds
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag}: cannot read "${value}" as a time (use ISO 8601, epoch ms, or a duration ago such as 15m)`);
  return t * 1000;
}

export function parseKeyValue(value: string, flag: string): { key: string; value: string } {
  const i = value.indexOf('=');
  if (i <= 0) throw new UsageError(`${flag}: expected KEY=VALUE, got "${value}"`);
  return { key: value.slice(0, i), value: value.slice(i + 1) };
}

export function parseCompare(value: string): { key: string; a: string; b: string } {
  const { key, value: rest } = parseKeyValue(value, '--compare');
  const parts = rest.split(',');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`--compare: expected KEY=A,B (two values), got "${value}"`);
  return { key, a: parts[0], b: parts[1] };
}

export function parseNumber(value: string | undefined, flag: string, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    throw new UsageError(`${flag}: expected ${opts.integer ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${value}"`);
  }
  return n;
}

/** `A->B` (every accepted request) or `A->B?` (only requests in which A called B). */
export function parseEdge(value: string): ExpectedEdge {
  const m = /^([^>]+?)\s*-?>\s*([^?]+?)\s*(\?)?$/.exec(value);
  if (!m) throw new UsageError(`--expect-edge: expected CALLER->CALLEE or CALLER->CALLEE?, got "${value}"`);
  return m[3] ? [m[1] as string, m[2] as string, 'called'] : [m[1] as string, m[2] as string];
}

export function parseFormat<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--format: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}
