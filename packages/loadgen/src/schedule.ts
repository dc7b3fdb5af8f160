import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestFactory } from './requests';
import type { Sender } from './sender';
import type { Stats } from './stats';

export interface LoopContext {
  factory: RequestFactory;
  sender: Sender;
  stats: Stats;
  signal?: AbortSignal;
}

export interface LoopTiming {
  /** performance.now() at the first send. */
  t0: number;
  /** Length of the send window (ms): schedule length (open) or time until the last send began (closed). */
  sendWindowMs: number;
}

/**
 * Open loop: request i is due at t0 + i/rate and goes out then whether or not
 * earlier ones have answered; its latency counts from that due time (the
 * coordinated-omission correction). A request due while `maxOutstanding` are in
 * flight is not sent and is counted as dropped.
 */
export async function openLoop(ctx: LoopContext, rate: number, count: number, maxOutstanding: number): Promise<LoopTiming> {
  const interval = 1000 / rate;
  const inFlight = new Set<Promise<void>>();
  const t0 = performance.now() + 5;
  let i = 0;
  let lastSend = t0;
  for (; i < count; i++) {
    if (ctx.signal?.aborted) break;
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait >= 1) await sleep(wait);
    else if (i % 64 === 63) await new Promise<void>((r) => setImmediate(r)); // behind schedule: still let responses in
    const req = ctx.factory.next();
    if (inFlight.size >= maxOutstanding) {
      ctx.stats.dropped++;
      continue;
    }
    lastSend = performance.now();
    const p = ctx.sender.send(req, due).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  // A loop that fell behind its schedule sent over a longer window than planned: achieved rate says so.
  const sendWindowMs = Math.max(i * interval, lastSend - t0 + interval);
  await Promise.all(inFlight);
  return { t0, sendWindowMs };
}

/** Closed loop: `connections` workers, each sending its next request as soon as the previous one answered. */
export async function closedLoop(ctx: LoopContext, connections: number, durationMs: number, maxRequests: number): Promise<LoopTiming> {
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  let claimed = 0;
  let lastStart = t0;
  const worker = async () => {
    while (claimed < maxRequests && !ctx.signal?.aborted) {
      const start = performance.now();
      if (start >= deadline) return;
      claimed++;
      lastStart = start;
      await ctx.sender.send(ctx.factory.next(), start);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { t0, sendWindowMs: Math.max(1, lastStart - t0) };
}
