import { mix32, mulberry32, normal, randomInt, type Random } from './prng';

/** The fixed feature order every service uses (feature store vectors, model input, load mixes). */
export const FEATURE_NAMES = [
  'tenure_months',
  'monthly_spend',
  'support_tickets',
  'logins_per_week',
  'days_since_last_login',
  'feature_usage_score',
  'payment_failures',
  'seats',
  'discount_pct',
  'nps_score',
  'contract_months_remaining',
  'avg_session_minutes',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

export const SEGMENTS = ['consumer', 'smb', 'enterprise', 'premium'] as const;
export const REGIONS = ['us-east', 'us-west', 'eu-west', 'ap-south'] as const;

export const DEFAULT_CUSTOMER_COUNT = 10_000;
export const DEFAULT_SEED = 42;

export interface Customer {
  id: string;
  segment: string;
  region: string;
  /** Values in FEATURE_NAMES order. */
  features: number[];
  /** 1 = churned. */
  label: 0 | 1;
}

export interface GenerateOptions {
  count?: number;
  seed?: number;
}

/** 1 -> 'cust-00001'. Indexes above 99999 simply get more digits. */
export function customerId(index: number): string {
  if (!Number.isInteger(index) || index < 1) throw new RangeError(`customer index must be a positive integer, got ${index}`);
  return `cust-${String(index).padStart(5, '0')}`;
}

// Segment mix: most customers are consumers; enterprise is rare but large.
const SEGMENT_WEIGHTS = [0.5, 0.25, 0.1, 0.15];
// Region mix: uneven on purpose so per-region slices differ in volume.
const REGION_WEIGHTS = [0.35, 0.25, 0.25, 0.15];

interface SegmentProfile {
  spend: number;
  seats: number;
  contract: number;
  churnBias: number;
}

const PROFILES: Record<(typeof SEGMENTS)[number], SegmentProfile> = {
  consumer: { spend: 35, seats: 1, contract: 1, churnBias: 0.35 },
  smb: { spend: 180, seats: 8, contract: 6, churnBias: 0 },
  enterprise: { spend: 2400, seats: 120, contract: 18, churnBias: -0.6 },
  premium: { spend: 95, seats: 2, contract: 12, churnBias: -0.3 },
};

function pick<T>(rand: Random, items: readonly T[], weights: readonly number[]): T {
  let r = rand();
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * One customer, from (seed, index) alone: any prefix of the data set is the
 * same regardless of `count`, so a service holding 1 000 customers and one
 * holding 20 000 agree on `cust-00042`.
 */
export function generateCustomer(index: number, seed: number = DEFAULT_SEED): Customer {
  const rand = mulberry32(mix32(seed, index));
  const segment = pick(rand, SEGMENTS, SEGMENT_WEIGHTS);
  const region = pick(rand, REGIONS, REGION_WEIGHTS);
  const p = PROFILES[segment];

  const tenure = clamp(Math.round(-Math.log(1 - rand()) * 24 + 1), 1, 120);
  const spend = round(p.spend * Math.exp(normal(rand, 0, 0.35)), 2);
  const engagement = rand(); // latent: drives logins, usage and sessions together
  const logins = round(clamp(normal(rand, 1 + engagement * 12, 1.5), 0, 30), 1);
  const daysSince = clamp(Math.round(-Math.log(1 - rand()) * (2 + (1 - engagement) * 25)), 0, 180);
  const usage = round(clamp(engagement * 0.8 + normal(rand, 0.1, 0.1), 0, 1), 3);
  const payFail = randomInt(rand, 10) < 8 ? 0 : 1 + randomInt(rand, 4);
  const seats = Math.max(1, Math.round(p.seats * Math.exp(normal(rand, 0, 0.5))));
  const discount = round(clamp(rand() < 0.6 ? 0 : rand() * 40, 0, 40), 1);
  const satisfaction = rand();
  const tickets = Math.max(0, Math.round(normal(rand, 1 + (1 - satisfaction) * 5, 1.2)));
  const nps = Math.round(clamp(normal(rand, -40 + satisfaction * 110, 15), -100, 100));
  const contractLeft = Math.max(0, Math.round(rand() * p.contract * 1.5 - p.contract * 0.3));
  const session = round(clamp(normal(rand, 5 + engagement * 35, 6), 0.5, 120), 1);

  // Churn risk: mostly monotone effects plus interactions a tree can find and
  // a linear model cannot (new customers with many tickets, out-of-contract
  // customers who stopped logging in).
  const score =
    -0.4 +
    p.churnBias -
    0.035 * Math.min(tenure, 60) +
    0.3 * tickets +
    0.7 * payFail -
    1.6 * usage +
    0.03 * daysSince -
    0.012 * nps -
    0.15 * Math.min(contractLeft, 12) -
    0.04 * discount +
    (tenure < 12 && tickets >= 4 ? 1.5 : 0) +
    (contractLeft === 0 && daysSince > 14 ? 1.2 : 0);
  const noisy = score + normal(rand, 0, 0.6);
  const label: 0 | 1 = rand() < sigmoid(noisy * 1.8) ? 1 : 0;

  return {
    id: customerId(index),
    segment,
    region,
    features: [tenure, spend, tickets, logins, daysSince, usage, payFail, seats, discount, nps, contractLeft, session],
    label,
  };
}

/** The data set: customers `cust-00001` … in index order. Deterministic for a given seed. */
export function generateCustomers(opts: GenerateOptions = {}): Customer[] {
  const count = opts.count ?? DEFAULT_CUSTOMER_COUNT;
  const seed = opts.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  const out = new Array<Customer>(count);
  for (let i = 0; i < count; i++) out[i] = generateCustomer(i + 1, seed);
  return out;
}
