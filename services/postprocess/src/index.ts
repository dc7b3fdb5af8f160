export { buildApp } from './app';
export { loadConfig, parseThresholds, DEFAULT_THRESHOLDS } from './config';
export { decide, riskTier, thresholdFor, LOW_RISK_BELOW, HIGH_RISK_FROM } from './decide';
export { FLAKY_EVERY } from './scenario';
export * from './errors';
export type * from './types';
