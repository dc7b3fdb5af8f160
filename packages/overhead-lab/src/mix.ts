import type { Mix } from '@mltrace/loadgen';

/**
 * The lab's request mix: every request carries the full ML context (model version via an
 * experiment arm, segment, region, priority, data batch, product area) so the traced
 * configurations pay for every ML attribute; no invalid requests, so every configuration
 * does the same work per request.
 */
export function benchMix(customers: number): Mix {
  return {
    name: 'overhead',
    customers,
    batchSizes: { '1': 2, '4': 2, '16': 1 },
    experiment: {
      id: 'churn-model-ab',
      arms: [
        { name: 'control', weight: 1, modelVersion: 'v1' },
        { name: 'treatment', weight: 1, modelVersion: 'v2' },
      ],
    },
    segments: { consumer: 4, smb: 3, enterprise: 2, premium: 1 },
    regions: { 'us-east': 3, 'us-west': 2, 'eu-west': 2, 'ap-south': 1 },
    priorities: { normal: 8, high: 2 },
    baggage: { data_batch_id: 'bench-batch-1', product_area: 'retention' },
    invalidFraction: 0,
    unknownEntityFraction: 0,
  };
}
