import type { TracingStats } from './types';

/** What the preload registers once the SDK is running. */
export interface TracingRuntime {
  shutdown(): Promise<void>;
  stats(): TracingStats;
  /** True once shutdown stopped waiting for the exporters (MLTRACE_SHUTDOWN_TIMEOUT_MS). */
  gaveUp?(): boolean;
  /** The sampler never records a child of an unsampled span (TracingConfig.samplerFollowsParent). */
  samplerFollowsParent?: boolean;
}

// A global slot rather than a module variable: the preload and the app may
// reach this package through different paths (symlinked workspaces), and both
// must see the same running SDK.
const SLOT = Symbol.for('mltrace.tracing.runtime');
type Slot = { [SLOT]?: TracingRuntime };

export function setTracingRuntime(runtime: TracingRuntime | undefined): void {
  (globalThis as Slot)[SLOT] = runtime;
}

function getTracingRuntime(): TracingRuntime | undefined {
  return (globalThis as Slot)[SLOT];
}

/** True when the preload started the SDK in this process. */
export function isTracingActive(): boolean {
  return getTracingRuntime() !== undefined;
}

/** True when the running preload's sampler never records a child of an unsampled span: helpers then skip such spans. */
export function skipsUnsampledChildren(): boolean {
  return getTracingRuntime()?.samplerFollowsParent === true;
}

/** Span counts of the preload's exporter pipeline; all zero when tracing is not active. */
export function getTracingStats(): TracingStats {
  return (
    getTracingRuntime()?.stats() ?? { exported: 0, droppedQueueFull: 0, droppedExportFailed: 0, droppedAtShutdown: 0, dropped: 0 }
  );
}

/**
 * Flushes and shuts the SDK down within MLTRACE_SHUTDOWN_TIMEOUT_MS (idempotent;
 * a no-op without the preload). Services call it after `app.close()` in their
 * own SIGTERM handler, so spans of the requests drained by close() are exported.
 */
export function shutdownTracing(): Promise<void> {
  return getTracingRuntime()?.shutdown() ?? Promise.resolve();
}
