export { freePort, sleep, waitForHttp, hasRedisServer, startRedisServer, stopProcess } from './process';
export type { RedisServer } from './process';
export { startSystem } from './system';
export type { SystemOptions, RunningSystem, RedisChoice } from './system';
export { REPO_ROOT, SERVICE_NAMES, DEFAULT_PORTS, DEFAULT_TRACES_DIR, DEFAULT_LOGS_DIR, serviceDir } from './paths';
export type { ServiceName } from './paths';
export { countExportedSpans, readExportedSpans, waitForSpans } from './span-files';
export type { ExportedSpan } from './span-files';
