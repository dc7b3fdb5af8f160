import type { AdaptiveRule } from './types';

export const ADAPTIVE_DEFAULTS = { minProbability: 0.001, maxProbability: 1, windowMs: 1000 } as const;

/** Weight of the newest window in the smoothed arrival rate: fast enough to follow a load step in a few windows, damped enough not to chase noise. */
const SMOOTHING = 0.5;

/**
 * Adjusts one operation's probability so that (arrival rate × p) approaches the
 * target traces per second. Each window it measures arrivals, smooths the rate
 * (EWMA) and sets p = target / rate, clamped to [min, max].
 */
export class AdaptiveController {
  private p: number;
  private readonly min: number;
  private readonly max: number;
  private readonly windowMs: number;
  private windowStart: number;
  private arrivals = 0;
  private rate: number | undefined;

  constructor(
    readonly rule: AdaptiveRule,
    private readonly clock: () => number,
  ) {
    this.min = rule.min_probability ?? ADAPTIVE_DEFAULTS.minProbability;
    this.max = rule.max_probability ?? ADAPTIVE_DEFAULTS.maxProbability;
    this.windowMs = rule.window_ms ?? ADAPTIVE_DEFAULTS.windowMs;
    this.p = this.clamp(rule.initial_probability ?? this.max);
    this.windowStart = clock();
  }

  /** Counts one arrival and returns the probability to apply to it. */
  arrive(): number {
    const now = this.clock();
    const elapsed = now - this.windowStart;
    if (elapsed >= this.windowMs) {
      const measured = (this.arrivals * 1000) / elapsed;
      this.rate = this.rate === undefined ? measured : SMOOTHING * measured + (1 - SMOOTHING) * this.rate;
      this.p = this.clamp(this.rate > 0 ? this.rule.target_traces_per_second / this.rate : this.max);
      this.windowStart = now;
      this.arrivals = 0;
    }
    this.arrivals += 1;
    return this.p;
  }

  get probability(): number {
    return this.p;
  }

  private clamp(p: number): number {
    return Math.min(this.max, Math.max(this.min, p));
  }
}
