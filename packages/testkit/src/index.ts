export { freePort, sleep, waitForHttp, hasRedisServer, startRedisServer, stopProcess } from '@mltrace/stack';
export type { RedisServer } from '@mltrace/stack';
export { readExportedSpans, waitForSpans } from './spans';
export type { ExportedSpan } from './spans';
