import { STATUS_CODES } from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { createDeps } from './clients';
import type { GatewayDeps } from './deps';
import { GwBatchTooLargeError, GwInternalError, GwInvalidRequestError, GwNotReadyError } from './errors';
import { predict } from './pipeline';
import { unreadyDependencies } from './readiness';
import { formatSchemaErrors, predictBodySchema } from './schema';
import { currentIdentity, untracedIdentity, type RequestIdentity } from './trace-headers';
import type { GatewayConfig, GatewayErrorBody, PredictRequest } from './types';

declare module 'fastify' {
  interface FastifyRequest {
    identity: RequestIdentity;
  }
}

export interface BuildOptions {
  /** Overrides the pino logger options (tests pass `false`). */
  logger?: boolean | Record<string, unknown>;
}

/**
 * The gateway app. `deps` are the three service clients; when omitted they are created from
 * the URLs in `config` and closed with the app.
 */
export function buildApp(config: GatewayConfig, deps?: GatewayDeps, opts: BuildOptions = {}): FastifyInstance {
  const owned = deps === undefined;
  const clients = deps ?? createDeps(config);
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    // fastify's defaults are unlimited; a slow client must not hold a socket forever.
    connectionTimeout: config.requestTimeoutMs + 10_000,
    requestTimeout: config.requestTimeoutMs + 5_000,
    keepAliveTimeout: 72_000,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { coerceTypes: false, allErrors: false } },
    schemaErrorFormatter: formatSchemaErrors,
  });

  app.decorateRequest('identity', null as unknown as RequestIdentity);
  app.addHook('onRequest', async (request, reply) => {
    request.identity = currentIdentity() ?? untracedIdentity();
    setIdentityHeaders(reply, request.identity);
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async () => {
    const unready = await unreadyDependencies(config);
    if (unready.length > 0) throw new GwNotReadyError(unready.join(', '));
    return { status: 'ready' };
  });

  app.post<{ Body: PredictRequest }>('/v1/predict', { schema: { body: predictBodySchema } }, async (request, reply) => {
    // Inside the handler the request's span is active for sure; hooks may run outside it.
    const identity = currentIdentity();
    if (identity) {
      request.identity = identity;
      setIdentityHeaders(reply, identity);
    }
    const field = request.body.entities ? 'entities' : 'instances';
    const size = (request.body.entities ?? request.body.instances ?? []).length;
    if (size > config.maxBatchSize) throw new GwBatchTooLargeError(field, size, config.maxBatchSize);
    const result = await predict(request.body, { config, deps: clients, log: request.log, traceId: request.identity.traceId, headers: request.headers });
    return { ...result, request_id: request.identity.traceId };
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(404, 'GW_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url}`));
  });

  app.setErrorHandler((error: FastifyError & { dependency?: string }, request, reply) => {
    let status = error.statusCode ?? 500;
    let code = error.code ?? 'GW_INTERNAL';
    let message = error.message;
    if (error.validation) {
      const invalid = new GwInvalidRequestError(error.message);
      [status, code, message] = [invalid.statusCode ?? 400, invalid.code, invalid.message];
    } else if (status >= 500 && !error.code?.startsWith('GW_')) {
      // A bug, not a dependency failure: log the stack, return no internals.
      const internal = new GwInternalError(request.identity?.traceId ?? 'unknown');
      request.log.error({ err: error }, 'unhandled error');
      [status, code, message] = [500, internal.code, internal.message];
    }
    const span = trace.getActiveSpan();
    span?.setAttribute(ATTR_ERROR_TYPE, code);
    if (status >= 500) {
      span?.setStatus({ code: SpanStatusCode.ERROR, message });
      request.log.warn({ code, dependency: error.dependency }, message);
    } else {
      request.log.info({ code }, message);
    }
    reply.code(status).send(errorBody(status, code, message));
  });

  if (owned) app.addHook('onClose', async () => clients.close?.());
  return app;
}

function setIdentityHeaders(reply: { header(k: string, v: string): unknown }, identity: RequestIdentity): void {
  reply.header('x-trace-id', identity.traceId);
  if (identity.traceresponse) reply.header('traceresponse', identity.traceresponse);
}

function errorBody(statusCode: number, code: string, message: string): GatewayErrorBody {
  return { statusCode, code, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
