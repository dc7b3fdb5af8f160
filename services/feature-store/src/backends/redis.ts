import type Redis from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import type { BackendStatus, FeatureBackend } from '../backend';
import { RedisUnavailableError } from '../errors';
import { featureKey, metaKey } from '../keys';
import { createRedisClient, redisAddress } from '../redis-client';

export interface RedisBackendOptions {
  url: string;
  featureVersion: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  log: FastifyBaseLogger;
}

/** Features in one Redis hash per entity; a batch is one pipelined round trip of HMGETs. */
export class RedisBackend implements FeatureBackend {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly address: string;
  private connected = false;
  private downReported = false;

  constructor(private readonly opts: RedisBackendOptions) {
    this.address = redisAddress(opts.url);
    this.redis = createRedisClient(opts.url, {
      commandTimeoutMs: opts.commandTimeoutMs,
      connectTimeoutMs: opts.connectTimeoutMs,
      connectionName: 'mltrace-feature-store',
    });
    // Log state changes, not every failed reconnect attempt.
    this.redis.on('ready', () => {
      this.connected = true;
      this.downReported = false;
      opts.log.info({ redis: this.address }, 'redis connected');
    });
    this.redis.on('error', (err: Error) => {
      if (this.downReported) return;
      this.downReported = true;
      opts.log.warn({ redis: this.address, err: err.message }, 'redis unreachable; lookups answer 503 while it reconnects in the background');
    });
    this.redis.on('close', () => {
      if (this.connected) opts.log.warn({ redis: this.address }, 'redis connection lost; reconnecting in the background');
      this.connected = false;
    });
  }

  async lookup(entities: readonly string[], features: readonly string[]): Promise<(number[] | null)[]> {
    if (this.redis.status !== 'ready') {
      throw new RedisUnavailableError(`not connected to ${this.address} (state: ${this.redis.status})`);
    }
    const pipeline = this.redis.pipeline();
    for (const entity of entities) pipeline.hmget(featureKey(this.opts.featureVersion, entity), ...features);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw this.unavailable(err);
    }
    if (!results) throw new RedisUnavailableError(`no reply from ${this.address}`);
    return results.map(([err, reply]) => {
      if (err) throw this.unavailable(err);
      return toRow(reply as (string | null)[]);
    });
  }

  async status(): Promise<BackendStatus> {
    if (this.redis.status !== 'ready') return { ok: false, detail: `redis ${this.address} ${this.redis.status}` };
    try {
      const count = await this.redis.hget(metaKey(this.opts.featureVersion), 'count');
      return {
        ok: true,
        detail: count === null ? `redis ${this.address} connected, feature version ${this.opts.featureVersion} not seeded` : `redis ${this.address}, ${count} entities`,
      };
    } catch (err) {
      return { ok: false, detail: `redis ${this.address}: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.connected = false;
    if (this.redis.status === 'end') return;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private unavailable(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    const hint = /timed out/i.test(message) ? ` after ${this.opts.commandTimeoutMs} ms` : '';
    return new RedisUnavailableError(`${message}${hint} (${this.address})`);
  }
}

/** A hash with a missing or non-numeric field counts as a missing entity, never a half-filled vector. */
function toRow(reply: (string | null)[]): number[] | null {
  const row: number[] = [];
  for (const v of reply) {
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n)) return null;
    row.push(n);
  }
  return row;
}
