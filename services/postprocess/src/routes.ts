import type { FastifyInstance } from 'fastify';
import { ATTR_BUSINESS_CUSTOMER_SEGMENT, getMLContext, traceDataProcessing } from '@mltrace/tracing';
import { checkOutputs, decide, thresholdFor } from './decide';
import { BatchTooLargeError, FlakyFailureError } from './errors';
import { flakyCounter } from './scenario';
import { postprocessBodySchema, postprocessResponseSchema } from './schemas';
import type { PostprocessConfig, PostprocessRequest, PostprocessResponse } from './types';

export function registerRoutes(app: FastifyInstance, config: PostprocessConfig): void {
  const flakyCall = config.scenario === 'flaky-postprocess' ? flakyCounter() : () => null;

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async () => ({ status: 'ready', thresholds: config.thresholds }));

  app.post<{ Body: PostprocessRequest }>(
    '/v1/postprocess',
    { schema: { body: postprocessBodySchema, response: { 200: postprocessResponseSchema } } },
    async (request): Promise<PostprocessResponse> => {
      const { predictions } = request.body;
      if (predictions.length > config.maxBatchSize) throw new BatchTooLargeError(predictions.length, config.maxBatchSize);
      checkOutputs(predictions);
      const segment = request.body.segment ?? getMLContext().customer_segment ?? null;
      const threshold = thresholdFor(config.thresholds, segment);
      return traceDataProcessing(
        {
          operation: 'postprocess',
          stage: 'postprocess',
          inputSize: predictions.length,
          attributes: segment ? { [ATTR_BUSINESS_CUSTOMER_SEGMENT]: segment } : {},
        },
        () => {
          const failing = flakyCall();
          if (failing !== null) throw new FlakyFailureError(failing);
          return { predictions: decide(predictions, threshold), segment, threshold };
        },
        (response) => ({ outputSize: response.predictions.length }),
      );
    },
  );
}
