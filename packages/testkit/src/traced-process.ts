import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { freePort, readExportedSpans, sleep, stopProcess, type ExportedSpan } from '@mltrace/stack';
import { inheritedEnvironment } from './config';

/** What registers clean-up: a node:test TestContext (or anything with `after`). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

export interface TracedProcessOptions {
  /** Working directory: a workspace package root, so `@mltrace/tracing/register` resolves. */
  cwd: string;
  /** The script to run, absolute or relative to `cwd`, e.g. `dist/src/server.js`. */
  script: string;
  /** `OTEL_SERVICE_NAME` of the process. */
  serviceName: string;
  /**
   * More environment, winning over the defaults: `PORT`, `HOST=127.0.0.1`, `OTEL_SERVICE_NAME`,
   * `OTEL_TRACES_EXPORTER=file`, `MLTRACE_TRACES_DIR` (a fresh temp dir) and `LOG_LEVEL=warn`.
   */
  env?: Record<string, string>;
  /** The port passed as `PORT`; default a free one. */
  port?: number;
  /** Polled until it answers 2xx (e.g. `/ready`) before the call resolves; omit to return at once. */
  readyPath?: string;
  /** Default 15 000 ms. */
  readyTimeoutMs?: number;
  /** Modules to `--require` before the tracing preload. */
  preload?: string[];
}

export interface TracedProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The file exporter's directory (removed after the test). */
  readonly tracesDir: string;
  /** The exit code (null when ended by a signal), once the process and its output have ended. */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr as they arrived. */
  output(): string;
  /** Resolves once `text` appears in the output; rejects after `timeoutMs` (default 10 000). */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** The spans exported so far (all of them after `stop()`: the preload flushes at shutdown). */
  spans(): ExportedSpan[];
  /** SIGTERM (SIGKILL after `graceMs`, default 5000); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `node --require @mltrace/tracing/register <script>` as a real process with the file
 * exporter writing to a fresh temp dir, collects its output, optionally waits until `readyPath`
 * answers, and stops it (then removes the dir) after the test. A process that exits or never
 * gets ready fails the call with its output.
 */
export async function startTracedProcess(t: Cleanup, opts: TracedProcessOptions): Promise<TracedProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const tracesDir = mkdtempSync(join(tmpdir(), `mltrace-${opts.serviceName}-traces-`));
  const inherited = inheritedEnvironment();
  const requires = [...(opts.preload ?? []), '@mltrace/tracing/register'].flatMap((m) => ['--require', m]);
  const child = spawn(process.execPath, [...requires, isAbsolute(opts.script) ? opts.script : join(opts.cwd, opts.script)], {
    cwd: opts.cwd,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      OTEL_SERVICE_NAME: opts.serviceName,
      OTEL_TRACES_EXPORTER: 'file',
      MLTRACE_TRACES_DIR: tracesDir,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  const stop = async (graceMs?: number): Promise<number | null> => {
    await stopProcess(child, graceMs);
    return exited;
  };
  t.after(async () => {
    await stop();
    rmSync(tracesDir, { recursive: true, force: true });
  });

  const running: TracedProcess = {
    child,
    port,
    url,
    tracesDir,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    waitForOutput: async (text, timeoutMs = 10_000) => {
      for (const deadline = Date.now() + timeoutMs; !output.includes(text); await sleep(20)) {
        if (Date.now() > deadline) throw new Error(`${opts.serviceName} never wrote ${JSON.stringify(text)}; its output:\n${output}`);
      }
    },
    spans: () => readExportedSpans(tracesDir),
    stop,
  };
  if (opts.readyPath) {
    try {
      await untilAnswers(`${url}${opts.readyPath}`, child, opts.readyTimeoutMs ?? 15_000);
    } catch (err) {
      await stop();
      throw new Error(`${opts.serviceName}: ${(err as Error).message}; its output:\n${output}`);
    }
  }
  return running;
}

/** Polls `url` until it answers 2xx; gives up at once when the process has ended. */
async function untilAnswers(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  let last: unknown;
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err;
    }
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${String(last)})`);
}
