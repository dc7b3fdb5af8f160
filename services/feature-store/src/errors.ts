import createError from '@fastify/error';

/** The message says what happened, never the address or the client library's words (those go to the log and the span, via `cause`). */
export const RedisUnavailableError = createError<'FST_REDIS_UNAVAILABLE', 503, [string, { cause: unknown }?]>(
  'FST_REDIS_UNAVAILABLE',
  'Feature store backend (redis) unavailable: %s',
  503,
);

/** Redis answers but does not hold the data set: its marker (the version's meta hash) is missing, e.g. after a restart without persistence. */
export const NotSeededError = createError<'FST_NOT_SEEDED', 503, [string]>(
  'FST_NOT_SEEDED',
  'Feature version %s is not seeded in the feature store backend (its marker is missing); run the seed command',
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
