const SCALE = 2 ** 52;

/**
 * Decides "sampled at probability p" from the trace id alone, so every service
 * (and every process) reaches the same answer for one trace, and the traces
 * kept at a lower p are a subset of those kept at a higher p. Uses the last 13
 * hex digits (52 bits): W3C random trace ids keep their randomness in the
 * rightmost bytes, and 52 bits convert to a double exactly.
 */
export function traceIdRatioSampled(traceId: string, probability: number): boolean {
  if (probability >= 1) return true;
  if (!(probability > 0)) return false;
  const x = Number.parseInt(traceId.slice(-13), 16);
  return Number.isFinite(x) && x < probability * SCALE;
}
