import type { FastifyInstance } from 'fastify';
import { createServiceApp } from '@mltrace/service-kit/service-app';
import { registerRoutes } from './routes';
import type { PostprocessConfig } from './types';

/** The post-processor as a fastify instance, not listening. */
export function buildApp(config: PostprocessConfig): FastifyInstance {
  const app = createServiceApp(config, { codePrefix: 'PP' });
  if (config.scenario) app.log.warn({ scenario: config.scenario }, `fault scenario ${config.scenario} is planted in postprocess`);
  registerRoutes(app, config);
  return app;
}
