import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody } from './types';

/**
 * Every error leaves as `{statusCode, code, error, message}`: 4xx say what was
 * wrong with the request, 5xx name what failed; never a stack.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const statusCode = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    // Errors made with @fastify/error carry a deliberate message; anything else may leak internals.
    const deliberate = err.name === 'FastifyError' || statusCode < 500;
    if (statusCode >= 500) request.log.error({ err }, err.message);
    else request.log.info({ code: err.code, reason: err.message }, 'request rejected');
    const body: ErrorBody = {
      statusCode,
      code: err.code ?? (statusCode < 500 ? 'INF_BAD_REQUEST' : 'INF_INTERNAL'),
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: deliberate ? err.message : 'Internal error; see the service log for details',
    };
    return reply.status(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = { statusCode: 404, code: 'INF_NOT_FOUND', error: 'Not Found', message: `Route ${request.method} ${request.url} not found` };
    return reply.status(404).send(body);
  });
}
