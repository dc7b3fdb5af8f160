import { randomBytes } from 'node:crypto';
import { SYNTHETIC_BAGGAGE_KEY, SYNTHETIC_USER_AGENT_PREFIX } from '@mltrace/tracing/attributes';

/** Baggage member that marks load-test traffic; the tracing preload turns it into `user_agent.synthetic.type`. */
export { SYNTHETIC_BAGGAGE_KEY };

/** `user-agent` sent with every request: the tracing preload marks the server span it reaches as synthetic. */
export const LOADGEN_USER_AGENT = `${SYNTHETIC_USER_AGENT_PREFIX}0.1 (synthetic test traffic)`;

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
