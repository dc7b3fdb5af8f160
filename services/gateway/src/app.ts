import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody } from '@mltrace/service-kit/client';
import { getTracer } from '@mltrace/tracing';
import { createServiceApp } from '@mltrace/service-kit/service-app';
import { createDeps } from './clients';
import type { GatewayDeps } from './deps';
import { GwBatchTooLargeError, GwInternalError, GwNotReadyError } from './errors';
import { predict } from './pipeline';
import { unreadyDependencies } from './readiness';
import { formatSchemaErrors, predictBodySchema } from './schema';
import { currentIdentity, untracedIdentity, type RequestIdentity } from './trace-headers';
import type { GatewayConfig, PredictRequest } from './types';

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
      onErrorReply: (_request, body) => recordOnSpan(body),
    },
  );

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

  app.post<{ Body: PredictRequest }>(
    '/v1/predict',
    { schema: { body: predictBodySchema }, schemaErrorFormatter: formatSchemaErrors },
    async (request, reply) => {
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
    },
  );

  if (owned) app.addHook('onClose', async () => clients.close?.());
  return app;
}

/**
 * The error code goes on the span the error arose in; a 5xx also marks it failed. A 4xx leaves
 * the server span UNSET (HTTP semantic conventions: the caller's fault), so the rejection itself
 * is recorded as a short failed child span: the trace still shows which hop refused what, and why.
 */
function recordOnSpan(body: ErrorBody): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute(ATTR_ERROR_TYPE, body.code);
  if (body.statusCode >= 500) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: body.message });
    return;
  }
  const rejection = getTracer().startSpan('request rejected', { attributes: { [ATTR_ERROR_TYPE]: body.code } });
  rejection.setStatus({ code: SpanStatusCode.ERROR, message: body.message });
  rejection.end();
}

function setIdentityHeaders(reply: { header(k: string, v: string): unknown }, identity: RequestIdentity): void {
  reply.header('x-trace-id', identity.traceId);
  if (identity.traceresponse) reply.header('traceresponse', identity.traceresponse);
}
