/**
 * Small, fast, seedable PRNGs. `Math.random` cannot be seeded, and the data set
 * must be byte-for-byte identical on every machine, so we carry our own.
 */

/** splitmix32-style integer hash: turns (seed, index) into a well-mixed 32-bit state. */
export function mix32(a: number, b = 0): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(b, 0xc2b2ae35)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform [0, 1) generator. */
export type Random = () => number;

/** mulberry32: 32-bit state, good enough statistical quality for synthetic data and bootstraps. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draw (Box–Muller; one value per call keeps the stream position simple). */
export function normal(rand: Random, mean = 0, sd = 1): number {
  const u = 1 - rand(); // (0, 1]: log(0) would be -Infinity
  const v = rand();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Integer in [0, n). */
export function randomInt(rand: Random, n: number): number {
  return Math.floor(rand() * n);
}
