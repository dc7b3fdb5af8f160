/** Loading and analysing with progress on a terminal, and writing output to stdout or --out. */
import { writeFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { analyze, ANALYZE_STEPS, type AnalysisReport } from '../analyses/analyze';
import type { AnalysisOptions } from '../analyses/options';
import { loadSources, sourceBytes, type LoadOptions } from '../load';
import type { LoadResult, Trace } from '../model';

/** The bars appear only on a terminal (stderr), never in piped output, and only for long runs. */
const LOAD_BAR_MIN_BYTES = 16 * 1024 * 1024;
const ANALYZE_BAR_MIN_TRACES = 20_000;
const MB = 1024 * 1024;

function bar(format: string): SingleBar {
  return new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true, noTTYOutput: false, etaBuffer: 50 }, undefined);
}

/**
 * Loads with progress on a terminal: the bytes read of the files' total, the spans so far and an
 * estimate of the time left (a Jaeger URL has no total: its spans are counted only).
 */
export async function loadWithProgress(sources: string[], opts: Omit<LoadOptions, 'onProgress' | 'onBytes'> = {}, minBytes = LOAD_BAR_MIN_BYTES): Promise<LoadResult> {
  const total = process.stderr.isTTY === true ? await sourceBytes(sources) : 0;
  if (total === 0 || total < minBytes) return loadSources(sources, opts);
  const progress = bar('loading traces [{bar}] {percentage}% | {read}/{totalMb} MB | {spans} spans | ETA {eta_formatted}');
  let read = 0;
  let spans = 0;
  progress.start(total, 0, { read: '0', totalMb: (total / MB).toFixed(0), spans: '0' });
  const update = () => progress.update(read, { read: (read / MB).toFixed(0), spans: spans.toLocaleString('en-US') });
  try {
    return await loadSources(sources, {
      ...opts,
      onBytes: (n) => {
        read += n;
        update();
      },
      onProgress: (n) => {
        spans = n;
        update();
      },
    });
  } finally {
    progress.stop();
  }
}

/** analyze() with its steps shown on a terminal for large inputs (nothing on stdout). */
export function analyzeWithProgress(traces: readonly Trace[], opts: AnalysisOptions, minTraces = ANALYZE_BAR_MIN_TRACES): AnalysisReport {
  if (process.stderr.isTTY !== true || traces.length < minTraces) return analyze(traces, opts);
  const progress = bar(`analysing ${traces.length.toLocaleString('en-US')} traces [{bar}] {value}/{total} | {phase}`);
  progress.start(ANALYZE_STEPS.length, 0, { phase: ANALYZE_STEPS[0] });
  try {
    return analyze(traces, { ...opts, onPhase: (phase, done) => progress.update(done, { phase }) });
  } finally {
    progress.stop();
  }
}

export function reportSkipped(result: LoadResult): void {
  if (result.duplicatesDropped) process.stderr.write(`mltrace: dropped ${result.duplicatesDropped} exact duplicate span(s) (same trace, id, start, duration, name and service as one already loaded)\n`);
  if (!result.skipped.count) return;
  process.stderr.write(`mltrace: skipped ${result.skipped.count} malformed record(s):\n${result.skipped.reasons.map((r) => `  ${r}`).join('\n')}\n`);
}

export async function emit(text: string, out: string | undefined): Promise<void> {
  if (out) {
    await writeFile(out, text);
    process.stderr.write(`mltrace: wrote ${out}\n`);
  } else {
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
  }
}
