import type { FastifyInstance } from 'fastify';
import { acceptBaggage, callerBaggage } from './baggage';
import type { GatewayDeps } from './deps';
import { GwBatchTooLargeError, GwNotReadyError } from './errors';
import { predict } from './pipeline';
import { unreadyDependencies } from './readiness';
import { formatSchemaErrors, predictBodySchema } from './schemas';
import type { GatewayConfig, PredictRequest, PredictResponse } from './types';

export function registerRoutes(app: FastifyInstance, config: GatewayConfig, deps: GatewayDeps): void {
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async () => {
    const unready = await unreadyDependencies(config);
    if (unready.length > 0) throw new GwNotReadyError(unready.join(', '));
    return { status: 'ready' };
  });

  app.post<{ Body: PredictRequest }>(
    '/v1/predict',
    { schema: { body: predictBodySchema }, schemaErrorFormatter: formatSchemaErrors },
    async (request): Promise<PredictResponse> => {
      const field = request.body.entities ? 'entities' : 'instances';
      const size = (request.body.entities ?? request.body.instances ?? []).length;
      if (size > config.maxBatchSize) throw new GwBatchTooLargeError(field, size, config.maxBatchSize);
      const { ml, baggage } = acceptBaggage(callerBaggage(request.headers));
      const result = await predict(request.body, { config, deps, log: request.log, traceId: request.identity.traceId, ml, baggage });
      return { ...result, request_id: request.identity.traceId };
    },
  );
}
