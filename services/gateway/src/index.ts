export { buildApp } from './app';
export { loadConfig, parseExperimentSplit, DEFAULTS, DEFAULT_EXPERIMENT_SPLIT } from './config';
export { createDeps } from './clients';
export type * from './deps';
export { hashToUnit, assignArm } from './experiment';
export { PROFILE_FEATURES } from './pipeline';
export * from './errors';
export type * from './types';
