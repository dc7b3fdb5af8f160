import { context, diag, DiagConsoleLogger, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { TracerProvider, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createTraceExporters } from './exporters/create';
import { createInstrumentations } from './instrumentations';
import { startMetricsAndLogs } from './metrics-logs';
import { CountingBatchSpanProcessor, SpanCounters } from './processors/counting-batch-processor';
import { BaggageAttributesSpanProcessor } from './processors/baggage-attributes';
import { DropReporter } from './processors/drop-reporter';
import { createPropagator } from './propagation/composite';
import { createResource } from './resource';
import { setTracingRuntime, type TracingRuntime } from './runtime';
import { createSdkSampler } from './sdk-sampler';
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
 * The sampler from MLTRACE_SAMPLING_* (src/sampling), or undefined for the one
 * OTEL_TRACES_SAMPLER/_ARG name. A broken sampling setup costs the
 * sampling choice, not tracing: one warning and that sampler instead.
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
 * Starts tracing as configured (tracer provider, context manager, propagator,
 * instrumentations; metrics and logs when asked for) and registers the runtime
 * that shutdownTracing()/getTracingStats() reach. Returns undefined when
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
  // Built before anything is registered, as NodeSDK's constructor built them: a bad setting throws here.
  const instrumentations = createInstrumentations(config);
  const sampler = createConfiguredSampler(config, warn) ?? createSdkSampler(config.sdkSampler);
  const resource = createResource(config);

  // Traces are set up here from the pieces of the SDK (what NodeSDK does for traces, without
  // loading its metrics and logs SDKs and every exporter: ≈ 0.2 s of CPU at each start). With
  // metrics or logs asked for, NodeSDK starts first and also applies OTEL_LOG_LEVEL and registers
  // the context manager (the same AsyncLocalStorage one).
  let metricsAndLogs: { shutdown(): Promise<void> } | undefined;
  let tracerProvider: TracerProvider | undefined;
  try {
    metricsAndLogs = config.metricsConfigured || config.logsConfigured ? startMetricsAndLogs(config, resource) : undefined;
    if (!metricsAndLogs) {
      if (config.logLevel) diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(config.logLevel) });
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    }
    propagation.setGlobalPropagator(createPropagator(config.propagators, { writeXHeaders: config.writeXHeaders }));
    if (spanProcessors.length > 0) {
      tracerProvider = new TracerProvider({ resource, sampler, spanLimits: config.spanLimits, spanProcessors });
      trace.setGlobalTracerProvider(tracerProvider);
    }
    // Last, so that the instrumentations get the tracer provider and, when NodeSDK set one up, the meter provider.
    registerInstrumentations({ instrumentations });
  } catch (err) {
    // Half a setup would trace part of the app while the preload says tracing is off: take it all back.
    for (const instrumentation of instrumentations) instrumentation.disable();
    trace.disable();
    context.disable();
    propagation.disable();
    dropReporter.stop();
    void Promise.all([tracerProvider?.shutdown(), metricsAndLogs?.shutdown()]).catch(() => undefined);
    throw err;
  }
  const providers = {
    shutdown: () => Promise.all([tracerProvider?.shutdown(), metricsAndLogs?.shutdown()]).then(() => undefined),
  };

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
        void providers
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
