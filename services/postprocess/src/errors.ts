import createError from '@fastify/error';

export const InvalidPredictionError = createError<'PP_INVALID_PREDICTION', 400, [string]>('PP_INVALID_PREDICTION', '%s', 400);

export const BatchTooLargeError = createError<'PP_BATCH_TOO_LARGE', 400, [number, number]>(
  'PP_BATCH_TOO_LARGE',
  'body/predictions has %d items; the maximum batch size is %d',
  400,
);

/** Planted by the flaky-postprocess scenario; the gateway maps it to 502. */
export const FlakyFailureError = createError<'PP_FLAKY_FAILURE', 500, [number]>(
  'PP_FLAKY_FAILURE',
  'post-processing failed (planted fault scenario flaky-postprocess, call #%d)',
  500,
);
