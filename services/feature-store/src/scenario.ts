import { setTimeout as sleep } from 'node:timers/promises';
import type { FeatureBackend, LookupContext } from './backend';
import { SCENARIOS } from '@mltrace/scenarios';
import type { FeatureStoreScenario } from './types';

// The settings live in @mltrace/scenarios' table; these names are what the tests read.
/** slow-features: this share of lookups spends SLOW_FEATURES_DELAY_MS more inside the Redis access. */
export const SLOW_FEATURES_FRACTION = SCENARIOS['slow-features'].settings.fraction;
export const SLOW_FEATURES_DELAY_MS = SCENARIOS['slow-features'].settings.delayMs;
/** hot-partition: lookups for this region pay HOT_PARTITION_DELAY_MS before the Redis access. */
export const HOT_PARTITION_REGION = SCENARIOS['hot-partition'].settings.region;
export const HOT_PARTITION_DELAY_MS = SCENARIOS['hot-partition'].settings.delayMs;
/** n-plus-one: what each per-entity round trip pays inside its Redis span (a network's round trip). */
export const N_PLUS_ONE_ROUND_TRIP_MS = SCENARIOS['n-plus-one'].settings.roundTripMs;

/**
 * Picks exactly `fraction` of calls, spread evenly and reproducibly
 * (call n is picked when floor(n·f) steps up), so tests need no randomness.
 */
export function fractionPicker(fraction: number): () => boolean {
  let n = 0;
  return () => {
    n += 1;
    return Math.floor(n * fraction) > Math.floor((n - 1) * fraction);
  };
}

/**
 * Plants a fault scenario around a real backend, so the Redis calls the
 * traces show are genuine (n-plus-one really sends one round trip per entity).
 */
export class ScenarioBackend implements FeatureBackend {
  private readonly pickSlow = fractionPicker(SLOW_FEATURES_FRACTION);

  constructor(
    private readonly inner: FeatureBackend,
    readonly scenario: FeatureStoreScenario,
  ) {}

  get kind(): FeatureBackend['kind'] {
    return this.inner.kind;
  }

  async lookup(entities: readonly string[], features: readonly string[], ctx: LookupContext = {}): Promise<(number[] | null)[]> {
    switch (this.scenario) {
      case 'slow-features':
        // The inner backend spends it within its Redis client span (see LookupContext).
        return this.inner.lookup(entities, features, this.pickSlow() ? { ...ctx, plantedLatencyMs: SLOW_FEATURES_DELAY_MS } : ctx);
      case 'hot-partition':
        if (ctx.region === HOT_PARTITION_REGION) await sleep(HOT_PARTITION_DELAY_MS);
        return this.inner.lookup(entities, features, ctx);
      case 'n-plus-one': {
        const rows: (number[] | null)[] = [];
        for (const entity of entities) {
          const [row] = await this.inner.lookup([entity], features, { ...ctx, plantedRoundTripMs: N_PLUS_ONE_ROUND_TRIP_MS });
          rows.push(row ?? null);
        }
        return rows;
      }
    }
  }

  status(): ReturnType<FeatureBackend['status']> {
    return this.inner.status();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
