/**
 * Reading one unit of a JSON-lines file (the lines that start in a byte range) for the parallel
 * loader: the same parse and conversion as the single-threaded path, into a collector that keeps
 * what the unit produced instead of assembling traces. Line numbers are relative to the unit; the
 * pool, which knows how many lines came before, makes them absolute.
 */
import { createReadStream } from 'node:fs';
import type { Span } from '../../model';
import { TraceCollector } from '../collector';
import { Ingest } from '../detect';
import { LineSplitter, ingestLine } from '../lines';

export interface UnitRange {
  path: string;
  /** The unit owns the lines that start at byte offsets in [start, end). */
  start: number;
  end: number;
}

export interface RelativeNote {
  /** 1-based line within the unit. */
  line: number;
  text: string;
  count: number;
}

/** What a unit produced besides its spans. */
export interface UnitNotes {
  lines: number;
  skips: RelativeNote[];
  warnings: RelativeNote[];
  traceWarnings: Array<[string, string[]]>;
}

/** Hands spans to `onSpan` and keeps skips and warnings with the unit-relative line they came from. */
export class UnitCollector extends TraceCollector {
  line = 0;
  private skips: RelativeNote[] = [];
  private notes: RelativeNote[] = [];
  private traceNotes: Array<[string, string[]]> = [];
  constructor(private readonly onSpan: (span: Span) => void) {
    super();
  }
  override add(span: Span): void {
    this.onSpan(span);
  }
  override skip(reason: string, count = 1): void {
    this.skips.push({ line: this.line, text: reason, count });
  }
  override warn(message: string): void {
    this.notes.push({ line: this.line, text: message, count: 1 });
  }
  override addTraceWarnings(traceId: string, warnings: readonly string[]): void {
    if (warnings.length > 0) this.traceNotes.push([traceId, [...warnings]]);
  }
  /** The notes of the unit just read, leaving the collector empty for the next. */
  take(lines: number): UnitNotes {
    const notes: UnitNotes = { lines, skips: this.skips, warnings: this.notes, traceWarnings: this.traceNotes };
    this.skips = [];
    this.notes = [];
    this.traceNotes = [];
    return notes;
  }
}

/** A reader of units that keeps its converters (and so its resource caches) across units, as one load does. */
export class UnitReader {
  readonly collector: UnitCollector;
  private readonly ingest: Ingest;
  constructor(onSpan: (span: Span) => void, fastPath: boolean) {
    this.collector = new UnitCollector(onSpan);
    this.ingest = new Ingest(this.collector, { fastPath });
  }

  async read(unit: UnitRange): Promise<UnitNotes> {
    const { collector, ingest } = this;
    // From one byte early: when that byte is a newline the unit starts on a line; otherwise the
    // partial line read first belongs to the previous unit. Either way that first line is dropped.
    let pos = unit.start > 0 ? unit.start - 1 : 0;
    let drop = unit.start > 0;
    let lines = 0;
    const splitter = new LineSplitter((bytes) => {
      const lineStart = pos;
      pos += bytes.length + 1;
      if (drop) {
        drop = false;
        return;
      }
      if (lineStart >= unit.end) {
        splitter.stopped = true;
        return;
      }
      lines++;
      collector.line = lines;
      ingestLine(ingest, bytes, `${unit.path}: line ${lines}`);
    });
    const stream = createReadStream(unit.path, { start: pos, highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream) {
        splitter.feed(chunk as Buffer);
        if (splitter.stopped) break;
      }
      splitter.end();
    } finally {
      stream.destroy();
    }
    return collector.take(lines);
  }
}
