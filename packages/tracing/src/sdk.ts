import { NodeSDK } from '@opentelemetry/sdk-node';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { Sampler, SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME } from './semconv';
import { createTraceExporters } from './exporters/create';
import { createInstrumentations } from './instrumentations';
import { CountingBatchSpanProcessor, SpanCounters } from './processors/counting-batch-processor';
import { BaggageAttributesSpanProcessor } from './processors/baggage-attributes';
import { DropReporter } from './processors/drop-reporter';
import { createPropagator } from './propagation/composite';
import { setTracingRuntime, type TracingRuntime } from './runtime';
import type { TracingConfig } from './types';

export type WarnLine = (message: string) => void;

interface SamplingModule {
  createSampler(opts: {
    serviceName: string;
    strategiesFile?: string;
    remoteUrl?: string;
    remotePollMs?: number;
    warn?: (message: string) => void;
  }): Sampler;
}

/**
 * The sampler from MLTRACE_SAMPLING_* (src/sampling), or undefined so the SDK
 * applies OTEL_TRACES_SAMPLER/_ARG as usual. A broken sampling setup costs the
 * sampling choice, not tracing: one warning and the SDK default.
 */
function createConfiguredSampler(config: TracingConfig, warn: WarnLine): Sampler | undefined {
  const { strategiesFile, remoteUrl, remotePollMs } = config.sampling;
  if (!strategiesFile && !remoteUrl) return undefined;
  try {
    // Required lazily: the sampling module is only loaded when configured.
    const sampling = require('./sampling') as SamplingModule;
    return sampling.createSampler({ serviceName: config.serviceName, strategiesFile, remoteUrl, remotePollMs, warn: (m) => warn(`sampling: ${m}`) });
  } catch (err) {
    warn(`sampling setup failed (${(err as Error).message}); using the OTEL_TRACES_SAMPLER default instead`);
    return undefined;
  }
}

/**
 * Starts the NodeSDK as configured and registers the runtime that
 * shutdownTracing()/getTracingStats() reach. Returns undefined when
 * OTEL_SDK_DISABLED=true. Throws when the SDK cannot start; the preload
 * turns that into one warning.
 */
export function startTracing(config: TracingConfig, warn: WarnLine): TracingRuntime | undefined {
  if (config.disabled) return undefined;

  const counters = new SpanCounters();
  // Drops are announced while the process runs (at most one line per interval) and totalled at shutdown.
  const dropReporter = new DropReporter(counters, config.dropReportIntervalMs, warn);
  const batchers = createTraceExporters(config).map((exporter) => new CountingBatchSpanProcessor(exporter, counters, config.bsp));
  // With no exporter (OTEL_TRACES_EXPORTER=none) no tracer provider is registered at all: context still propagates, spans cost nothing.
  const spanProcessors: SpanProcessor[] = batchers.length > 0 ? [new BaggageAttributesSpanProcessor(), ...batchers] : [];
  const sampler = createConfiguredSampler(config, warn);

  const sdk = new NodeSDK({
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: config.serviceName,
        [ATTR_SERVICE_VERSION]: config.serviceVersion,
        [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
      }),
    ),
    serviceName: config.serviceName,
    spanProcessors,
    textMapPropagator: createPropagator(config.propagators, { writeXHeaders: config.writeXHeaders }),
    instrumentations: createInstrumentations(config),
    ...(sampler ? { sampler } : {}),
    // The SDK would default both to OTLP; mltrace exports only traces unless asked.
    ...(config.metricsConfigured ? {} : { metricReaders: [] }),
    ...(config.logsConfigured ? {} : { logRecordProcessors: [] }),
  });
  try {
    sdk.start();
  } catch (err) {
    void sdk.shutdown().catch(() => {});
    throw err;
  }

  let shutdownPromise: Promise<void> | undefined;
  let gaveUp = false;
  let reportedDropped = 0;
  /** One line with the totals, printed at shutdown (and again at exit only if more spans were lost since). */
  const report = (): void => {
    const s = counters.snapshot();
    if (s.dropped <= reportedDropped) return;
    reportedDropped = s.dropped;
    warn(
      `dropped ${s.dropped} spans (queue full: ${s.droppedQueueFull}, export failed: ${s.droppedExportFailed}, ` +
        `unsent at shutdown: ${s.droppedAtShutdown}); exported ${s.exported}` +
        (gaveUp ? `; shutdown gave up after ${config.shutdownTimeoutMs} ms (MLTRACE_SHUTDOWN_TIMEOUT_MS)` : ''),
    );
  };
  /** Spans still waiting or in flight are lost from here on: count them once. */
  const giveUp = (): void => {
    if (counters.closed) return;
    counters.droppedAtShutdown += batchers.reduce((n, b) => n + b.queued(), 0) + counters.inFlight;
    counters.closed = true;
  };
  const finish = (): void => {
    dropReporter.stop();
    giveUp();
    report();
  };

  const runtime: TracingRuntime = {
    stats: () => counters.snapshot(),
    shutdown: () =>
      (shutdownPromise ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          gaveUp = true;
          finish();
          resolve();
        }, config.shutdownTimeoutMs);
        // A rejection means failed exports, which CountingSpanExporter has already counted.
        void sdk
          .shutdown()
          .catch(() => undefined)
          .then(() => {
            clearTimeout(timer);
            finish();
            resolve();
          });
      })),
    gaveUp: () => gaveUp,
    samplerFollowsParent: config.samplerFollowsParent,
  };
  setTracingRuntime(runtime);
  installProcessHooks(runtime, finish);
  return runtime;
}

/**
 * SIGTERM/SIGINT: when the app has its own handler (services close fastify
 * first, then call shutdownTracing()), the preload stays out of the way;
 * otherwise it flushes within the timeout and re-raises the signal so the
 * process ends exactly as it would have without tracing. beforeExit flushes a
 * process that simply runs out of work; exit (sync only) reports what was lost.
 */
function installProcessHooks(runtime: TracingRuntime, onExit: () => void): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return;
    process.removeListener(signal, onSignal);
    void runtime.shutdown().finally(() => process.kill(process.pid, signal));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A process that ran out of work: flush, and if the flush had to be given up (a collector that
  // never answers), end the process now rather than when the abandoned export times out.
  process.once('beforeExit', () => void runtime.shutdown().then(() => runtime.gaveUp?.() && process.exit()));
  process.once('exit', onExit);
}
