import type { BenchOptions } from './types';

/** How many slices the closed-loop phase is cut into: about `sliceS` long each, at least one. */
export function sliceCount(opts: Pick<BenchOptions, 'closedS' | 'sliceS'>): number {
  return Math.max(1, Math.round(opts.closedS / opts.sliceS));
}
