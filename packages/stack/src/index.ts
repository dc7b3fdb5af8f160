export { freePort, sleep, waitForHttp, hasRedisServer, startRedisServer, stopProcess } from './process';
export type { RedisServer } from './process';
