/** What the route needs from a feature source; Redis is the real one, memory the embedded default. */

export interface LookupContext {
  /** The request's `region` baggage member, used by the hot-partition scenario. */
  region?: string | undefined;
  /**
   * Latency planted by a scenario, spent inside the store access (within its client span, where
   * a slow Redis would show), not before it.
   */
  plantedLatencyMs?: number;
  /**
   * n-plus-one: the time each single-entity round trip pays inside its own `hmget` client span,
   * as a Redis across a network would.
   */
  plantedRoundTripMs?: number;
}

export interface BackendStatus {
  ok: boolean;
  detail: string;
}

export interface FeatureBackend {
  readonly kind: 'redis' | 'memory';
  /**
   * One row per entity, in the order given: the values of `features` in that
   * order, or null when the entity has no (complete) record.
   */
  lookup(entities: readonly string[], features: readonly string[], ctx?: LookupContext): Promise<(number[] | null)[]>;
  status(): Promise<BackendStatus>;
  close(): Promise<void>;
}
