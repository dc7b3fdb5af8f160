import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { PinoInstrumentation, type PinoInstrumentationConfig } from '@opentelemetry/instrumentation-pino';
import type { TracingConfig } from '../types';
import { fastifyInstrumentation } from './fastify';
import { MltraceIORedisInstrumentation } from './ioredis';
import { MltraceUndiciInstrumentation } from './undici';

/**
 * Outgoing requests of the `http` module only: the SERVER span of each request
 * is mltrace's fastify hook's (src/instrumentations/fastify.ts). With incoming spans on
 * too, every request had two spans of the same extent (an http SERVER span and
 * an INTERNAL fastify `request` span): a quarter of all spans, and the
 * instrumentation's own per-request work (attributes in two semconv versions,
 * emitter binding), for nothing analysis read twice.
 */
function httpConfig(): HttpInstrumentationConfig {
  return { disableIncomingRequestInstrumentation: true };
}

function pinoConfig(config: TracingConfig): PinoInstrumentationConfig {
  // Correlation (trace_id/span_id on each log line) always; sending log records only when a logs exporter is set up.
  return { disableLogSending: !config.logsConfigured };
}

/**
 * `curated` (default): fastify through mltrace's server-span hooks (/health
 * and /ready untraced), http (outgoing only), undici (with the hand-set
 * traceparent fix), ioredis (no span under an unsampled parent), pino.
 * fs, dns and net are not loaded at all.
 *
 * `all`: @opentelemetry/auto-instrumentations-node's default set (its own
 * defaults: fs off, dns and net on), with the same http, undici, pino and
 * fastify setup; it exists to measure what "instrument everything" costs.
 */
export function createInstrumentations(config: TracingConfig): Instrumentation[] {
  const common: Instrumentation[] = [new MltraceUndiciInstrumentation({ followsParentSampling: config.samplerFollowsParent }), fastifyInstrumentation(config.samplerFollowsParent)];
  if (config.instrumentations === 'all') {
    // Our own http instance, created before the auto package loads (with the auto package's
    // instance, `http` was once left unpatched: no server spans at all). The preload test for
    // `all` guards this.
    const http = new HttpInstrumentation(httpConfig());
    const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node') as typeof import('@opentelemetry/auto-instrumentations-node');
    return [
      http,
      ...getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-http': { enabled: false },
        '@opentelemetry/instrumentation-undici': { enabled: false },
        '@opentelemetry/instrumentation-pino': pinoConfig(config),
        '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true },
      }),
      ...common,
    ];
  }
  return [
    new HttpInstrumentation(httpConfig()),
    new MltraceIORedisInstrumentation({ requireParentSpan: true, followsParentSampling: config.samplerFollowsParent }),
    new PinoInstrumentation(pinoConfig(config)),
    ...common,
  ];
}
