import { context, type Context } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * fastify's "incoming request" / "request completed" lines, logged from hooks instead of by fastify
 * itself (the app sets `disableRequestLogging`). fastify logs "incoming request" before any hook
 * runs, so before @fastify/otel's onRequest hook has started the server span: that line could not
 * carry trace_id/span_id. A hook added here is queued after the tracing plugin, which registers when
 * the instance is created, so it runs inside the span's context. "request completed" runs on the
 * response's `finish`, outside that context; it is logged in the context captured at onRequest.
 */
export function installRequestLogging(app: FastifyInstance): void {
  const contexts = new WeakMap<FastifyRequest, Context>();
  app.addHook('onRequest', (request, _reply, done) => {
    contexts.set(request, context.active());
    request.log.info({ req: request }, 'incoming request');
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    context.with(contexts.get(request) ?? context.active(), () => {
      reply.log.info({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    });
    done();
  });
}
