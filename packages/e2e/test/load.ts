// A small closed-loop load for the fault tests: N workers posting to the gateway for a while,
// each answer recorded with its latency, status and error code.

export interface Sample {
  /** ms since the load started. */
  at: number;
  ms: number;
  /** 0: no answer (the cause is in `error`). */
  status: number;
  code?: string;
  message?: string;
  error?: string;
}

export interface LoadOptions {
  url: string;
  body: unknown;
  baggage?: string;
  concurrency: number;
  /** Runs until this resolves (or `durationMs` passes). */
  until?: Promise<unknown>;
  durationMs?: number;
  /** Bound on one request; default 10 s. */
  timeoutMs?: number;
  /**
   * Each worker starts its requests at least this far apart (default 0: back to back). A client
   * that retries at once on a fast 503 floods the CPU; real ones pace themselves.
   */
  minIntervalMs?: number;
}

/** Runs the load; resolves with every sample once all workers have stopped. */
export async function runLoad(opts: LoadOptions): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = performance.now();
  let done = false;
  const timer = opts.durationMs !== undefined ? setTimeout(() => (done = true), opts.durationMs) : undefined;
  void opts.until?.finally(() => (done = true));
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.baggage ? { baggage: opts.baggage } : {}) };
  const payload = JSON.stringify(opts.body);
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (!done) {
        const t0 = performance.now();
        const sample: Sample = { at: t0 - started, ms: 0, status: 0 };
        try {
          const res = await fetch(opts.url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
          sample.status = res.status;
          const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
          if (body.code) sample.code = body.code;
          if (body.message && res.status >= 400) sample.message = body.message;
        } catch (err) {
          const cause = (err as { cause?: { code?: string } }).cause;
          sample.error = cause?.code ?? (err as Error).name;
          // Nothing to answer: do not spin on a refused connection.
          await new Promise((r) => setTimeout(r, 5));
        }
        sample.ms = performance.now() - t0;
        samples.push(sample);
        const rest = (opts.minIntervalMs ?? 0) - sample.ms;
        if (rest > 0 && !done) await new Promise((r) => setTimeout(r, rest));
      }
    }),
  );
  clearTimeout(timer);
  return samples;
}

/** The q-quantile (0..1) of `values`; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** "n=…, p50=… ms, max=… ms" for a report line. */
export function figures(samples: readonly Sample[]): string {
  const ms = samples.map((s) => s.ms);
  return `n=${samples.length}, p50=${quantile(ms, 0.5).toFixed(1)} ms, p99=${quantile(ms, 0.99).toFixed(1)} ms, max=${Math.max(...ms).toFixed(1)} ms`;
}

/** Counts by `status code` (or error) for a report line. */
export function outcomes(samples: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const s of samples) {
    const key = s.status ? `${s.status}${s.code ? ` ${s.code}` : ''}` : `no answer ${s.error}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}×${n}`).join(', ');
}
