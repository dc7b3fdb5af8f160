import { customerId, mulberry32, type Random } from '@mltrace/dataset';
import { customerCount } from './mix';
import { encodeBaggage, SYNTHETIC_BAGGAGE_KEY } from './trace-headers';
import type { Mix, Weights } from './types';

export type RequestKind = 'valid' | 'invalid';

/** One generated request: the body and the ML context it carries as baggage. */
export interface PlannedRequest {
  kind: RequestKind;
  body: string;
  baggage: string;
  unknownEntities: number;
}

type Picker = (rand: Random) => string;

function picker(w: Weights | undefined): Picker | null {
  if (!w) return null;
  const entries = Object.entries(w).filter(([, x]) => x > 0);
  const total = entries.reduce((s, [, x]) => s + x, 0);
  return (rand) => {
    let r = rand() * total;
    for (const [name, x] of entries) {
      r -= x;
      if (r < 0) return name;
    }
    return entries[entries.length - 1]![0];
  };
}

// Each kind is rejected by a different layer: schema validation, type checks, the model's input check, the JSON parser.
const INVALID_BODIES = [
  JSON.stringify({ entities: [] }),
  JSON.stringify({ entities: [42, null] }),
  JSON.stringify({ instances: [[1, 2, 3]] }),
  '{"entities": ["cust-00001"',
];

/**
 * Turns a mix into a deterministic stream of requests: the same seed and mix
 * give the same bodies and baggage in the same order.
 */
export class RequestFactory {
  private readonly rand: Random;
  private readonly customers: number;
  private readonly batch: Picker;
  private readonly version: Picker | null;
  private readonly arm: Picker | null;
  private readonly segment: Picker | null;
  private readonly region: Picker | null;
  private readonly priority: Picker | null;
  private readonly armVersion = new Map<string, string | undefined>();
  private invalidIndex = 0;

  constructor(
    private readonly mix: Mix,
    seed: number,
    private readonly syntheticType = 'test',
  ) {
    this.rand = mulberry32(seed);
    this.customers = customerCount(mix);
    this.batch = picker(mix.batchSizes) ?? (() => '1');
    this.version = picker(mix.modelVersions);
    const arms = mix.experiment?.arms;
    this.arm = arms ? picker(Object.fromEntries(arms.map((a) => [a.name, a.weight]))) : null;
    for (const a of arms ?? []) this.armVersion.set(a.name, a.modelVersion);
    this.segment = picker(mix.segments);
    this.region = picker(mix.regions);
    this.priority = picker(mix.priorities);
  }

  next(): PlannedRequest {
    const r = this.rand;
    const members: Record<string, string> = { ...this.mix.baggage };
    let version = this.version?.(r);
    if (this.arm && this.mix.experiment) {
      const arm = this.arm(r);
      members['experiment_id'] = this.mix.experiment.id;
      members['experiment_arm'] = arm;
      version = this.armVersion.get(arm) ?? version;
    }
    if (version) members['model_version'] = version;
    const segment = this.segment?.(r);
    if (segment) members['customer_segment'] = segment;
    const region = this.region?.(r);
    if (region) members['region'] = region;
    const priority = this.priority?.(r);
    if (priority) members['priority'] = priority;
    members[SYNTHETIC_BAGGAGE_KEY] = this.syntheticType;
    const baggage = encodeBaggage(members);

    if (r() < (this.mix.invalidFraction ?? 0)) {
      const body = INVALID_BODIES[this.invalidIndex++ % INVALID_BODIES.length]!;
      return { kind: 'invalid', body, baggage, unknownEntities: 0 };
    }
    const size = Number(this.batch(r));
    const entities: string[] = [];
    let unknown = 0;
    for (let i = 0; i < size; i++) {
      if (r() < (this.mix.unknownEntityFraction ?? 0)) {
        // Well-formed ids past the end of the data set: valid requests for customers that do not exist.
        entities.push(customerId(this.customers + 1 + Math.floor(r() * 1000)));
        unknown++;
      } else {
        entities.push(customerId(1 + Math.floor(r() * this.customers)));
      }
    }
    return { kind: 'valid', body: JSON.stringify({ entities }), baggage, unknownEntities: unknown };
  }
}

