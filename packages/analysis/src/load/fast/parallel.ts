/**
 * Parallel loading of large JSON-lines files: converting lines is nearly all of a load's time and
 * lines are independent, so the file is cut into byte ranges (units) that worker threads
 * (line-worker.ts) and the main thread take in turn. Workers send compact span batches
 * (span-batch.ts); the main thread keeps what it converts itself. Units are applied to the
 * collector strictly in file order, so the result — trace order, duplicate-id renames, skip reasons
 * with absolute line numbers — is the same as a single-threaded load's.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Span } from '../../model';
import type { TraceCollector } from '../collector';
import type { LineWorkerData, UnitRequest, WorkerMessage } from './line-worker';
import { SpanBatchDecoder } from './span-batch';
import { UnitReader, type RelativeNote } from './unit-reader';

export interface ParallelOptions {
  /** Threads converting large JSON-lines files, this one included; default: the available cores, at most 4. 0 or 1: this thread alone. */
  threads?: number;
  /** Files smaller than this (bytes) are read by this thread alone; default 16 MiB. */
  minBytes?: number;
  /** Bytes per unit; default: the file cut into 8 units per thread, each 1–32 MiB. */
  unitBytes?: number;
}

const MAX_DEFAULT_THREADS = 4;
const DEFAULT_MIN_BYTES = 16 << 20;
const MIN_UNIT = 1 << 20;
const MAX_UNIT = 32 << 20;
/** Stands for the main thread where a worker's index is expected. */
const MAIN = -1;

type Outcome = WorkerMessage | { type: 'spans'; unit: number; spans: Span[] };

interface FileRun {
  path: string;
  collector: TraceCollector;
  units: Array<{ start: number; end: number }>;
  nextToSend: number;
  nextToApply: number;
  lineBase: number;
  /** Outcomes of units that are not next in file order yet, with who sent them. */
  waiting: Map<number, Array<[number, Outcome]>>;
  settled: boolean;
  /** Told the size of each unit once its spans are applied (progress by bytes). */
  onBytes: ((bytes: number) => void) | undefined;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Worker threads for one load, started on the first file that needs them; `close()` it when the load ends. */
export class LinePool {
  private readonly workers: Worker[] = [];
  private readonly decoders: SpanBatchDecoder[] = [];
  private mainSpans: Span[] = [];
  private readonly mainReader: UnitReader;
  private run: FileRun | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly threads: number,
    private readonly minBytes: number,
    private readonly unitBytes: number | undefined,
    private readonly fastPath: boolean,
  ) {
    this.mainReader = new UnitReader((span) => this.mainSpans.push(span), fastPath);
  }

  /** A pool, or undefined when the options (or the machine) allow one thread only. */
  static create(opts: ParallelOptions = {}, fastPath = true): LinePool | undefined {
    const threads = opts.threads ?? Math.min(availableParallelism(), MAX_DEFAULT_THREADS);
    if (!(threads >= 2)) return undefined;
    return new LinePool(Math.floor(threads), opts.minBytes ?? DEFAULT_MIN_BYTES, opts.unitBytes, fastPath);
  }

  /** Whether a JSON-lines file of this size is worth the threads. */
  accepts(size: number): boolean {
    return this.failure === undefined && size >= this.minBytes;
  }

  /** Reads a JSON-lines file with the threads, feeding its spans to the collector in file order. */
  readFile(path: string, size: number, collector: TraceCollector, onBytes?: (bytes: number) => void): Promise<void> {
    if (this.run !== undefined) throw new Error('LinePool reads one file at a time');
    this.startWorkers();
    const unit = this.unitBytes ?? Math.min(MAX_UNIT, Math.max(MIN_UNIT, Math.ceil(size / (this.threads * 8))));
    const units: FileRun['units'] = [];
    for (let start = 0; start < size; start += unit) units.push({ start, end: Math.min(size, start + unit) });
    return new Promise<void>((resolve, reject) => {
      const run: FileRun = { path, collector, units, nextToSend: 0, nextToApply: 0, lineBase: 0, waiting: new Map(), settled: false, onBytes, resolve, reject };
      this.run = run;
      // Two units per worker at first: one to read, one queued, so it never waits for the next.
      for (let round = 0; round < 2; round++) for (let w = 0; w < this.workers.length; w++) this.sendNext(w);
      this.mainLoop(run).catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
    }).finally(() => {
      this.run = undefined;
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const w of workers) w.removeAllListeners('exit');
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private startWorkers(): void {
    if (this.workers.length > 0) return;
    for (let w = 0; w < this.threads - 1; w++) {
      const worker = new Worker(join(__dirname, 'line-worker.js'), { workerData: { fastPath: this.fastPath } satisfies LineWorkerData });
      worker.on('message', (m: WorkerMessage) => this.onOutcome(w, m));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`line worker ${w} exited with code ${code}`)));
      this.workers.push(worker);
      this.decoders.push(new SpanBatchDecoder());
    }
  }

  /** The main thread takes the next unit whenever it is free, like a worker. */
  private async mainLoop(run: FileRun): Promise<void> {
    while (!run.settled && run.nextToSend < run.units.length) {
      const unit = run.nextToSend++;
      const spans: Span[] = [];
      this.mainSpans = spans;
      const notes = await this.mainReader.read({ path: run.path, ...run.units[unit]! });
      this.onOutcome(MAIN, { type: 'spans', unit, spans });
      this.onOutcome(MAIN, { type: 'done', unit, notes });
    }
  }

  private sendNext(w: number): void {
    const run = this.run;
    if (run === undefined || run.settled || run.nextToSend >= run.units.length) return;
    const unit = run.nextToSend++;
    const { start, end } = run.units[unit]!;
    this.workers[w]!.postMessage({ unit, path: run.path, start, end } satisfies UnitRequest);
  }

  private onOutcome(from: number, m: Outcome): void {
    const run = this.run;
    if (run === undefined || run.settled) return;
    if (m.type === 'failed') {
      this.fail(new Error(`${run.path}: ${m.message}`));
      return;
    }
    if (m.type === 'done' && from !== MAIN) this.sendNext(from);
    if (m.unit !== run.nextToApply) {
      let list = run.waiting.get(m.unit);
      if (list === undefined) run.waiting.set(m.unit, (list = []));
      list.push([from, m]);
      return;
    }
    this.apply(run, from, m);
    // Units that finished while they waited for their turn.
    for (;;) {
      const ready = run.waiting.get(run.nextToApply);
      if (ready === undefined) break;
      run.waiting.delete(run.nextToApply);
      for (const [sender, outcome] of ready) this.apply(run, sender, outcome);
    }
    if (run.nextToApply === run.units.length) {
      run.settled = true;
      run.resolve();
    }
  }

  private apply(run: FileRun, from: number, m: Outcome): void {
    const collector = run.collector;
    if (m.type === 'spans') {
      for (let i = 0; i < m.spans.length; i++) collector.add(m.spans[i]!);
      return;
    }
    if (m.type === 'batch') {
      this.decoders[from]!.decode(m.batch, (span) => collector.add(span));
      return;
    }
    if (m.type !== 'done') return;
    const { notes } = m;
    const absolute = (note: RelativeNote): string => {
      const relative = `${run.path}: line ${note.line}`;
      return note.text.replace(relative, () => `${run.path}: line ${run.lineBase + note.line}`);
    };
    for (const s of notes.skips) collector.skip(absolute(s), s.count);
    for (const n of notes.warnings) collector.warn(absolute(n));
    for (const [traceId, warnings] of notes.traceWarnings) collector.addTraceWarnings(traceId, warnings);
    run.lineBase += notes.lines;
    const { start, end } = run.units[run.nextToApply]!;
    run.onBytes?.(end - start);
    run.nextToApply++;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    const run = this.run;
    if (run === undefined || run.settled) return;
    run.settled = true;
    run.reject(err);
  }
}
