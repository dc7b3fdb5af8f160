import createError from '@fastify/error';

export const UnknownModelVersionError = createError<'INF_UNKNOWN_MODEL_VERSION', 400, [string, string]>(
  'INF_UNKNOWN_MODEL_VERSION',
  "Unknown model version '%s'; available versions: %s",
  400,
);

export const WrongFeatureCountError = createError<'INF_WRONG_FEATURE_COUNT', 400, [number, number, number, string]>(
  'INF_WRONG_FEATURE_COUNT',
  'body/instances/%d has %d values; the model expects %d features (%s)',
  400,
);

export const NonFiniteFeatureError = createError<'INF_NON_FINITE_FEATURE', 400, [number, number, string]>(
  'INF_NON_FINITE_FEATURE',
  'body/instances/%d/%d (%s) is not a finite number',
  400,
);

export const FeatureOutOfRangeError = createError<'INF_FEATURE_OUT_OF_RANGE', 400, [number, number, string, number]>(
  'INF_FEATURE_OUT_OF_RANGE',
  'body/instances/%d/%d (%s) is outside the float32 range the model computes in (|x| <= %d)',
  400,
);

export const ModelsNotReadyError = createError<'INF_NOT_READY', 503, [string]>('INF_NOT_READY', 'Inference service not ready: %s', 503);

/** The third argument `{ cause }` keeps the underlying error (@fastify/error takes it off the format arguments). */
export const ModelLoadError = createError<'INF_MODEL_LOAD_FAILED', 500, [string, string, { cause: unknown }?]>(
  'INF_MODEL_LOAD_FAILED',
  'Could not load model %s: %s',
  500,
);

export const PredictionError = createError<'INF_PREDICTION_FAILED', 500, [string, string]>(
  'INF_PREDICTION_FAILED',
  'Model %s failed to run: %s',
  500,
);

export const NoModelsError = createError<'INF_NO_MODELS', 500, [string]>(
  'INF_NO_MODELS',
  'no <version>.onnx files in %s; run npm run train -w @mltrace/inference',
  500,
);

export const InvalidModelCardError = createError<'INF_INVALID_MODEL_CARD', 500, [string, string]>(
  'INF_INVALID_MODEL_CARD',
  "model card %s is missing name, version '%s', trees, features or format.opset",
  500,
);
