import { FeatureStoreClient } from '@mltrace/feature-store/client';
import { InferenceClient } from '@mltrace/inference/client';
import { PostprocessClient } from '@mltrace/postprocess/client';
import type { GatewayDeps } from './deps';
import type { GatewayConfig } from './types';

/**
 * The three service clients for the URLs in `config`; each call is bounded by the request deadline,
 * and by a short wait for a free connection (a hung dependency must not queue calls past it).
 */
export function createDeps(config: GatewayConfig): GatewayDeps {
  const common = { timeoutMs: config.requestTimeoutMs, connections: config.dependencyConnections, queueTimeoutMs: config.dependencyQueueTimeoutMs };
  const featureStore = new FeatureStoreClient({ baseUrl: config.featureStoreUrl, ...common });
  const inference = new InferenceClient({ baseUrl: config.inferenceUrl, ...common });
  const postprocess = new PostprocessClient({ baseUrl: config.postprocessUrl, ...common });
  return {
    featureStore,
    inference,
    postprocess,
    close: async () => {
      await Promise.all([featureStore.close(), inference.close(), postprocess.close()]);
    },
  };
}
