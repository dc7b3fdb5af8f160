import { STATUS_CODES } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { getServerSpan, recordSpanError, recordSpanRejection } from '@mltrace/tracing';
import type { ErrorBody } from './error-body';
import { bodyErrors } from './errors';

/** A service's additions to the shared error handling. */
export interface ErrorHandlerHooks {
  /**
   * The message of a 500 for an unexpected error (default: a generic one);
   * e.g. naming the request's trace id so the log lines can be found.
   */
  internalMessage?: (request: FastifyRequest) => string;
  /** Called with each error answer just before it is sent (e.g. to record it on the active span). */
  onErrorReply?: (request: FastifyRequest, body: ErrorBody, error: FastifyError) => void;
}

/**
 * Every error leaves as `{statusCode, code, error, message}`: 4xx say what was
 * wrong with the request (fastify's validation message names the field), 5xx
 * name the failing dependency; never a stack. `codePrefix` (e.g. `FST`) makes
 * the codes of errors that carry none: `FST_BAD_REQUEST`, `FST_INTERNAL`, `FST_NOT_FOUND`.
 */
export function installErrorHandlers(app: FastifyInstance, codePrefix: string, hooks: ErrorHandlerHooks = {}): void {
  app.setErrorHandler((original: FastifyError, request, reply) => {
    const err = ownBodyError(original, request, codePrefix);
    const statusCode = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    // Errors made with @fastify/error carry a deliberate message; anything else may leak internals.
    const deliberate = err.name === 'FastifyError' || statusCode < 500;
    // Expected failures (a dependency down, bad input) get one line; only surprises get a stack.
    // The cause (e.g. the socket error and address behind a dependency failure) goes to the log
    // and the span only; the answer names the dependency and the code.
    const cause = causeOf(err);
    if (!deliberate) request.log.error({ err }, err.message);
    else if (statusCode >= 500) request.log.warn({ code: err.code, reason: err.message, ...(cause ? { cause } : {}) }, 'request failed');
    else request.log.info({ code: err.code, reason: err.message }, 'request rejected');
    const body: ErrorBody = {
      statusCode,
      // A surprise's own code (ECONNRESET, ERR_…) is an internal detail too.
      code: (deliberate && err.code) || `${codePrefix}_${statusCode < 500 ? 'BAD_REQUEST' : 'INTERNAL'}`,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: deliberate ? err.message : (hooks.internalMessage?.(request) ?? 'Internal error; see the service log for details'),
    };
    recordOnSpan(body, err, cause);
    hooks.onErrorReply?.(request, body, err);
    return reply.status(statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      statusCode: 404,
      code: `${codePrefix}_NOT_FOUND`,
      error: 'Not Found',
      message: `Route ${request.method} ${request.url} not found`,
    };
    return reply.status(404).send(body);
  });
}

/**
 * The error answer on the request's server span, under the code the caller got: a 4xx as an
 * exception event with that code and message and no stack (the caller's fault; the span status
 * stays unset, as HTTP semconv wants for servers); a 5xx as the exception itself, stack and cause
 * included, with status ERROR.
 */
function recordOnSpan(body: ErrorBody, err: Error, cause: string | undefined): void {
  const span = getServerSpan() ?? trace.getActiveSpan();
  if (!span?.isRecording()) return;
  if (body.statusCode < 500) return recordSpanRejection(span, body.code, body.message);
  const recorded = Object.assign(new Error(cause ? `${err.message} (cause: ${cause})` : err.message), { name: err.name });
  recorded.stack = err.stack ?? recorded.stack;
  recordSpanError(span, recorded, body.code);
}

/** The messages along an error's cause chain, e.g. `connect ECONNREFUSED 127.0.0.1:8082`. */
function causeOf(err: Error): string | undefined {
  const parts: string[] = [];
  for (let e = err.cause, depth = 0; e !== undefined && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const message = e instanceof Error ? e.message : typeof e === 'string' ? e : undefined;
    if (message) parts.push(message);
    if (!e || typeof e !== 'object') break;
  }
  return parts.length > 0 ? parts.join(' <- ') : undefined;
}

/**
 * fastify's own content-type and body errors (`FST_ERR_CTP_*`) as the service's codes, with
 * messages that name the problem: the content type that was sent and the one expected.
 */
function ownBodyError(err: FastifyError, request: FastifyRequest, codePrefix: string): FastifyError {
  const errors = bodyErrors(codePrefix);
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      return new errors.UnsupportedMediaType(type ? JSON.stringify(type) : '(none)');
    }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new errors.InvalidJson('the body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new errors.InvalidJson(err.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new errors.BodyTooLarge(request.routeOptions.bodyLimit ?? 0);
    default:
      return err;
  }
}
