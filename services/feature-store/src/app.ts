import type { FastifyInstance } from 'fastify';
import { createServiceApp } from '@mltrace/service-kit/service-app';
import { createBackend } from './create-backend';
import { registerRoutes } from './routes';
import type { FeatureStoreConfig } from './types';

/** The feature store as a fastify instance, not listening; closing it closes the backend. */
export function buildApp(config: FeatureStoreConfig): FastifyInstance {
  const app = createServiceApp(config, { codePrefix: 'FST' });
  const backend = createBackend(config, app.log);
  app.addHook('onClose', () => backend.close());
  registerRoutes(app, config, backend);
  return app;
}
