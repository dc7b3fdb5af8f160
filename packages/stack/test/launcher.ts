// Runs the real `npm start` (or its launcher) as a process, as a user would, for the stop tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { REPO_ROOT } from '../src/paths';
import { isAlive, sleep } from '../src/process';
import { readRunningStack, stackStateFile, type StackState } from '../src/state-file';
import { commandLine, descendants } from './descendants';

export const START_JS = join(REPO_ROOT, 'packages', 'stack', 'dist', 'src', 'bin', 'start.js');
export const DEMO_JS = join(REPO_ROOT, 'packages', 'stack', 'dist', 'src', 'bin', 'demo.js');

export interface Launched {
  child: ChildProcess;
  /** Its folder (MLTRACE_STACK_DIR): logs, traces, stack.json. */
  stackDir: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or signal) once it has exited and its output is read. */
  exited: Promise<number | string | null>;
  /** Every process below it seen so far, pid → command line. */
  seen: Map<number, string>;
  /** Waits until the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `command args` in a process group of its own (as a shell starts a job, so a Ctrl-C can be
 * sent to the group), with its own stack folder, no tracing exporter settings from the shell and
 * a private Redis. Kills the group at the end of the test whatever happened.
 */
export function launch(t: TestContext, command: string, args: string[], env: Record<string, string | undefined> = {}): Launched {
  const stackDir = mkdtempSync(join(tmpdir(), 'mltrace-launch-'));
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, MLTRACE_STACK_DIR: stackDir, REDIS_URL: '', MLTRACE_TRACES_DIR: '', OTEL_TRACES_EXPORTER: 'file', OTEL_EXPORTER_OTLP_ENDPOINT: '', MLTRACE_GATEWAY_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string | null>((r) => child.once('close', (code, signal) => r(code ?? signal)));
  const seen = new Map<number, string>();
  const poll = setInterval(() => {
    if (!seen.has(child.pid as number)) seen.set(child.pid as number, commandLine(child.pid as number));
    for (const d of descendants(child.pid as number)) seen.set(d.pid, d.cmd);
  }, 50);
  void exited.then(() => clearInterval(poll));
  t.after(() => {
    clearInterval(poll);
    // Whatever the test left running (a failed assertion), if it is still the process seen.
    for (const [pid, cmd] of seen) {
      if (isAlive(pid) && commandLine(pid) === cmd) process.kill(pid, 'SIGKILL');
    }
    rmSync(stackDir, { recursive: true, force: true });
  });
  return {
    child,
    stackDir,
    output: () => output,
    exited,
    seen,
    waitFor: async (pattern, timeoutMs = 180_000) => {
      for (const deadline = Date.now() + timeoutMs; !pattern.test(output); await sleep(50)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${output}`);
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}; output:\n${output}`);
      }
    },
  };
}

/** The state the launcher wrote once its system was up. */
export function runningStack(stackDir: string): StackState {
  const state = readRunningStack(stackStateFile(stackDir));
  if (!state) throw new Error(`no live stack.json in ${stackDir}`);
  return state;
}

/** The pids among `pids` still alive after up to `timeoutMs`. */
export async function survivors(pids: Iterable<number>, timeoutMs = 5000): Promise<number[]> {
  const list = [...pids];
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (!list.some(isAlive)) return [];
  }
  return list.filter(isAlive);
}

export interface Answer {
  start: number;
  end: number;
  /** The local port of its connection: the gateway logs it as `remotePort` when it takes the request. */
  port?: number;
  /** The HTTP status, or the error code when no answer came (ECONNREFUSED: the gateway no longer accepts). */
  outcome: number | string;
}

const PREDICT_BODY = JSON.stringify({ entities: ['cust-00042', 'cust-00043', 'cust-00044', 'cust-00045'] });

/**
 * One prediction on a connection of its own, so the gateway's log line for it can be found by
 * port. `region` ap-south under the hot-partition scenario makes it last 80 ms or more.
 */
export function predict(gateway: string, region = 'eu-west'): Promise<Answer> {
  const start = performance.now();
  let port: number | undefined;
  const done = (outcome: number | string): Answer => ({ start, end: performance.now(), ...(port ? { port } : {}), outcome });
  return new Promise((resolve) => {
    const req = request(`${gateway}/v1/predict`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', baggage: `customer_segment=smb,region=${region}` }, timeout: 30_000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(done(res.statusCode ?? 0)));
    });
    req.once('socket', (socket) => socket.once('connect', () => (port = socket.localPort)));
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(done(err.code ?? err.message)));
    req.end(PREDICT_BODY);
  });
}

/** `workers` loops of predictions until `until()` holds or the gateway refuses a connection. */
export async function keepPredicting(gateway: string, workers: number, until: () => boolean, region?: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        const a = await predict(gateway, region);
        answers.push(a);
        if (a.outcome === 'ECONNREFUSED') return;
      }
    }),
  );
  return answers;
}

/** The client ports of the requests `service` logged as "incoming request" (the ones it accepted). */
export function acceptedPorts(logFile: string): Set<number> {
  const ports = new Set<number>();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"incoming request"')) continue;
    const port = (JSON.parse(line) as { req?: { remotePort?: number } }).req?.remotePort;
    if (port) ports.add(port);
  }
  return ports;
}
