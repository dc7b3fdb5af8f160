import { FeatureStoreClient } from '@mltrace/feature-store/client';
import { InferenceClient } from '@mltrace/inference/client';
import { PostprocessClient } from '@mltrace/postprocess/client';
import type { GatewayDeps } from './deps';
import type { GatewayConfig } from './types';

/** The three service clients for the URLs in `config`; each call is bounded by the request deadline. */
export function createDeps(config: GatewayConfig): GatewayDeps {
  const timeoutMs = config.requestTimeoutMs;
  const featureStore = new FeatureStoreClient({ baseUrl: config.featureStoreUrl, timeoutMs });
  const inference = new InferenceClient({ baseUrl: config.inferenceUrl, timeoutMs });
  const postprocess = new PostprocessClient({ baseUrl: config.postprocessUrl, timeoutMs });
  return {
    featureStore,
    inference,
    postprocess,
    close: async () => {
      await Promise.all([featureStore.close(), inference.close(), postprocess.close()]);
    },
  };
}
