import type { ChildProcess } from 'node:child_process';

/** A process of the system that ended while the system was running and nobody had asked it to stop. */
export interface UnexpectedExit {
  /** The service's name, or `redis-server` for the private Redis. */
  name: string;
  /** Its exit code; null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null;
  pid: number | undefined;
  /** Where its output went (services only). */
  logFile?: string;
}

/** One line for the stack's output: which process ended, how, and where to look. */
export function describeExit(exit: UnexpectedExit): string {
  const how = exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
  const log = exit.logFile ? `; its log: ${exit.logFile}` : '';
  return `${exit.name} (pid ${exit.pid ?? '?'}) exited unexpectedly (${how})${log}. The rest keeps running; requests that need it fail until the system is restarted.`;
}

/** The default report of an unexpected exit: one line on stderr, as it happens. */
export function reportExit(exit: UnexpectedExit): void {
  console.error(`mltrace stack: ${describeExit(exit)}`);
}

const live = new Set<ChildProcess>();

function killLive(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

/**
 * Until `release`, SIGTERM `child` if this process exits without stopping it (an uncaught
 * error, process.exit): its processes would otherwise outlive it, the more so when they run in a
 * process group of their own and a terminal's Ctrl-C no longer reaches them.
 */
export function killOnExit(child: ChildProcess): void {
  if (live.size === 0) process.on('exit', killLive);
  live.add(child);
  child.once('exit', () => release(child));
}

export function release(child: ChildProcess): void {
  live.delete(child);
  if (live.size === 0) process.off('exit', killLive);
}
