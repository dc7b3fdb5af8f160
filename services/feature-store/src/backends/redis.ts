import { setTimeout as sleep } from 'node:timers/promises';
import type Redis from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';
import { context, SpanKind } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  ATTR_DB_OPERATION_BATCH_SIZE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { DB_SYSTEM_NAME_VALUE_REDIS } from '@mltrace/tracing/semconv';
import { recordSpanError, startChildSpan } from '@mltrace/tracing';
import type { BackendStatus, FeatureBackend, LookupContext } from '../backend';
import { NotSeededError, RedisUnavailableError } from '../errors';
import { featureKey, metaKey } from '../keys';
import { createRedisClient, redisAddress } from '../redis-client';

export interface RedisBackendOptions {
  url: string;
  featureVersion: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  log: FastifyBaseLogger;
}

/** Span name and db.operation.name of a pipelined lookup (OTel DB semconv names batches `BATCH <op>`). */
export const BATCH_HMGET = 'BATCH HMGET';
const HMGET = 'HMGET';

/** Features in one Redis hash per entity; a batch is one pipelined round trip of HMGETs. */
export class RedisBackend implements FeatureBackend {
  readonly kind = 'redis' as const;
  readonly redis: Redis;
  private readonly address: string;
  private connected = false;
  private downReported = false;
  /** Whether Redis holds the data set (its marker key); unknown again after each reconnect. */
  private seeded: boolean | undefined;

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
      // A Redis that restarted may have come back empty.
      this.seeded = undefined;
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

  async lookup(entities: readonly string[], features: readonly string[], ctx: LookupContext = {}): Promise<(number[] | null)[]> {
    if (this.redis.status !== 'ready') {
      throw new RedisUnavailableError(`not connected (state: ${this.redis.status})`);
    }
    if (this.seeded !== true) await this.checkSeeded();
    const planted = ctx.plantedLatencyMs ?? 0;
    // One entity is one plain HMGET with its own `hmget` span; that is also what each call of the
    // n-plus-one scenario is, so its traces keep one `hmget` span per entity (its planted round
    // trip sits in an `hmget` span of our own). Planted latency needs a span of our own to sit in,
    // so a slow-features lookup is a batch, of one if need be.
    const rows = entities.length === 1 && planted === 0 ? [await this.hmget(entities[0] as string, features, ctx.plantedRoundTripMs ?? 0)] : await this.batchHmget(entities, features, planted);
    // A miss may mean the data set is gone (FLUSHALL, a restart without persistence): an empty
    // Redis must not look like "customer not found".
    if (rows.includes(null)) await this.checkSeeded();
    return rows;
  }

  /** Throws NotSeededError when the version's marker is missing; one HEXISTS, kept out of the traces. */
  private async checkSeeded(): Promise<void> {
    let present: number;
    try {
      present = await context.with(suppressTracing(context.active()), () => this.redis.hexists(metaKey(this.opts.featureVersion), 'count'));
    } catch (err) {
      throw this.unavailable(err);
    }
    this.seeded = present === 1;
    if (!this.seeded) throw new NotSeededError(this.opts.featureVersion);
  }

  private async hmget(entity: string, features: readonly string[], plantedLatencyMs = 0): Promise<number[] | null> {
    if (plantedLatencyMs > 0) return (await this.batchHmget([entity], features, plantedLatencyMs, HMGET))[0] ?? null;
    try {
      return toRow(await this.redis.hmget(featureKey(this.opts.featureVersion, entity), ...features));
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  /**
   * One pipelined round trip, traced as ONE client span. The ioredis
   * instrumentation would emit a span per HMGET in the pipeline, which looks
   * exactly like an N+1 problem in a trace; it is suppressed for the pipeline.
   */
  private async batchHmget(entities: readonly string[], features: readonly string[], plantedLatencyMs: number, name = BATCH_HMGET): Promise<(number[] | null)[]> {
    // `name` HMGET: one command's span, named as the ioredis instrumentation names it.
    // No span (and no attributes built) under an unsampled parent, as instrumentation-ioredis here.
    const span = startChildSpan(name === HMGET ? 'hmget' : name, () => {
      const { host, port } = this.redis.options;
      return {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_REDIS,
          [ATTR_DB_OPERATION_NAME]: name,
          ...(name === BATCH_HMGET ? { [ATTR_DB_OPERATION_BATCH_SIZE]: entities.length } : {}),
          ...(host ? { [ATTR_SERVER_ADDRESS]: host } : {}),
          ...(port ? { [ATTR_SERVER_PORT]: port } : {}),
        },
      };
    });
    try {
      const pipeline = this.redis.pipeline();
      for (const entity of entities) pipeline.hmget(featureKey(this.opts.featureVersion, entity), ...features);
      let results: [Error | null, unknown][] | null;
      try {
        // A scenario's slow Redis: the time passes inside the client span, as a slow reply would.
        if (plantedLatencyMs > 0) await sleep(plantedLatencyMs);
        results = await context.with(suppressTracing(context.active()), () => pipeline.exec());
      } catch (err) {
        throw this.unavailable(err);
      }
      if (!results) throw new RedisUnavailableError('no reply');
      return results.map(([err, reply]) => {
        if (err) throw this.unavailable(err);
        return toRow(reply as (string | null)[]);
      });
    } catch (err) {
      recordSpanError(span, err);
      throw err;
    } finally {
      span.end();
    }
  }

  async status(): Promise<BackendStatus> {
    if (this.redis.status !== 'ready') return { ok: false, detail: `redis ${this.address} ${this.redis.status}` };
    try {
      const count = await this.redis.hget(metaKey(this.opts.featureVersion), 'count');
      this.seeded = count !== null;
      return count === null
        ? { ok: false, detail: `redis ${this.address} connected, but feature version ${this.opts.featureVersion} is not seeded (FST_NOT_SEEDED): run the seed command` }
        : { ok: true, detail: `redis ${this.address}, ${count} entities` };
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

  /** The error answered for a failed command: what happened in our words; ioredis' message and the address stay in `cause`. */
  private unavailable(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    const what = /timed out/i.test(message) ? `no reply within ${this.opts.commandTimeoutMs} ms` : this.redis.status === 'ready' ? 'command failed' : `connection lost (state: ${this.redis.status})`;
    return new RedisUnavailableError(what, { cause: new Error(`${message} (redis ${this.address})`, { cause: err }) });
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
