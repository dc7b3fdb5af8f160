import { SCENARIOS } from '@mltrace/scenarios';

/** flaky-postprocess: every FLAKY_EVERY-th call fails, reproducibly, so tests need no randomness (the setting lives in @mltrace/scenarios). */
export const FLAKY_EVERY: number = SCENARIOS['flaky-postprocess'].settings.every;

export function flakyCounter(): () => number | null {
  let n = 0;
  return () => {
    n += 1;
    return n % FLAKY_EVERY === 0 ? n : null;
  };
}
