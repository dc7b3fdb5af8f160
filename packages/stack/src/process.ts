import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { spawnSync } from 'node:child_process';

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `url` until it answers 2xx or the deadline passes. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms: ${String(last)}`);
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RedisServer {
  port: number;
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a private, non-persistent redis-server on a free loopback port (or `port`). A free
 * port can be taken by another process before redis binds it, so that case is retried.
 * `detached`: in a process group of its own, so a terminal's Ctrl-C does not reach it (the
 * caller stops it, in its turn).
 */
export async function startRedisServer(port?: number, opts: { detached?: boolean } = {}): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisOn(port ?? (await freePort()), opts.detached === true);
    } catch (err) {
      if (port !== undefined || attempt >= 3 || !/Address already in use/i.test(String(err))) throw err;
    }
  }
}

async function startRedisOn(p: number, detached: boolean): Promise<RedisServer> {
  const child = spawn(
    'redis-server',
    ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'], detached },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${p}: ${output}`)), 10_000);
    const onData = () => {
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
    // No binary (ENOENT) or not executable: a clear rejection, not an unhandled 'error' event that ends the caller.
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const hint = err.code === 'ENOENT' ? ' (not installed: `apt-get install redis-server`, or use REDIS_URL)' : '';
      reject(new Error(`redis-server could not be started: ${err.message}${hint}`));
    });
  });
  return {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    process: child,
    stop: () => stopProcess(child),
  };
}

/**
 * True while a process with this pid runs. Signal 0 checks that the pid exists without signalling
 * it (EPERM: it exists but is someone else's). A zombie (exited, not yet reaped) is not running:
 * a lab runner or a detached Jaeger outlives the command that started it, so its parent is init,
 * and an init that reaps late (every ~2 s in some sandboxes) or never (a container whose PID 1 is
 * not an init) would keep `lab stop` and `jaeger --stop` waiting for a process that has ended.
 */
export function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !hasEnded(pid);
}

/**
 * Linux: the process is a zombie (state Z in /proc/<pid>/stat, after the parenthesised command
 * name) or already gone. Without /proc (macOS): false, and signal 0 alone decides.
 */
function hasEnded(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux';
  }
  const end = stat.lastIndexOf(')');
  return stat.slice(end + 2, end + 3) === 'Z';
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
