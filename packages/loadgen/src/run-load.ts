import { LoadUsageError } from './errors';
import { DEFAULT_MIX, parseMix } from './mix';
import { startProgress } from './progress';
import { RequestFactory } from './requests';
import { closedLoop, openLoop } from './schedule';
import { Sender } from './sender';
import { Stats } from './stats';
import type { LoadOptions, LoadResult } from './types';

export const DEFAULTS = {
  mode: 'open',
  rate: 50,
  durationS: 10,
  connections: 64,
  maxOutstanding: 1000,
  timeoutMs: 10_000,
  seed: 1,
} as const;

// Hard bounds, whatever the options say: a load run always ends by itself.
const MAX_DURATION_S = 3600;
const MAX_RATE = 50_000;
const MAX_CONNECTIONS = 1024;
const MAX_REQUESTS = 10_000_000;

function targetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LoadUsageError(`--url ${JSON.stringify(raw)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LoadUsageError(`--url must be http(s), got ${url.protocol}`);
  if (url.pathname === '/' && !url.search) url.pathname = '/v1/predict';
  return url;
}

function bounded(name: string, value: number, min: number, max: number, integer = false): number {
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new LoadUsageError(`${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Runs one bounded load test against `opts.url` and returns its result. Throws LoadUsageError on bad options. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = targetUrl(opts.url);
  const mode = opts.mode ?? DEFAULTS.mode;
  if (mode !== 'open' && mode !== 'closed') throw new LoadUsageError(`--mode must be open or closed, got ${String(mode)}`);
  const rate = bounded('--rate', opts.rate ?? DEFAULTS.rate, 0.01, MAX_RATE);
  const durationS = bounded('--duration', opts.durationS ?? DEFAULTS.durationS, 0.01, MAX_DURATION_S);
  const connections = bounded('--connections', opts.connections ?? DEFAULTS.connections, 1, MAX_CONNECTIONS, true);
  const maxOutstanding = bounded('--max-outstanding', opts.maxOutstanding ?? DEFAULTS.maxOutstanding, 1, 100_000, true);
  const maxRequests = bounded('--max-requests', opts.maxRequests ?? MAX_REQUESTS, 1, MAX_REQUESTS, true);
  const timeoutMs = bounded('--timeout', opts.timeoutMs ?? DEFAULTS.timeoutMs, 1, 600_000);
  const seed = bounded('--seed', opts.seed ?? DEFAULTS.seed, 0, 2 ** 32 - 1, true);
  const mix = opts.mix ? parseMix(opts.mix, 'options.mix') : DEFAULT_MIX;

  const stats = new Stats();
  const factory = new RequestFactory(mix, seed, opts.syntheticType);
  const sender = new Sender(url, connections, timeoutMs, stats, opts.traceparent ?? true);
  const startedAt = new Date().toISOString();
  const openCount = Math.min(maxRequests, Math.max(1, Math.round(rate * durationS)));
  const stopProgress = startProgress(stats, mode === 'open' ? openCount : maxRequests === MAX_REQUESTS ? 0 : maxRequests, opts.progress ?? false);
  const ctx = { factory, sender, stats, ...(opts.signal ? { signal: opts.signal } : {}) };
  let timing;
  try {
    timing = mode === 'open' ? await openLoop(ctx, rate, openCount, maxOutstanding) : await closedLoop(ctx, connections, durationS * 1000, maxRequests);
  } finally {
    stopProgress();
    await sender.close();
  }
  const elapsedS = (performance.now() - timing.t0) / 1000;
  return {
    url: url.href,
    mode,
    seed,
    mix: mix.name ?? 'custom',
    startedAt,
    elapsedS: round(elapsedS),
    requested: { rate: mode === 'open' ? rate : null, durationS, connections, count: mode === 'open' ? openCount : maxRequests === MAX_REQUESTS ? null : maxRequests },
    sent: stats.sent,
    completed: stats.completed,
    dropped: stats.dropped,
    timeouts: stats.timeouts,
    connectionErrors: stats.connectionErrors,
    achievedRate: round(stats.sent / (timing.sendWindowMs / 1000)),
    throughput: round(stats.completed / elapsedS),
    ok: stats.ok,
    statuses: stats.statuses,
    errorCodes: stats.errorCodes,
    sentKinds: { valid: stats.sent - stats.invalidSent, invalid: stats.invalidSent, unknownEntities: stats.unknownEntities },
    latencyMs: stats.latency(),
  };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
