import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { TraceFlags } from '@opentelemetry/api';
import { BatchSpanProcessor, type BatchSpanProcessorOptions, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';

/** The batch settings (OTEL_BSP_*); the exporter is passed apart. */
export type BatchSettings = Omit<BatchSpanProcessorOptions, 'exporter'>;
import type { TracingStats } from '../types';

/** Mutable counters behind TracingStats. */
export class SpanCounters {
  exported = 0;
  droppedQueueFull = 0;
  droppedExportFailed = 0;
  droppedAtShutdown = 0;
  /** Spans handed to the exporter whose result has not come back yet. */
  inFlight = 0;
  /** Set once shutdown gave up: results arriving later were already counted as dropped. */
  closed = false;
  /** The message of the latest failed export, for the drop announcements. */
  lastExportError: string | undefined;
  /** Called after any drop is counted (DropReporter announces it). */
  onDrop: () => void = () => {};

  snapshot(): TracingStats {
    return {
      exported: this.exported,
      droppedQueueFull: this.droppedQueueFull,
      droppedExportFailed: this.droppedExportFailed,
      droppedAtShutdown: this.droppedAtShutdown,
      dropped: this.droppedQueueFull + this.droppedExportFailed + this.droppedAtShutdown,
    };
  }
}

/** Wraps an exporter to count spans whose export succeeded or failed. */
export class CountingSpanExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly counters: SpanCounters,
    private readonly onFailure: (error: Error | undefined) => void = () => {},
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const n = spans.length;
    const c = this.counters;
    c.inFlight += n;
    let done = false;
    const finish = (result: ExportResult): void => {
      if (done) return;
      done = true;
      c.inFlight -= n;
      if (!c.closed) {
        if (result.code === ExportResultCode.SUCCESS) c.exported += n;
        else {
          c.droppedExportFailed += n;
          c.lastExportError = result.error?.message ?? 'unknown error';
          this.onFailure(result.error);
          c.onDrop();
        }
      }
      resultCallback(result);
    };
    try {
      this.inner.export(spans, finish);
    } catch (err) {
      finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * The SDK's BatchSpanProcessor (bounded queue, batched export, OTEL_BSP_*
 * settings) plus a count of the spans it drops when the queue is full. The SDK
 * only logs that at debug level; here every drop is counted in SpanCounters.
 */
export class CountingBatchSpanProcessor extends BatchSpanProcessor {
  private readonly maxQueue: number;
  private shuttingDown = false;

  constructor(
    exporter: SpanExporter,
    private readonly counters: SpanCounters,
    config: BatchSettings,
    onExportFailure?: (error: Error | undefined) => void,
  ) {
    super({ ...config, exporter: new CountingSpanExporter(exporter, counters, onExportFailure) });
    this.maxQueue = config.maxQueueSize ?? 2048;
  }

  /** Spans waiting in the SDK's queue (not yet handed to the exporter). */
  queued(): number {
    // The SDK keeps its queue in this field (sdk-trace 3.x); pinned versions, covered by a test.
    const q = (this as unknown as { _finishedSpans?: unknown[] })._finishedSpans;
    return Array.isArray(q) ? q.length : 0;
  }

  override onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) {
      // The SDK ignores spans that end after shutdown began (e.g. requests still in flight at SIGTERM).
      if (this.shuttingDown) this.counters.droppedAtShutdown++;
      else if (this.queued() >= this.maxQueue) {
        this.counters.droppedQueueFull++;
        this.counters.onDrop();
      }
    }
    super.onEnd(span);
  }

  override shutdown(): Promise<void> {
    this.shuttingDown = true;
    return super.shutdown();
  }
}
