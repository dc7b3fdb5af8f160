/** flaky-postprocess: every FLAKY_EVERY-th call fails (20 %), reproducibly, so tests need no randomness. */
export const FLAKY_EVERY = 5;

export function flakyCounter(): () => number | null {
  let n = 0;
  return () => {
    n += 1;
    return n % FLAKY_EVERY === 0 ? n : null;
  };
}
