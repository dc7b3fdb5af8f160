/** Loading with a progress bar, and writing output to stdout or --out. */
import { writeFile } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import { loadSources, type LoadOptions } from '../load';
import type { LoadResult } from '../model';

/** The bar appears only on a terminal and only once this many spans have been read. */
const PROGRESS_THRESHOLD = 5000;

export async function loadWithProgress(sources: string[], opts: Omit<LoadOptions, 'onProgress'> = {}): Promise<LoadResult> {
  let bar: SingleBar | undefined;
  const tty = process.stderr.isTTY === true;
  const onProgress = (n: number) => {
    if (!tty || n < PROGRESS_THRESHOLD) return;
    if (!bar) {
      bar = new SingleBar({ format: 'loading traces {value} spans | {duration_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true, noTTYOutput: false }, undefined);
      bar.start(Number.MAX_SAFE_INTEGER, n);
    }
    bar.update(n);
  };
  try {
    const result = await loadSources(sources, { ...opts, onProgress });
    return result;
  } finally {
    bar?.stop();
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
