/**
 * TEMPORARY: these keys belong in the one attributes file, packages/tracing/src/attributes.ts
 * (the tracing owner has been asked to add ATTR_ML_MODEL_OPSET, ATTR_ML_MODEL_FORMAT and
 * ATTR_ML_MODEL_SIZE_BYTES there). Once @mltrace/tracing exports them, import them from there
 * and delete this file. Until then they are kept here, in the same `ml.model.*` namespace.
 */
export const ATTR_ML_MODEL_OPSET = 'ml.model.opset';
export const ATTR_ML_MODEL_FORMAT = 'ml.model.format';
export const ATTR_ML_MODEL_SIZE_BYTES = 'ml.model.size_bytes';
