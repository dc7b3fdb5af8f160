import { customerId, DEFAULT_CUSTOMER_COUNT, generateCustomer, mulberry32, REGIONS, SEGMENTS } from '@mltrace/dataset';

/** One request of the demo: what to send and what kind of answer it is meant to provoke. */
export interface DemoRequest {
  kind: 'entities' | 'instances' | 'unknown-entities' | 'partly-unknown' | 'invalid' | 'unknown-model';
  body: unknown;
  baggage: Record<string, string>;
}

const PRIORITIES = ['low', 'normal', 'high'] as const;
const VERSIONS = ['v1', 'v2'] as const;

/**
 * A varied, reproducible batch: both model versions (set in baggage, or left to the gateway's
 * A/B assignment), every segment and region, raw feature vectors, unknown customers, invalid bodies.
 */
export function demoPlan(opts: { count?: number; seed?: number; maxBatch?: number } = {}): DemoRequest[] {
  const count = opts.count ?? 80;
  const rand = mulberry32(opts.seed ?? 7);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const customers = (n: number) => Array.from({ length: n }, () => customerId(1 + int(DEFAULT_CUSTOMER_COUNT)));
  const context = (i: number): Record<string, string> => {
    const c: Record<string, string> = {
      customer_segment: SEGMENTS[i % SEGMENTS.length] as string,
      region: pick(REGIONS),
      priority: pick(PRIORITIES),
      product_area: 'retention',
      data_batch_id: `demo-${Math.floor(i / 20)}`,
    };
    // Every third request leaves the version to the gateway's experiment assignment.
    if (i % 3 !== 2) c.model_version = VERSIONS[i % 2] as string;
    return c;
  };
  const invalid: unknown[] = [
    {},
    { entities: [] },
    { entities: [42] },
    { entities: ['cust-00001'], instances: [[1]] },
    { instances: [[1, 2, 3]] },
    { entities: customers((opts.maxBatch ?? 64) + 1) },
  ];
  const plan: DemoRequest[] = [];
  for (let i = 0; i < count; i++) {
    const baggage = context(i);
    const slot = i % 10;
    if (slot === 9 && i % 20 === 9) {
      plan.push({ kind: 'invalid', body: invalid[Math.floor(i / 20) % invalid.length] ?? {}, baggage });
    } else if (slot === 9) {
      plan.push({ kind: 'unknown-model', body: { entities: customers(2) }, baggage: { ...baggage, model_version: 'v9' } });
    } else if (slot === 7) {
      plan.push({ kind: 'instances', body: { instances: Array.from({ length: 1 + int(4) }, () => generateCustomer(1 + int(DEFAULT_CUSTOMER_COUNT)).features) }, baggage });
    } else if (slot === 8 && i % 20 === 8) {
      plan.push({ kind: 'unknown-entities', body: { entities: [`cust-9${String(int(1e6)).padStart(6, '0')}`] }, baggage });
    } else if (slot === 8) {
      plan.push({ kind: 'partly-unknown', body: { entities: [...customers(2), 'cust-does-not-exist'] }, baggage });
    } else {
      plan.push({ kind: 'entities', body: { entities: customers(1 + int(8)) }, baggage });
    }
  }
  // The invalid bodies not reached by the slots above still get sent once each.
  for (const body of invalid.slice(Math.ceil(count / 20))) plan.push({ kind: 'invalid', body, baggage: context(plan.length) });
  return plan;
}
