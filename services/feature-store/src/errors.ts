import createError from '@fastify/error';

export const RedisUnavailableError = createError<'FST_REDIS_UNAVAILABLE', 503, [string]>(
  'FST_REDIS_UNAVAILABLE',
  'Feature store backend (redis) unavailable: %s',
  503,
);

export const UnknownFeatureError = createError<'FST_UNKNOWN_FEATURE', 400, [string, string]>(
  'FST_UNKNOWN_FEATURE',
  'Unknown feature name(s): %s. Known features: %s',
  400,
);

export const BatchTooLargeError = createError<'FST_BATCH_TOO_LARGE', 400, [number, number]>(
  'FST_BATCH_TOO_LARGE',
  'body/entities has %d entities; the maximum batch size is %d',
  400,
);

export const NotReadyError = createError<'FST_NOT_READY', 503, [string]>('FST_NOT_READY', 'Feature store not ready: %s', 503);
