import createError from '@fastify/error';

export const GwInvalidRequestError = createError('GW_INVALID_REQUEST', '%s', 400);
/** A baggage member the gateway takes from callers holds a value outside its limits (see baggage.ts). */
export const GwInvalidBaggageError = createError('GW_INVALID_BAGGAGE', "baggage member '%s' must be %s; got %s", 400);
export const GwBatchTooLargeError = createError(
  'GW_BATCH_TOO_LARGE',
  "body/%s has %d items; the maximum batch size is %d (MAX_BATCH_SIZE)",
  400,
);
export const GwEntitiesNotFoundError = createError(
  'GW_ENTITIES_NOT_FOUND',
  'none of the %d requested entities exist in the feature store: %s',
  404,
);
/** A dependency refused the request as invalid (e.g. an unknown `model_version` from baggage). */
export const GwDependencyRejectedError = createError('GW_DEPENDENCY_REJECTED', '%s rejected the request: %s', 400);
export const GwDependencyTimeoutError = createError(
  'GW_DEPENDENCY_TIMEOUT',
  '%s did not answer within the request deadline (%d ms left of REQUEST_TIMEOUT_MS=%d)',
  504,
);
/**
 * The public messages of a failed dependency name it and what it answered (a code, a status or
 * a socket code), never its address or its own words: those go to the log and the span (cause).
 */
export const GwDependencyUnavailableError = createError('GW_DEPENDENCY_UNAVAILABLE', '%s is unavailable (%s)', 503);
export const GwDependencyFailedError = createError('GW_DEPENDENCY_FAILED', '%s failed (%s)', 502);
export const GwNotReadyError = createError('GW_NOT_READY', 'dependencies not ready: %s', 503);
/** Last resort for bugs: the error handler uses it instead of leaking a stack. */
export const GwInternalError = createError('GW_INTERNAL', 'internal error in the gateway (see its log, trace id %s)', 500);
