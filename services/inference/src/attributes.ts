/**
 * Model-load attribute keys @mltrace/tracing does not (yet) define. Same `ml.model.*`
 * namespace; move them there if other services start to use them.
 */
export const ATTR_ML_MODEL_OPSET = 'ml.model.opset';
export const ATTR_ML_MODEL_FORMAT = 'ml.model.format';
export const ATTR_ML_MODEL_SIZE_BYTES = 'ml.model.size_bytes';
