import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { ATTR_ML_MODEL_CACHE_HIT, ATTR_ML_MODEL_VERSION, getMLContext, traceModelPrediction } from '@mltrace/tracing';
import {
  FeatureOutOfRangeError,
  ModelLoadError,
  ModelsNotReadyError,
  NonFiniteFeatureError,
  PredictionError,
  UnknownModelVersionError,
  WrongFeatureCountError,
} from './errors';
import type { LoadedModel, ModelRegistry } from './model-registry';
import { runModel } from './predict';
import { loadsPerRequest, regressionDelayMs } from './scenario';
import { inferBodySchema } from './schemas';
import type { InferenceConfig, InferRequest, InferResponse, ModelInfo } from './types';

/** The largest float32: the model's input tensor is float32, where 1e308 would become Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

function checkRows(instances: readonly number[][], info: ModelInfo): void {
  instances.forEach((row, i) => {
    if (row.length !== info.featureCount) {
      throw new WrongFeatureCountError(i, row.length, info.featureCount, info.featureNames.join(', '));
    }
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new NonFiniteFeatureError(i, j, info.featureNames[j] ?? `feature ${j}`);
      if (Math.abs(v) > FLOAT32_MAX) throw new FeatureOutOfRangeError(i, j, info.featureNames[j] ?? `feature ${j}`, FLOAT32_MAX);
    });
  });
}

export function registerRoutes(app: FastifyInstance, config: InferenceConfig, registry: ModelRegistry): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async () => {
    if (!registry.ready) throw new ModelsNotReadyError(registry.notReadyReason);
    return { status: 'ready', models: registry.versions(), default_model_version: config.defaultModelVersion };
  });

  app.post<{ Body: InferRequest }>('/v1/infer', { schema: { body: inferBodySchema(config.maxBatchSize) } }, async (request): Promise<InferResponse> => {
    if (!registry.ready) throw new ModelsNotReadyError(registry.notReadyReason);
    const { instances } = request.body;
    const ml = getMLContext();
    const version = request.body.model_version ?? ml.model_version ?? config.defaultModelVersion;
    const cached = registry.get(version);
    if (!cached) throw new UnknownModelVersionError(version, registry.versions().join(', '));
    checkRows(instances, cached.info);

    const cold = loadsPerRequest(config.scenario);
    let model: LoadedModel = cached;
    if (cold) {
      try {
        model = await registry.loadFresh(version);
      } catch (err) {
        throw new ModelLoadError(version, err instanceof Error ? err.message : String(err));
      }
    }
    const { info } = model;
    try {
      const predictions = await traceModelPrediction(
        {
          modelName: info.name,
          modelVersion: info.version,
          inputShape: [instances.length, info.featureCount],
          inputDtype: 'float32',
          stage: 'inference',
          attributes: { [ATTR_ML_MODEL_CACHE_HIT]: !cold },
        },
        async (span) => {
          // The baggage processor stamps baggage model_version on every span; a body model_version wins here.
          span.setAttribute(ATTR_ML_MODEL_VERSION, info.version);
          const delay = regressionDelayMs(config.scenario, version, ml.customer_segment);
          if (delay > 0) await sleep(delay);
          return runModel(model, instances);
        },
        (preds) => ({ outputShape: [preds.length, 2], confidences: preds.map((p) => p.confidence) }),
      );
      return { model: { name: info.name, version: info.version }, predictions };
    } catch (err) {
      throw new PredictionError(`${info.name} ${info.version}`, err instanceof Error ? err.message : String(err));
    } finally {
      if (cold) await model.session.release();
    }
  });
}
