import type { ForestParams } from './forest';

export const MODEL_NAME = 'churn-forest';

export interface ModelSpec {
  version: string;
  description: string;
  params: ForestParams;
}

/**
 * The versions the service ships. v1 is small and fast; v2 is larger, slower
 * and more accurate, so A/B traffic shows real latency and confidence gaps.
 */
export const MODEL_SPECS: readonly ModelSpec[] = [
  { version: 'v1', description: 'small: 20 shallow trees', params: { trees: 20, maxDepth: 5, minSamplesLeaf: 20, seed: 1001 } },
  { version: 'v2', description: 'large: 150 deeper trees', params: { trees: 150, maxDepth: 10, minSamplesLeaf: 8, seed: 2002 } },
];

/** Data set used for training and evaluation (fixed so the exported files are reproducible). */
export const TRAINING_DATA = { count: 10_000, seed: 42, testFraction: 0.2, splitSeed: 7 } as const;
