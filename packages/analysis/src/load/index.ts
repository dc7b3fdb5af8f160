import { stat } from 'node:fs/promises';
import type { LoadResult } from '../model';
import { TraceCollector } from './collector';
import { Ingest } from './detect';
import { LoadError } from './errors';
import { listTraceFiles, readTraceFile } from './file';
import { fetchJaegerInto, type JaegerLiveOptions } from './jaeger-live';
import { LinePool, type ParallelOptions } from './fast/parallel';

export interface LoadOptions {
  /** Called about every 10 000 spans with the number of spans read so far. */
  onProgress?: (spansSoFar: number) => void;
  /** Called with the size of each piece of a trace file as it is read (files only; see sourceBytes for the total). */
  onBytes?: (bytes: number) => void;
  /** µs; keep traces starting at or after this time (for Jaeger: the start of the window to fetch). */
  since?: number;
  /** µs; keep traces starting before this time (for Jaeger: the end of the window, default now). */
  until?: number;
  /** Keep traces that contain a span of this service (for Jaeger: the service to query; default all). */
  service?: string;
  /** Keep at most this many traces, the most recent ones. */
  limit?: number;
  /** fetch to use for Jaeger (tests, proxies). */
  fetchImpl?: typeof fetch;
  /** Threads for large JSON-lines files (see ParallelOptions); `{ threads: 1 }` reads everything on this thread. */
  parallel?: ParallelOptions;
  /**
   * OTLP/JSON lines are converted straight from their bytes (otlp-scan.ts), with JSON.parse only for
   * lines the scanner declines. false: JSON.parse for every line (the reference the scanner is tested against).
   */
  fastPath?: boolean;
}

export { LoadError } from './errors';
export { fromOtlp, fromJaegerJson, fromJson, recordKind } from './detect';
export { loadJaeger, type JaegerLiveOptions } from './jaeger-live';
export { assembleTrace } from './collector';
export type { ParallelOptions } from './fast/parallel';

/** True when a source is a Jaeger query service URL (not a file). */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/**
 * Load traces from any mix of sources into one result; spans of one trace are merged across sources.
 * Each source is a file (OTLP/JSON document, OTLP/JSON lines, Jaeger JSON, Jaeger API v3 response),
 * a directory of such files (recursively), or the http(s) URL of a Jaeger query service.
 *
 * A file that cannot be read at all throws a LoadError naming it — except inside a directory, where it
 * is counted in `skipped` with its reason so the other files still load (unless none of them do).
 */
export async function loadSources(sources: string[], opts: LoadOptions = {}): Promise<LoadResult> {
  if (sources.length === 0) throw new LoadError('no trace source given', '');
  const collector = new TraceCollector(opts);
  const ingest = new Ingest(collector, { fastPath: opts.fastPath });
  // Its workers start only if a file is large enough to need them.
  const pool = LinePool.create(opts.parallel, opts.fastPath !== false);
  try {
    await loadInto(sources, collector, ingest, pool, opts);
  } finally {
    await pool?.close();
  }
  return collector.finish();
}

async function loadInto(sources: string[], collector: TraceCollector, ingest: Ingest, pool: LinePool | undefined, opts: LoadOptions): Promise<void> {
  for (const source of sources) {
    if (isUrl(source)) {
      await fetchJaegerInto(source, collector, opts as JaegerLiveOptions);
      continue;
    }
    const info = await stat(source).catch(() => undefined);
    if (info === undefined) throw new LoadError(`${source}: no such file or directory`, source);
    if (!info.isDirectory()) {
      await readTraceFile(source, ingest, pool, opts.onBytes);
      continue;
    }
    const files = await listTraceFiles(source);
    let failures = 0;
    for (const file of files) {
      try {
        await readTraceFile(file, ingest, pool, opts.onBytes);
      } catch (err) {
        if (!(err instanceof LoadError)) throw err;
        // An exporter file that has not received spans yet is normal in a trace directory.
        if (/empty file/.test(err.message)) continue;
        failures++;
        collector.skip(err.message);
      }
    }
    if (failures > 0 && failures === files.length) {
      throw new LoadError(`${source}: none of its ${files.length} files could be read (${collector.reasons[0] ?? ''})`, source, collector.reasons);
    }
  }
}

/** Load one file (any supported format, detected by content). */
export async function loadFile(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  return loadSources([path], opts);
}

/** The bytes loadSources will read from the files among `sources` (URLs count 0): the total for progress by bytes. */
export async function sourceBytes(sources: string[]): Promise<number> {
  let total = 0;
  for (const source of sources) {
    if (isUrl(source)) continue;
    const info = await stat(source).catch(() => undefined);
    if (info === undefined) continue;
    if (!info.isDirectory()) total += info.size;
    else for (const file of await listTraceFiles(source)) total += (await stat(file).catch(() => undefined))?.size ?? 0;
  }
  return total;
}
