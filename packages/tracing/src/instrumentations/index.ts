import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation, type HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PinoInstrumentation, type PinoInstrumentationConfig } from '@opentelemetry/instrumentation-pino';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { TracingConfig } from '../types';
import { MltraceUndiciInstrumentation } from './undici';

/** Probes that would flood traces without telling anything about the pipeline. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/health', '/ready']);

function pathOf(url: string | undefined): string {
  if (!url) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function httpConfig(): HttpInstrumentationConfig {
  return {
    ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.has(pathOf(req.url)),
  };
}

function pinoConfig(config: TracingConfig): PinoInstrumentationConfig {
  // Correlation (trace_id/span_id on each log line) always; sending log records only when a logs exporter is set up.
  return { disableLogSending: !config.logsConfigured };
}

function fastifyInstrumentation(): Instrumentation {
  // registerOnInitialization: patches every fastify instance created after the preload, with no change to app code.
  // Hook and handler child spans are off: instrumentation-http's server span (renamed `POST /v1/predict` from the
  // route @fastify/otel reports) and the request span carry what analysis needs, at a fraction of the per-request cost.
  return new FastifyOtelInstrumentation({
    registerOnInitialization: true,
    instrumentHooks: false,
    instrumentHandler: false,
    ignorePaths: (opts: { url: string }) => UNTRACED_PATHS.has(opts.url),
    requestHook: (span, request) => {
      const route = request.routeOptions.url;
      if (route) span.updateName(`fastify ${request.method} ${route}`);
    },
  }) as unknown as Instrumentation;
}

/**
 * `curated` (default): http (incoming /health and /ready ignored), undici (with
 * the hand-set traceparent fix), fastify through @fastify/otel, ioredis, pino.
 * fs, dns and net are not loaded at all.
 *
 * `all`: @opentelemetry/auto-instrumentations-node's default set (its own
 * defaults: fs off, dns and net on), with the same http, undici, pino and
 * fastify setup; it exists to measure what "instrument everything" costs.
 */
export function createInstrumentations(config: TracingConfig): Instrumentation[] {
  const common: Instrumentation[] = [new MltraceUndiciInstrumentation(), fastifyInstrumentation()];
  if (config.instrumentations === 'all') {
    // Our own http instance, created before the auto package loads. Built by the auto
    // package after @fastify/otel's instance (which brings its own copy of
    // @opentelemetry/instrumentation), `http` was left unpatched: no server spans at all.
    // The preload test for `all` guards this.
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
    new IORedisInstrumentation({ requireParentSpan: true }),
    new PinoInstrumentation(pinoConfig(config)),
    ...common,
  ];
}
