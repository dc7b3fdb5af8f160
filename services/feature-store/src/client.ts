/**
 * Typed client for the feature store, for its callers (the gateway). Imports
 * only the shared client base and the contract types, never server code.
 */
import { ServiceClient, type CallOptions, type ServiceClientOptions } from '@mltrace/service-kit/client';
import type { FeaturesRequest, FeaturesResponse } from './types';

export type { FeaturesRequest, FeaturesResponse, FeatureVector, ErrorBody } from './types';
export { ENTITY_ID_PATTERN, ENTITY_ID_MAX_LENGTH, ENTITY_ID_SCHEMA, ENTITY_IDS_SCHEMA } from './entity-id';
export { DependencyError } from '@mltrace/service-kit/client';
export type { CallOptions, DependencyErrorKind } from '@mltrace/service-kit/client';

/** `baseUrl` e.g. http://127.0.0.1:8081. */
export type FeatureStoreClientOptions = ServiceClientOptions;

/** `ready()` is true when the service and its Redis answer. */
export class FeatureStoreClient extends ServiceClient {
  constructor(opts: FeatureStoreClientOptions) {
    super('feature-store', opts);
  }

  /** `POST /v1/features`: vectors for the entities found, plus the ones missing. */
  getFeatures(req: FeaturesRequest, opts: CallOptions = {}): Promise<FeaturesResponse> {
    return this.http.post<FeaturesResponse>('/v1/features', req, opts);
  }
}
