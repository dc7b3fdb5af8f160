import Fastify, { type FastifyInstance } from 'fastify';
import { createBackend } from './create-backend';
import { installErrorHandlers } from './error-handler';
import { registerRoutes } from './routes';
import type { FeatureStoreConfig } from './types';

/** The feature store as a fastify instance, not listening; closing it closes the backend. */
export function buildApp(config: FeatureStoreConfig): FastifyInstance {
  const app = Fastify({
    logger: { level: config.logLevel },
    // fastify's defaults are unlimited; a stuck client must not hold a socket forever.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    return503OnClosing: true,
    // A string where a number belongs is a client bug to report, not to paper over.
    ajv: { customOptions: { coerceTypes: false } },
  });
  for (const warning of config.warnings) app.log.warn(`config: ${warning}`);
  const backend = createBackend(config, app.log);
  app.addHook('onClose', () => backend.close());
  installErrorHandlers(app, 'FST');
  registerRoutes(app, config, backend);
  return app;
}
