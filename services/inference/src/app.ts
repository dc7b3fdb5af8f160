import type { FastifyInstance } from 'fastify';
import { createServiceApp } from '@mltrace/service-kit/service-app';
import { ModelRegistry } from './model-registry';
import { registerRoutes } from './routes';
import type { InferenceConfig } from './types';

export interface AppDeps {
  /** A registry to serve from (loaded by the app if not yet); default: one over config.modelDir. Closed with the app. */
  registry?: ModelRegistry;
}

/**
 * The inference service as a fastify instance, not listening. Model loading
 * starts at once; /ready answers 503 until every version is loaded.
 */
export function buildApp(config: InferenceConfig, deps: AppDeps = {}): FastifyInstance {
  // Non-finite numbers (1e999 parses to Infinity) pass the schema so the handler can name the feature.
  const app = createServiceApp(config, { codePrefix: 'INF', ajv: { strictNumbers: false } });
  if (config.scenario) app.log.warn({ scenario: config.scenario }, `fault scenario ${config.scenario} is ON`);

  const registry = deps.registry ?? new ModelRegistry({ dir: config.modelDir, threads: config.ortThreads });
  registry.loadAll().then(
    () => app.log.info({ versions: registry.versions(), default: config.defaultModelVersion }, 'models loaded'),
    (err: unknown) => app.log.error({ err }, 'model loading failed; /ready stays 503'),
  );
  app.addHook('onClose', () => registry.close());
  registerRoutes(app, config, registry);
  return app;
}
