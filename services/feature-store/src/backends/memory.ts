import { setTimeout as sleep } from 'node:timers/promises';
import type { BackendStatus, FeatureBackend, LookupContext } from '../backend';

/** A fixed table in process memory: the embedded default when no Redis is configured. */
export class MemoryBackend implements FeatureBackend {
  readonly kind = 'memory' as const;
  private readonly index: ReadonlyMap<string, number>;

  constructor(
    featureNames: readonly string[],
    private readonly rows: ReadonlyMap<string, readonly number[]>,
  ) {
    this.index = new Map(featureNames.map((name, i) => [name, i]));
  }

  async lookup(entities: readonly string[], features: readonly string[], ctx: LookupContext = {}): Promise<(number[] | null)[]> {
    if (ctx.plantedLatencyMs) await sleep(ctx.plantedLatencyMs);
    if (ctx.plantedRoundTripMs) await sleep(ctx.plantedRoundTripMs);
    const columns = features.map((f) => {
      const i = this.index.get(f);
      if (i === undefined) throw new Error(`feature ${f} is not stored`);
      return i;
    });
    return entities.map((entity) => {
      const row = this.rows.get(entity);
      return row ? columns.map((i) => row[i] as number) : null;
    });
  }

  async status(): Promise<BackendStatus> {
    return { ok: true, detail: `in memory, ${this.rows.size} entities` };
  }

  async close(): Promise<void> {}
}
