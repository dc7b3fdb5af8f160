/** Float credits added step by step (0.1 + 0.1 + …) fall a hair short of 1; this keeps 10/s at exactly 10/s. */
const EPSILON = 1e-9;

/**
 * Token bucket: `creditsPerSecond` refill, at most `maxBalance` saved up (so a
 * quiet minute does not buy a burst), starting with one credit so the first trace
 * after start is kept. Time comes from the injected millisecond clock.
 */
export class TokenBucket {
  private balance: number;
  private last: number;
  readonly maxBalance: number;

  constructor(
    readonly creditsPerSecond: number,
    private readonly clock: () => number,
    maxBalance = Math.max(creditsPerSecond, 1),
  ) {
    this.maxBalance = maxBalance;
    this.balance = creditsPerSecond > 0 ? Math.min(1, maxBalance) : 0;
    this.last = clock();
  }

  trySpend(cost = 1): boolean {
    const now = this.clock();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.balance = Math.min(this.maxBalance, this.balance + (elapsed * this.creditsPerSecond) / 1000);
    if (this.balance + EPSILON >= cost) {
      this.balance -= cost;
      return true;
    }
    return false;
  }
}

/**
 * Counts arrivals and kept traces per window, so a rate-limited decision can
 * carry the ratio it effectively applied (kept / arrived) for re-weighting.
 * Uses the last complete window; during the first window, the counts so far.
 */
export class RatioMeter {
  private windowStart: number;
  private arrivals = 0;
  private kept = 0;
  private prev: { arrivals: number; kept: number } | undefined;

  constructor(
    private readonly clock: () => number,
    private readonly windowMs = 1000,
  ) {
    this.windowStart = clock();
  }

  record(sampled: boolean): void {
    const now = this.clock();
    if (now - this.windowStart >= this.windowMs) {
      // A window with no traffic tells nothing about the ratio; keep the older one.
      if (this.arrivals > 0) this.prev = { arrivals: this.arrivals, kept: this.kept };
      this.arrivals = 0;
      this.kept = 0;
      this.windowStart = now - ((now - this.windowStart) % this.windowMs);
    }
    this.arrivals += 1;
    if (sampled) this.kept += 1;
  }

  /** kept / arrivals, or undefined before anything arrived. */
  ratio(): number | undefined {
    const w = this.prev ?? (this.arrivals > 0 ? { arrivals: this.arrivals, kept: this.kept } : undefined);
    return w ? w.kept / w.arrivals : undefined;
  }
}
