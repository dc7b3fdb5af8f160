/**
 * A string pool so that the millions of repeated strings in a trace file (service and operation
 * names, attribute keys, short attribute values, trace ids shared by many spans) are stored once.
 * JSON.parse allocates a fresh string for every occurrence; swapping it for the pooled copy lets the
 * parsed copy be collected right away, so memory grows with distinct strings, not with spans.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();
  constructor(private readonly maxLength = 96, private readonly maxEntries = 1_000_000) {}

  /** The pooled copy of `s` (long strings and strings beyond the pool's capacity are returned as is). */
  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const hit = this.pool.get(s);
    if (hit !== undefined) return hit;
    if (this.pool.size >= this.maxEntries) return s;
    this.pool.set(s, s);
    return s;
  }

  get size(): number {
    return this.pool.size;
  }
}

/** The process-wide pool loaders use by default. */
export const defaultPool = new StringPool();

export function intern(s: string): string {
  return defaultPool.intern(s);
}
