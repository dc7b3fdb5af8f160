/**
 * Every attribute key and baggage key that mltrace defines, in one place.
 *
 * Namespaces:
 *  - `ml.*`        facts about the model, features and data (what the pipeline computed with)
 *  - `business.*`  facts about who/what the request is for (how to slice results)
 *  - `mltrace.*`   facts about tracing itself (sampling decisions)
 *
 * Standard OpenTelemetry keys (service.name, http.*, error.type, …) come from
 * `@opentelemetry/semantic-conventions`; they are not redefined here.
 */

// ---- ML and business context: travels in W3C baggage, copied onto every span ----
export const ATTR_ML_MODEL_NAME = 'ml.model.name';
export const ATTR_ML_MODEL_VERSION = 'ml.model.version';
export const ATTR_ML_EXPERIMENT_ID = 'ml.experiment.id';
export const ATTR_ML_EXPERIMENT_ARM = 'ml.experiment.arm';
export const ATTR_ML_FEATURE_STORE_VERSION = 'ml.feature_store.version';
export const ATTR_ML_DATA_BATCH_ID = 'ml.data_batch.id';
export const ATTR_BUSINESS_CUSTOMER_SEGMENT = 'business.customer_segment';
export const ATTR_BUSINESS_PRODUCT_AREA = 'business.product_area';
export const ATTR_BUSINESS_REGION = 'business.region';
export const ATTR_BUSINESS_PRIORITY = 'business.priority';

/**
 * Baggage member key → span attribute key. The baggage keys are the short
 * names clients send (`baggage: model_version=v2,customer_segment=premium`).
 */
export const BAGGAGE_TO_ATTRIBUTE = {
  model_name: ATTR_ML_MODEL_NAME,
  model_version: ATTR_ML_MODEL_VERSION,
  experiment_id: ATTR_ML_EXPERIMENT_ID,
  experiment_arm: ATTR_ML_EXPERIMENT_ARM,
  feature_version: ATTR_ML_FEATURE_STORE_VERSION,
  data_batch_id: ATTR_ML_DATA_BATCH_ID,
  customer_segment: ATTR_BUSINESS_CUSTOMER_SEGMENT,
  product_area: ATTR_BUSINESS_PRODUCT_AREA,
  region: ATTR_BUSINESS_REGION,
  priority: ATTR_BUSINESS_PRIORITY,
} as const;

export type MLContextKey = keyof typeof BAGGAGE_TO_ATTRIBUTE;
export const ML_CONTEXT_KEYS = Object.keys(BAGGAGE_TO_ATTRIBUTE) as MLContextKey[];

// ---- Set by the span helpers ----
export const ATTR_ML_OPERATION_TYPE = 'ml.operation.type'; // 'model_prediction' | 'feature_extraction' | 'data_processing' | 'model_load'
export const ATTR_ML_PIPELINE_STAGE = 'ml.pipeline.stage';
export const ATTR_ML_INPUT_SHAPE = 'ml.input.shape'; // int[] e.g. [32, 12]
export const ATTR_ML_INPUT_DTYPE = 'ml.input.dtype';
export const ATTR_ML_INPUT_SIZE = 'ml.input.size'; // number of elements
export const ATTR_ML_OUTPUT_SHAPE = 'ml.output.shape';
export const ATTR_ML_PREDICTION_CONFIDENCE = 'ml.prediction.confidence'; // scalar, single prediction
export const ATTR_ML_PREDICTION_CONFIDENCE_MEAN = 'ml.prediction.confidence.mean';
export const ATTR_ML_PREDICTION_CONFIDENCE_STD = 'ml.prediction.confidence.std';
export const ATTR_ML_PREDICTION_COUNT = 'ml.prediction.count';
export const ATTR_ML_FEATURE_COUNT = 'ml.feature.count';
export const ATTR_ML_FEATURE_NAMES = 'ml.feature.names'; // first 10 names only
export const ATTR_ML_ENTITY_COUNT = 'ml.entity.count';
export const ATTR_ML_ENTITY_MISSING_COUNT = 'ml.entity.missing_count';
export const ATTR_ML_DATA_OPERATION = 'ml.data.operation'; // what a data_processing step does, e.g. 'threshold'
export const ATTR_ML_DATA_INPUT_SIZE = 'ml.data.input_size';
export const ATTR_ML_DATA_OUTPUT_SIZE = 'ml.data.output_size';
export const ATTR_ML_DURATION_MS = 'ml.duration_ms';
export const ATTR_ML_SUCCESS = 'ml.success';
export const ATTR_ML_MODEL_LOAD_TIME_MS = 'ml.model.load_time_ms';
export const ATTR_ML_MODEL_TREE_COUNT = 'ml.model.tree_count';
export const ATTR_ML_MODEL_CACHE_HIT = 'ml.model.cache_hit';
export const ATTR_ML_MODEL_OPSET = 'ml.model.opset'; // ONNX opset of the ai.onnx.ml domain
export const ATTR_ML_MODEL_FORMAT = 'ml.model.format'; // e.g. 'onnx'
export const ATTR_ML_MODEL_SIZE_BYTES = 'ml.model.size_bytes';

// ---- Tracing about tracing ----
/** Which sampling rule decided a root span (e.g. `service:gateway/operation:POST /v1/predict/probabilistic`). */
export const ATTR_MLTRACE_SAMPLING_RULE = 'mltrace.sampling.rule';
/** The probability the deciding rule applied; analysis re-weights sampled data by 1/p. */
export const ATTR_MLTRACE_SAMPLING_PROBABILITY = 'mltrace.sampling.probability';
/** Marks load-test traffic (value: 'test'), alongside the semconv `user_agent.synthetic.type`. */
export const ATTR_MLTRACE_SCENARIO = 'mltrace.scenario';

// ---- Synthetic (load-test) traffic ----
/**
 * Load-test traffic is marked on spans with the semconv (incubating)
 * `user_agent.synthetic.type` = `test` (`ATTR_USER_AGENT_SYNTHETIC_TYPE`,
 * `USER_AGENT_SYNTHETIC_TYPE_VALUE_TEST` from
 * `@opentelemetry/semantic-conventions/incubating`), so analysis can tell it
 * from real traffic. Two signals set it:
 *  - the baggage member `synthetic_type` (what `mltrace load` sends): it
 *    travels downstream, and the baggage processor copies it onto **every span
 *    of every service**, like the ML context above;
 *  - a `user-agent` starting with `mltrace-loadgen/`: marks the SERVER span of
 *    the hop that received it (the user agent is not propagated).
 */
export const SYNTHETIC_BAGGAGE_KEY = 'synthetic_type';
export const SYNTHETIC_USER_AGENT_PREFIX = 'mltrace-loadgen/';
