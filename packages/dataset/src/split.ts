import type { Customer } from './customers';
import { mix32 } from './prng';

export interface Split {
  train: Customer[];
  test: Customer[];
}

/**
 * Deterministic train/test split by hashing the customer id, so membership
 * does not depend on the data set size or order.
 */
export function trainTestSplit(customers: readonly Customer[], testFraction = 0.2, seed = 7): Split {
  const train: Customer[] = [];
  const test: Customer[] = [];
  const cut = Math.floor(testFraction * 4294967296);
  for (const c of customers) {
    const n = Number(c.id.slice(c.id.indexOf('-') + 1));
    (mix32(seed, n) < cut ? test : train).push(c);
  }
  return { train, test };
}
