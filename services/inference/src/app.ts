import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from './error-handler';
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
  const app = Fastify({
    logger: { level: config.logLevel },
    // fastify's defaults are unlimited; a stuck client must not hold a socket forever.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    return503OnClosing: true,
    // "1.5" is not a feature value: no type coercion of request bodies. Non-finite
    // numbers (1e999 parses to Infinity) pass the schema so the handler can name the feature.
    ajv: { customOptions: { coerceTypes: false, strictNumbers: false } },
  });
  for (const warning of config.warnings) app.log.warn(`config: ${warning}`);
  if (config.scenario) app.log.warn({ scenario: config.scenario }, `fault scenario ${config.scenario} is ON`);

  const registry = deps.registry ?? new ModelRegistry({ dir: config.modelDir, threads: config.ortThreads });
  registry.loadAll().then(
    () => app.log.info({ versions: registry.versions(), default: config.defaultModelVersion }, 'models loaded'),
    (err: unknown) => app.log.error({ err }, 'model loading failed; /ready stays 503'),
  );
  app.addHook('onClose', () => registry.close());
  installErrorHandlers(app);
  registerRoutes(app, config, registry);
  return app;
}
