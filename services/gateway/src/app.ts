import type { FastifyInstance } from 'fastify';
import { createServiceApp } from '@mltrace/service-kit/service-app';
import { createDeps } from './clients';
import type { GatewayDeps } from './deps';
import { GwInternalError } from './errors';
import { registerRoutes } from './routes';
import { currentIdentity, setIdentityHeaders, untracedIdentity, type RequestIdentity } from './trace-headers';
import type { GatewayConfig } from './types';

declare module 'fastify' {
  interface FastifyRequest {
    identity: RequestIdentity;
  }
}

/**
 * The gateway app. `deps` are the three service clients; when omitted they are created from
 * the URLs in `config` and closed with the app.
 */
export function buildApp(config: GatewayConfig, deps?: GatewayDeps): FastifyInstance {
  const owned = deps === undefined;
  const clients = deps ?? createDeps(config);
  const app = createServiceApp(
    {
      logLevel: config.logLevel,
      warnings: config.warnings,
      // REQUEST_TIMEOUT_MS bounds the downstream calls; the socket limits leave room to answer after it.
      requestTimeoutMs: config.requestTimeoutMs + 5_000,
      connectionTimeoutMs: config.requestTimeoutMs + 10_000,
    },
    {
      codePrefix: 'GW',
      // The trace id lets an operator find the stack in the log.
      internalMessage: (request) => new GwInternalError(request.identity?.traceId ?? 'unknown').message,
    },
  );

  app.decorateRequest('identity', null as unknown as RequestIdentity);
  app.addHook('onRequest', async (request, reply) => {
    request.identity = currentIdentity() ?? untracedIdentity();
    setIdentityHeaders(reply, request.identity);
  });
  registerRoutes(app, config, clients);
  if (owned) app.addHook('onClose', async () => clients.close?.());
  return app;
}
