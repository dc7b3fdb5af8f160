import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '@mltrace/stack';
import { deriveBackendConfig, type DeriveOptions } from './backend-config';
import { jaegerConfig } from './config';
import { distinctFreePorts } from './ports';
import { ToolError } from './errors';
import { ensureTool } from './tools';

/** What the collector (and so Jaeger v2) logs once every component has started. */
const READY_LINE = 'Everything is ready';

export interface BackendOptions extends Omit<DeriveOptions, 'port'> {
  /** The configuration file as the repository has it. */
  configFile: string;
  /** Label for errors and the temp folder, e.g. 'jaeger' or 'collector'. */
  name: string;
  /** 'free' (default): every port the file names becomes a free loopback port; 'as-configured' keeps them. */
  ports?: 'free' | 'as-configured';
  /** Copy the process's output to this process's stderr as it comes (for `npm run jaeger`). */
  echo?: boolean;
  /** How long start-up may take; default 60 s. */
  readyTimeoutMs?: number;
}

export interface RunningBackend {
  readonly child: ChildProcess;
  /** The port used for a port the repository's file names, e.g. `port(4318)`. */
  port(configured: number): number;
  /** The derived configuration file the process runs with. */
  readonly configPath: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (SIGKILL after 10 s); removes the temp folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the Jaeger v2 binary (the collector distribution with Jaeger's extensions) with a
 * configuration derived from one of the repository's files (see deriveBackendConfig), and waits
 * until it reports that every component is running. A port taken between the check and the bind
 * is retried with other ports.
 */
export async function startBackend(opts: BackendOptions): Promise<RunningBackend> {
  const { path: binary } = await ensureTool('jaeger');
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binary, opts);
    } catch (err) {
      if (opts.ports === 'as-configured' || attempt >= 3 || !/address already in use/i.test(String((err as Error).message))) throw err;
    }
  }
}

async function startOnce(binary: string, opts: BackendOptions): Promise<RunningBackend> {
  // deriveBackendConfig maps ports synchronously: find out which ports the file names, then pick.
  const text = readFileSync(opts.configFile, 'utf8');
  const names = [...deriveBackendConfig(text, opts).ports.keys()];
  const free = opts.ports === 'as-configured' ? names : await distinctFreePorts(names.length);
  const chosen = new Map(names.map((p, i) => [p, free[i]!]));
  const derived = deriveBackendConfig(text, { ...opts, port: (p) => chosen.get(p) ?? p });

  const dir = mkdtempSync(join(tmpdir(), `mltrace-${opts.name}-`));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, derived.yaml);
  // Jaeger traces its own query service to OTLP at localhost:4317 by default: into itself when on
  // the configured ports (a `jaeger` service in every search, and in `mltrace analyze` of it), into
  // whatever listens there otherwise, and at shutdown it waits ~10 s for an export that cannot
  // succeed. Its own traces are of no use here: its tracer samples nothing.
  const env = { ...jaegerConfig().inherited, OTEL_TRACES_SAMPLER: 'always_off' };
  const child = spawn(binary, ['--config', configPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer) => {
    output = (output + d.toString()).slice(-1_000_000);
    if (opts.echo) process.stderr.write(d);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  let stopping: Promise<void> | undefined;
  const backend: RunningBackend = {
    child,
    port: (configured) => {
      const p = derived.ports.get(configured);
      if (p === undefined) throw new Error(`${opts.configFile} does not listen on ${configured}`);
      return p;
    },
    configPath,
    output: () => output,
    stop: () =>
      (stopping ??= (async () => {
        await stopProcess(child, 10_000);
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };

  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (output.includes(READY_LINE)) done();
        else if (child.exitCode !== null || child.signalCode !== null) done(`exited (${child.exitCode ?? child.signalCode}) while starting`);
        else if (Date.now() > deadline) done(`not ready after ${timeoutMs} ms`);
      }, 50);
      const deadline = Date.now() + timeoutMs;
      const done = (problem?: string) => {
        clearInterval(timer);
        if (problem) reject(new ToolError('TOOL_NOT_READY', `${opts.name} (${opts.configFile}) ${problem}; its output:\n${tail(output)}`));
        else resolve();
      };
      child.once('error', (err) => done(`could not start: ${err.message}`));
    });
  } catch (err) {
    await backend.stop();
    throw err;
  }
  return backend;
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
