import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { LOADGEN_USER_AGENT, newTraceparent } from './trace-headers';
import type { PlannedRequest } from './requests';
import type { Stats } from './stats';

/** Sends one planned request at a time over a keep-alive pool to exactly one URL, recording outcomes in `stats`. */
export class Sender {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    url: URL,
    connections: number,
    private readonly timeoutMs: number,
    private readonly stats: Stats,
    private readonly traceparent = true,
  ) {
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // Timeouts are ours (one deadline per request); undici's per-phase ones would only fire later.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  /**
   * Sends `req` and resolves when its response body has been read (never rejects).
   * `startMs` (performance.now() clock) is when the request counts as sent: the scheduled
   * time in open loop, so queueing behind a stalled server shows up as latency.
   */
  async send(req: PlannedRequest, startMs: number): Promise<void> {
    const stats = this.stats;
    stats.sent++;
    if (req.kind === 'invalid') stats.invalidSent++;
    stats.unknownEntities += req.unknownEntities;
    const ac = new AbortController();
    let timedOut = false;
    const remaining = Math.max(1, this.timeoutMs - (performance.now() - startMs));
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort();
    }, remaining);
    try {
      const res = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': LOADGEN_USER_AGENT,
          ...(this.traceparent ? { traceparent: newTraceparent() } : {}),
          baggage: req.baggage,
        },
        body: req.body,
        signal: ac.signal,
      });
      let code: string | undefined;
      if (res.statusCode >= 400) {
        code = errorCode(await res.body.text());
      } else {
        await res.body.dump();
      }
      stats.recordResponse(res.statusCode, performance.now() - startMs, code);
    } catch (err) {
      stats.recordFailure(timedOut, timedOut ? 'TIMEOUT' : ((err as { code?: string }).code ?? (err as Error).name));
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

function errorCode(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}
