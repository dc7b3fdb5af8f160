export { runLoad, DEFAULTS } from './run-load';
export { runLoadCommand, parseLoadArgs, LOAD_USAGE } from './cli';
export { DEFAULT_MIX, parseMix, loadMixFile } from './mix';
export { RequestFactory } from './requests';
export type { PlannedRequest, RequestKind } from './requests';
export { formatResult } from './report';
export { SYNTHETIC_BAGGAGE_KEY, LOADGEN_USER_AGENT, newTraceparent, encodeBaggage } from './trace-headers';
export { LoadUsageError, MixError } from './errors';
export type { LoadOptions, LoadResult, LoadMode, LatencySummary, Mix, ExperimentArm, Weights } from './types';
