import { randomBytes } from 'node:crypto';

/** Baggage member that marks load-test traffic; mapped to `user_agent.synthetic.type` by the tracing preload. */
export const SYNTHETIC_BAGGAGE_KEY = 'synthetic_type';

/** `user-agent` sent with every request, so http instrumentation records the client as the load generator. */
export const LOADGEN_USER_AGENT = 'mltrace-loadgen/0.1 (synthetic test traffic)';

/**
 * A fresh, sampled W3C traceparent. Ids come from the OS RNG, not the mix seed:
 * two runs with the same seed must still produce distinct traces.
 */
export function newTraceparent(): string {
  const bytes = randomBytes(24);
  return `00-${bytes.toString('hex', 0, 16)}-${bytes.toString('hex', 16, 24)}-01`;
}

/** Serializes baggage members (W3C baggage: values percent-encoded). */
export function encodeBaggage(members: Record<string, string>): string {
  return Object.entries(members)
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join(',');
}
