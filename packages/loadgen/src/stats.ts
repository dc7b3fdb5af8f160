import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from './types';

/** Counters and the latency histogram of one run. Latencies are recorded in microseconds. */
export class Stats {
  readonly histogram: Histogram = build({ numberOfSignificantValueDigits: 3, useWebAssembly: false });
  sent = 0;
  completed = 0;
  dropped = 0;
  timeouts = 0;
  connectionErrors = 0;
  ok = 0;
  invalidSent = 0;
  unknownEntities = 0;
  readonly statuses: Record<string, number> = {};
  readonly errorCodes: Record<string, number> = {};

  recordResponse(status: number, latencyMs: number, errorCode?: string): void {
    this.completed++;
    if (status >= 200 && status < 300) this.ok++;
    bump(this.statuses, String(status));
    if (errorCode) bump(this.errorCodes, errorCode);
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
  }

  recordFailure(timedOut: boolean, code: string): void {
    if (timedOut) this.timeouts++;
    else this.connectionErrors++;
    bump(this.errorCodes, code);
  }

  /** Errors so far: non-2xx responses, timeouts and transport failures. */
  get errors(): number {
    return this.completed - this.ok + this.timeouts + this.connectionErrors;
  }

  /** HDR reports a bucket's highest equivalent value; clamp so no percentile exceeds the exact max. */
  percentileMs(p: number): number {
    const h = this.histogram;
    return h.totalCount ? Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000 : 0;
  }

  latency(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    if (!h.totalCount) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      mean: ms(h.mean),
      p50: ms(this.percentileMs(50) * 1000),
      p90: ms(this.percentileMs(90) * 1000),
      p99: ms(this.percentileMs(99) * 1000),
      p999: ms(this.percentileMs(99.9) * 1000),
      max: ms(h.maxValue),
    };
  }
}

function bump(map: Record<string, number>, key: string): void {
  map[key] = (map[key] ?? 0) + 1;
}
