import { SingleBar } from 'cli-progress';
import type { Stats } from './stats';

/** A live one-line status on stderr while a run is going; nothing at all when stderr is not a TTY. */
export function startProgress(stats: Stats, total: number, enabled: boolean): () => void {
  if (!enabled || !process.stderr.isTTY) return () => undefined;
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'load [{bar}] {value}/{total} sent | {completed} done | {errors} errors | p99 {p99} ms',
    hideCursor: true,
    clearOnComplete: true,
    fps: 4,
  });
  const payload = () => ({ completed: stats.completed, errors: stats.errors, p99: stats.percentileMs(99).toFixed(1) });
  bar.start(total, 0, payload());
  const timer = setInterval(() => bar.update(stats.sent + stats.dropped, payload()), 250);
  return () => {
    clearInterval(timer);
    bar.update(stats.sent + stats.dropped, payload());
    bar.stop();
  };
}
