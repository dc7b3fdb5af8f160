import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandlers } from './error-handler';
import { registerRoutes } from './routes';
import type { PostprocessConfig } from './types';

/** The post-processor as a fastify instance, not listening. */
export function buildApp(config: PostprocessConfig): FastifyInstance {
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
  if (config.scenario) app.log.warn({ scenario: config.scenario }, `fault scenario ${config.scenario} is planted in postprocess`);
  installErrorHandlers(app, 'PP');
  registerRoutes(app, config);
  return app;
}
