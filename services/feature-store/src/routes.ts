import type { FastifyInstance } from 'fastify';
import { FEATURE_NAMES } from '@mltrace/dataset';
import { getMLContext, traceFeatureExtraction } from '@mltrace/tracing';
import type { FeatureBackend } from './backend';
import { BatchTooLargeError, NotReadyError, UnknownFeatureError } from './errors';
import { featuresBodySchema, featuresResponseSchema } from './schemas';
import type { FeatureStoreConfig, FeaturesRequest, FeaturesResponse } from './types';

const KNOWN_FEATURES: ReadonlySet<string> = new Set(FEATURE_NAMES);

export function registerRoutes(app: FastifyInstance, config: FeatureStoreConfig, backend: FeatureBackend): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async () => {
    const status = await backend.status();
    if (!status.ok) throw new NotReadyError(status.detail);
    return { status: 'ready', backend: backend.kind, featureVersion: config.featureVersion, detail: status.detail };
  });

  app.post<{ Body: FeaturesRequest }>(
    '/v1/features',
    { schema: { body: featuresBodySchema, response: { 200: featuresResponseSchema } } },
    async (request): Promise<FeaturesResponse> => {
      const { entities } = request.body;
      if (entities.length > config.maxBatchSize) throw new BatchTooLargeError(entities.length, config.maxBatchSize);
      const features = request.body.features ? [...new Set(request.body.features)] : [...FEATURE_NAMES];
      const unknown = features.filter((f) => !KNOWN_FEATURES.has(f));
      if (unknown.length > 0) throw new UnknownFeatureError(unknown.join(', '), FEATURE_NAMES.join(', '));

      const rows = await traceFeatureExtraction(
        { stage: 'feature_lookup', featureNames: features, featureVersion: config.featureVersion, entityCount: entities.length },
        () => backend.lookup(entities, features, { region: getMLContext().region }),
        (found) => ({ entityCount: found.length, missingCount: found.filter((r) => r === null).length }),
      );

      const response: FeaturesResponse = { featureVersion: config.featureVersion, features, vectors: [], missing: [] };
      rows.forEach((values, i) => {
        const entity = entities[i] as string;
        if (values) response.vectors.push({ entity, values });
        else response.missing.push(entity);
      });
      return response;
    },
  );
}
