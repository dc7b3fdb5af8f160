import type { SpanCounters } from './counting-batch-processor';

/**
 * Announces dropped spans while the process runs, at most one line per interval: the first drop
 * is reported at once, later ones are gathered until the interval since the last line is over.
 * A drop costs one boolean check on the hot path (a queue-full drop happens in onEnd); the line
 * is written from an unref'd timer, which never keeps the process alive.
 */
export class DropReporter {
  private lastLineAt = -Infinity;
  private reported = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly counters: SpanCounters,
    private readonly intervalMs: number,
    private readonly warn: (line: string) => void,
  ) {
    counters.onDrop = () => this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.stopped) return;
    const wait = Math.max(0, this.lastLineAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.line(), wait);
    this.timer.unref();
  }

  private line(): void {
    this.timer = undefined;
    const s = this.counters.snapshot();
    const added = s.dropped - this.reported;
    if (added <= 0 || this.stopped) return;
    const since = Number.isFinite(this.lastLineAt) ? ` in the last ${((Date.now() - this.lastLineAt) / 1000).toFixed(1)} s` : '';
    const error = this.counters.lastExportError ? `, last export error: ${this.counters.lastExportError}` : '';
    this.warn(
      `dropped ${added} spans${since} (queue full: ${s.droppedQueueFull}, export failed: ${s.droppedExportFailed} so far${error}); ` +
        `${s.dropped} dropped and ${s.exported} exported since start`,
    );
    this.reported = s.dropped;
    this.lastLineAt = Date.now();
  }

  /** From shutdown on, the final report (sdk.ts) says what was lost: no more interval lines. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
