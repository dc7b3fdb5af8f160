/** Public types of the feature store: configuration and the HTTP contract. */
import type { ScenarioOf } from '@mltrace/scenarios';

export type FeatureStoreScenario = ScenarioOf<'feature-store'>;

export interface FeatureStoreConfig {
  host: string;
  port: number;
  /** Unset → the in-memory backend seeded from @mltrace/dataset. */
  redisUrl: string | null;
  featureVersion: string;
  redisCommandTimeoutMs: number;
  redisConnectTimeoutMs: number;
  maxBatchSize: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  logLevel: string;
  scenario: FeatureStoreScenario | null;
  /** Size of the in-memory data set; null → the data set's default. */
  memoryCustomerCount: number | null;
  /** Problems found while reading the environment, logged once at start. */
  warnings: string[];
}

export interface SeedConfig {
  redisUrl: string | null;
  featureVersion: string;
  customerCount: number | null;
  chunkSize: number;
  warnings: string[];
}

/** `POST /v1/features` body. */
export interface FeaturesRequest {
  /** 1..256 entity ids such as `cust-00042`. */
  entities: string[];
  /** A subset of the feature names, in the order wanted; default: all, in FEATURE_NAMES order. */
  features?: string[];
}

export interface FeatureVector {
  entity: string;
  /** One value per name in `FeaturesResponse.features`, same order. */
  values: number[];
}

/** `POST /v1/features` response. */
export interface FeaturesResponse {
  featureVersion: string;
  features: string[];
  /** Found entities, in request order. */
  vectors: FeatureVector[];
  /** Entities with no stored features, in request order. */
  missing: string[];
}

/** The JSON error body every route returns (fastify's shape, shared by every mltrace service). */
export type { ErrorBody } from '@mltrace/service-kit/client';
