import { join } from 'node:path';
import { generateCustomers } from '@mltrace/dataset';
import { loadConfig } from '../src/config';
import type { InferenceConfig } from '../src/types';

/** The committed models (dist/test → package root → models). */
export const MODEL_DIR = join(__dirname, '..', '..', 'models');

/** Config as the service would read it from an empty environment, plus overrides. */
export function testConfig(overrides: Partial<InferenceConfig> = {}): InferenceConfig {
  return { ...loadConfig({ MODEL_DIR, LOG_LEVEL: 'silent' }), ...overrides };
}

/** Real feature rows of the synthetic customers. */
export function rows(n: number): number[][] {
  return generateCustomers({ count: n }).map((c) => c.features);
}
