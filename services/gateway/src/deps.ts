/**
 * What the gateway needs from its three dependencies: the methods of their typed clients
 * (`@mltrace/<service>/client`), narrowed to the calls it makes, so tests can pass clients
 * pointed at any server. The request and response types are the callees' own.
 */
import type { FeatureStoreClient } from '@mltrace/feature-store/client';
import type { InferenceClient } from '@mltrace/inference/client';
import type { PostprocessClient } from '@mltrace/postprocess/client';

export type { CallOptions, FeaturesRequest, FeaturesResponse } from '@mltrace/feature-store/client';
export type { InferRequest, InferResponse } from '@mltrace/inference/client';
export type { PostprocessRequest, PostprocessResponse, Decision } from '@mltrace/postprocess/client';

export interface GatewayDeps {
  featureStore: Pick<FeatureStoreClient, 'getFeatures'>;
  inference: Pick<InferenceClient, 'infer'>;
  postprocess: Pick<PostprocessClient, 'postprocess'>;
  /** Releases connection pools; called when the app closes. */
  close?(): Promise<void>;
}
