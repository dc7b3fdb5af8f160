import Redis from 'ioredis';

export interface RedisClientOptions {
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  connectionName: string;
}

/** Longest pause between reconnect attempts; keeps recovery quick once Redis is back. */
const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * An ioredis client that fails fast instead of queueing: ioredis' defaults
 * (offline queue, 20 retries per request, no command timeout) would hold a
 * request for many seconds while Redis is down. It reconnects by itself with
 * capped exponential backoff.
 */
export function createRedisClient(url: string, opts: RedisClientOptions): Redis {
  return new Redis(url, {
    connectionName: opts.connectionName,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs,
    connectTimeout: opts.connectTimeoutMs,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
  });
}

/** `host:port` of a Redis URL, without credentials, for messages. */
export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '6379'}`;
  } catch {
    return 'redis';
  }
}

/** Resolves once the client is connected and ready, or rejects after `timeoutMs`. */
export function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`not reachable within ${timeoutMs} ms (state: ${redis.status})`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
