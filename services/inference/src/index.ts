export { buildApp } from './app';
export type { AppDeps } from './app';
export { loadConfig, INFERENCE_SCENARIOS, DEFAULT_MODEL_DIR } from './config';
export { ModelRegistry } from './model-registry';
export type { LoadedModel, RegistryOptions } from './model-registry';
export { runModel } from './predict';
export { REGRESSION_DELAY_MS, REGRESSION_SEGMENT, REGRESSION_VERSION } from './scenario';
export * from './errors';
export type * from './types';
