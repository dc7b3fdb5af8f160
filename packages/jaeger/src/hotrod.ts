import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { sleep, stopProcess } from '@mltrace/stack';
import { distinctFreePorts } from './ports';
import { jaegerConfig } from './config';
import { ToolError } from './errors';
import { ensureTool } from './tools';

export interface HotrodOptions {
  /** OTLP/HTTP endpoint HotROD exports to (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. a RunningJaeger's otlpHttpUrl. */
  otlpEndpoint: string;
  /** Jaeger UI for HotROD's "find trace" links; default none useful. */
  jaegerUi?: string;
  /** Extra command-line flags, e.g. HotROD's documented fixes `--fix-disable-db-conn-mutex`. */
  args?: string[];
  readyTimeoutMs?: number;
}

export interface RunningHotrod {
  readonly child: ChildProcess;
  /** The frontend, e.g. http://127.0.0.1:PORT (`/dispatch?customer=123` orders a ride). */
  readonly url: string;
  output(): string;
  /** SIGTERM; HotROD's exporters flush on the way out. */
  stop(): Promise<void>;
}

/**
 * Starts HotROD (`hotrod all`: frontend, customer, driver, route in one process, with its simulated
 * MySQL and Redis) on free loopback ports, exporting its traces over OTLP/HTTP.
 */
export async function startHotrod(opts: HotrodOptions): Promise<RunningHotrod> {
  const { path } = await ensureTool('hotrod');
  // A free port can be taken between the check and HotROD's bind: then try other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(path, opts);
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(path: string, opts: HotrodOptions): Promise<RunningHotrod> {
  const [frontend, customer, driver, route] = (await distinctFreePorts(4)) as [number, number, number, number];
  const ports = { frontend, customer, driver, route };
  const args = ['all'];
  for (const [service, port] of Object.entries(ports)) args.push(`--${service}-service-hostname`, '127.0.0.1', `--${service}-service-port`, String(port));
  if (opts.jaegerUi) args.push('--jaeger-ui', opts.jaegerUi);
  args.push(...(opts.args ?? []));
  const child = spawn(path, args, {
    env: { ...jaegerConfig().inherited, OTEL_EXPORTER_OTLP_ENDPOINT: opts.otlpEndpoint },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (d: Buffer) => void (output = (output + d.toString()).slice(-1_000_000));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${ports.frontend}`;
  const hotrod: RunningHotrod = { child, url, output: () => output, stop: () => stopProcess(child, 10_000) };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new ToolError('TOOL_NOT_READY', `hotrod exited (${child.exitCode ?? child.signalCode}) while starting:\n${output.slice(-3000)}`);
    // A TCP connect, not a request: a request would be traced, a trace no test asked for.
    // All four: `all` starts them side by side.
    if ((await Promise.all(Object.values(ports).map(accepts))).every(Boolean)) return hotrod;
    if (Date.now() > deadline) {
      await hotrod.stop();
      throw new ToolError('TOOL_NOT_READY', `hotrod's frontend did not answer at ${url} in time:\n${output.slice(-3000)}`);
    }
    await sleep(200);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
