import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_LOGS_DIR, DEFAULT_PORTS, DEFAULT_TRACES_DIR, SERVICE_NAMES, serviceDir, type ServiceName } from './paths';
import { defaultSamplerEnv, stackConfig } from './config';
import { StackError } from './errors';
import { hasRedisServer, sleep, startRedisServer, stopProcess, type RedisServer } from './process';
import { killOnExit, reportExit, type UnexpectedExit } from './supervise';

export type { ServiceName } from './paths';

/**
 * Where the feature store keeps its features:
 *  - 'auto' (default): `REDIS_URL` (config.ts) if set, else a private seeded redis-server if the binary exists, else memory;
 *  - 'private': a private seeded redis-server (fails without the binary);
 *  - 'memory': the feature store's in-memory backend;
 *  - any `redis://` URL: that Redis, used as it is (seed it with `npm run seed`).
 */
export type RedisChoice = 'auto' | 'private' | 'memory' | string;

export interface SystemOptions {
  /** Which services to start (default all four); e.g. the gateway's tests start the other three. */
  services?: readonly ServiceName[];
  /** Fixed ports (default 8080–8083), some overridden, or 'auto' for free ports (tests). */
  ports?: 'auto' | Partial<Record<ServiceName, number>>;
  /** Interface the services bind; default 127.0.0.1. */
  host?: string;
  redis?: RedisChoice;
  /** Customers seeded into a private Redis; default the data set's default (10 000). */
  seedCustomers?: number;
  /** Absolute or relative to the cwd; default `<repo>/.mltrace/traces`. */
  tracesDir?: string;
  /** Where each service's stdout/stderr goes (`<service>.log`); default `<repo>/.mltrace/logs`. */
  logsDir?: string;
  /** Also copy service logs to this process's stdout, prefixed with the service name. */
  logToConsole?: boolean;
  /** `MLTRACE_SCENARIO` for every service (default: this process's, checked by config.ts). */
  scenario?: string;
  /**
   * false: start the services without the tracing preload (the untraced baseline). Default true.
   * Traced services whose environment chooses no sampler (OTEL_TRACES_SAMPLER,
   * MLTRACE_SAMPLING_STRATEGIES_FILE or MLTRACE_SAMPLING_REMOTE_URL) get
   * `MLTRACE_SAMPLING_STRATEGIES_FILE=<repo>/config/sampling-strategies.json`.
   */
  tracing?: boolean;
  /** Extra environment for every service (after the inherited one, before the per-service one). */
  env?: Record<string, string | undefined>;
  /** Extra environment per service. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /** How long each service may take to answer `/ready`; default 30 s. */
  readyTimeoutMs?: number;
  /** Grace period per process on stop before SIGKILL; default 10 s. */
  stopGraceMs?: number;
  /**
   * Aborting it during start-up stops whatever has started (services, seeding, a private Redis)
   * and rejects with StackError STACK_ABORTED. No effect once startSystem has resolved.
   */
  signal?: AbortSignal;
  /**
   * Start Redis, the seeder and the services in process groups of their own, so that a terminal's
   * Ctrl-C reaches only this process and `stop()` keeps its order (gateway drained first). The
   * caller must then handle SIGINT/SIGTERM and call `stop()`, as `npm start` and the demo do.
   */
  isolateSignals?: boolean;
  /** One line per step of `stop()` (which process, how long it took); default: silent. */
  progress?: (line: string) => void;
  /**
   * Called at once when a service or the private Redis exits while the system runs without having
   * been asked to stop; default: one line on stderr (`mltrace stack: inference (pid …) exited …`).
   */
  onUnexpectedExit?: (exit: UnexpectedExit) => void;
}

export interface RunningSystem {
  urls: Record<ServiceName, string>;
  /** The Redis the feature store uses; absent with the in-memory backend. */
  redis?: { url: string; private: boolean };
  tracesDir: string;
  logsDir: string;
  /** The planted fault scenario the services run with, if any. */
  scenario?: string;
  pids: Record<ServiceName, number | undefined>;
  /** SIGTERM to one service (to provoke failures); resolves when it has exited. */
  stopService(name: ServiceName): Promise<void>;
  /**
   * SIGTERM to the gateway, which stops accepting and finishes the requests in flight; once it has
   * exited, SIGTERM to the other services (each flushes its spans); then a private Redis.
   */
  stop(): Promise<void>;
}

interface Started {
  child: ChildProcess;
  log: WriteStream;
  logFile: string;
  stopping?: Promise<void>;
}

/** Starts Redis (if chosen) and the four services as separate processes, and waits until each is ready. */
export async function startSystem(opts: SystemOptions = {}): Promise<RunningSystem> {
  const config = stackConfig();
  const host = opts.host ?? '127.0.0.1';
  const tracesDir = absolute(opts.tracesDir ?? DEFAULT_TRACES_DIR);
  const logsDir = absolute(opts.logsDir ?? DEFAULT_LOGS_DIR);
  for (const name of opts.services ?? SERVICE_NAMES) {
    const entry = join(serviceDir(name), 'dist', 'src', 'server.js');
    if (!existsSync(entry)) throw new StackError('STACK_NOT_BUILT', `${entry} is missing: build first (npx turbo run build)`);
  }
  throwIfAborted(opts.signal);
  mkdirSync(tracesDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });

  const ports = choosePorts(opts.ports);
  const urls = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `http://127.0.0.1:${ports[n]}`])) as Record<ServiceName, string>;
  const started = new Map<ServiceName, Started>();
  let privateRedis: RedisServer | undefined;
  // Ends every wait of the start-up: the caller's abort, or the first failure (so no launch polls on).
  const startup = new AbortController();
  const onAbort = () => startup.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const progress = opts.progress ?? (() => undefined);
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      const grace = opts.stopGraceMs ?? 10_000;
      const step = async (what: string, why: string, work: () => Promise<unknown>) => {
        const t0 = performance.now();
        progress(`stopping ${what}${why} …`);
        await work();
        progress(`  stopped ${what} (${Math.round(performance.now() - t0)} ms)`);
      };
      const gateway = started.get('gateway');
      // The gateway first: it stops accepting and finishes its requests in flight, which still
      // need the others; only then do they stop, so none of those requests fails on the way out.
      if (gateway) await step('gateway', ': no new requests, finishing those in flight', () => stopStarted(gateway, grace));
      const others = [...started].filter(([name]) => name !== 'gateway');
      if (others.length) await step(others.map(([name]) => name).join(', '), ': each flushes its spans', () => Promise.all(others.map(([, s]) => stopStarted(s, grace))));
      const redis = privateRedis;
      if (redis) await step('redis-server', '', () => redis.stop());
    })());

  try {
    const redis = await prepareRedis(opts, config.redisUrl, logsDir, startup.signal, (r) => {
      privateRedis = r;
      killOnExit(r.process);
    });
    throwIfAborted(opts.signal);
    const common: Record<string, string | undefined> = {
      ...config.inherited,
      HOST: host,
      MLTRACE_TRACES_DIR: tracesDir,
      ...(opts.scenario !== undefined ? { MLTRACE_SCENARIO: opts.scenario } : {}),
      ...opts.env,
    };
    // Read at launch time: with 'auto' ports the URLs are known once each service has bound.
    const dependencyEnv = (name: ServiceName): Record<string, string | undefined> => {
      if (name === 'feature-store') return { REDIS_URL: redis?.url };
      if (name === 'gateway') return { FEATURE_STORE_URL: urls['feature-store'], INFERENCE_URL: urls.inference, POSTPROCESS_URL: urls.postprocess };
      return {};
    };
    const launch = async (name: ServiceName) => {
      throwIfAborted(startup.signal);
      const tracing = opts.tracing !== false;
      const env: Record<string, string | undefined> = { ...common, ...dependencyEnv(name), PORT: String(ports[name]), OTEL_SERVICE_NAME: name, ...opts.serviceEnv?.[name] };
      if (tracing) Object.assign(env, defaultSamplerEnv(env));
      const s = spawnService(name, env, tracing, logsDir, { toConsole: opts.logToConsole === true, detached: opts.isolateSignals === true });
      killOnExit(s.child);
      started.set(name, s);
      if (ports[name] === 0) {
        ports[name] = await boundPort(name, s, env.LOG_LEVEL, opts.readyTimeoutMs ?? 30_000, startup.signal);
        urls[name] = `http://127.0.0.1:${ports[name]}`;
      }
      await waitReady(name, s, `${urls[name]}/ready`, opts.readyTimeoutMs ?? 30_000, startup.signal);
    };
    const wanted = new Set(opts.services ?? SERVICE_NAMES);
    // The gateway's readiness includes its dependencies', so it starts last.
    await Promise.all(
      (['feature-store', 'inference', 'postprocess'] as const)
        .filter((n) => wanted.has(n))
        .map((n) =>
          launch(n).catch((err: unknown) => {
            startup.abort(err);
            throw err;
          }),
        ),
    );
    if (wanted.has('gateway')) await launch('gateway');
    opts.signal?.removeEventListener('abort', onAbort);

    // From here on, a process that ends unasked is news: report it the moment it happens.
    const onExit = opts.onUnexpectedExit ?? reportExit;
    const watch = (name: string, child: ChildProcess, isStopping: () => boolean, logFile?: string) => {
      const report = () => {
        if (stopping || isStopping()) return;
        onExit({ name, code: child.exitCode, signal: child.signalCode, pid: child.pid, ...(logFile ? { logFile } : {}) });
      };
      if (child.exitCode !== null || child.signalCode !== null) report();
      else child.once('exit', report);
    };
    for (const [name, s] of started) watch(name, s.child, () => s.stopping !== undefined, s.logFile);
    const redisServer = privateRedis;
    if (redisServer) watch('redis-server', redisServer.process, () => false);

    return {
      urls,
      ...(redis ? { redis } : {}),
      tracesDir,
      logsDir,
      ...(common.MLTRACE_SCENARIO ? { scenario: common.MLTRACE_SCENARIO } : {}),
      pids: Object.fromEntries(SERVICE_NAMES.map((n) => [n, started.get(n)?.child.pid])) as Record<ServiceName, number | undefined>,
      stopService: async (name) => {
        const s = started.get(name);
        if (s) await stopStarted(s, opts.stopGraceMs ?? 10_000);
      },
      stop: stopAll,
    };
  } catch (err) {
    opts.signal?.removeEventListener('abort', onAbort);
    startup.abort(err);
    await stopAll();
    // Whatever the interrupted step reported, the caller asked for the stop.
    if (opts.signal?.aborted) throw abortedError(opts.signal, started, privateRedis);
    throw err;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(signal);
}

function abortedError(signal: AbortSignal, started?: Map<ServiceName, Started>, redis?: RedisServer): StackError {
  const stopped = [...(started?.keys() ?? []), ...(redis ? ['redis'] : [])];
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
  return new StackError('STACK_ABORTED', `start-up aborted (${reason}); stopped ${stopped.length ? stopped.join(', ') : 'nothing had started'}`, { cause: signal.reason });
}

/** Rejects when `signal` aborts (with its reason); for waits that have no signal of their own. */
function whenAborted(signal: AbortSignal): { promise: Promise<never>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted')));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function absolute(p: string): string {
  return isAbsolute(p) ? p : resolve(process.cwd(), p);
}

/**
 * 'auto' is port 0: each service binds a port the kernel picks and says which in fastify's
 * "Server listening at" line. (Picking free ports here and handing them over would race with
 * other processes, e.g. parallel test files, between the check and the bind.)
 */
function choosePorts(ports: SystemOptions['ports']): Record<ServiceName, number> {
  if (ports === 'auto') return { gateway: 0, 'feature-store': 0, inference: 0, postprocess: 0 };
  return { ...DEFAULT_PORTS, ...ports };
}

const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

/** The port a service started with PORT=0 bound, read from its "Server listening at" log line. */
function boundPort(name: ServiceName, s: Started, logLevel: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<number> {
  if (logLevel && QUIET_LEVELS.has(logLevel.trim().toLowerCase())) {
    return Promise.reject(new StackError('STACK_BAD_OPTIONS', `ports 'auto' reads the bound port from ${name}'s info log; LOG_LEVEL=${logLevel} hides it`));
  }
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new StackError('STACK_NOT_READY', `${name} did not report a listening port within ${timeoutMs} ms; log ${s.logFile}:\n${tail(s.logFile)}`)), timeoutMs);
    const aborted = whenAborted(signal);
    aborted.promise.catch((err: Error) => done(err));
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4096);
      const m = /Server listening at https?:\/\/[^"\s]*:(\d+)/.exec(seen);
      if (m) done(undefined, Number(m[1]));
    };
    const onExit = () => done(new StackError('STACK_SERVICE_EXITED', `${name} exited (${s.child.exitCode ?? s.child.signalCode}) before listening; log ${s.logFile}:\n${tail(s.logFile)}`));
    function done(err: Error | undefined, port?: number) {
      clearTimeout(timer);
      aborted.dispose();
      s.child.stdout?.off('data', onData);
      s.child.off('exit', onExit);
      if (err) reject(err);
      else resolve(port as number);
    }
    s.child.stdout?.on('data', onData);
    s.child.once('exit', onExit);
  });
}

async function prepareRedis(
  opts: SystemOptions,
  fromEnv: string | undefined,
  logsDir: string,
  signal: AbortSignal,
  onPrivate: (r: RedisServer) => void,
): Promise<{ url: string; private: boolean } | undefined> {
  const choice = opts.redis ?? 'auto';
  if (choice === 'memory') return undefined;
  if (choice !== 'auto' && choice !== 'private') return { url: choice, private: false };
  if (choice === 'auto' && fromEnv) return { url: fromEnv, private: false };
  if (choice === 'auto' && !hasRedisServer()) return undefined;
  let redis: RedisServer;
  try {
    redis = await startRedisServer(undefined, { detached: opts.isolateSignals === true });
  } catch (err) {
    throw new StackError('STACK_REDIS_FAILED', `could not start a private redis-server: ${(err as Error).message}`, { cause: err });
  }
  onPrivate(redis);
  throwIfAborted(signal);
  await seedRedis(redis.url, opts.seedCustomers, join(logsDir, 'seed.log'), signal, opts.isolateSignals === true);
  return { url: redis.url, private: true };
}

/** Seeds through the feature store's own seeding command, so the key layout has one owner. */
async function seedRedis(url: string, customers: number | undefined, logFile: string, signal: AbortSignal, detached: boolean): Promise<void> {
  const env: Record<string, string | undefined> = { ...stackConfig().inherited, REDIS_URL: url };
  if (customers !== undefined) env.SEED_CUSTOMER_COUNT = String(customers);
  // `signal` ends the seeding process too (SIGTERM), so an abort leaves nothing running.
  const child = spawn(process.execPath, ['dist/src/bin/seed.js'], { cwd: serviceDir('feature-store'), env, stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGTERM', detached });
  child.on('error', () => undefined);
  killOnExit(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  createWriteStream(logFile).end(output);
  throwIfAborted(signal);
  if (code !== 0) throw new StackError('STACK_SEED_FAILED', `seeding ${url} failed (exit ${code}): ${output.trim()}`);
}

function spawnService(name: ServiceName, env: Record<string, string | undefined>, tracing: boolean, logsDir: string, opts: { toConsole: boolean; detached: boolean }): Started {
  const args = tracing ? ['--require', '@mltrace/tracing/register', 'dist/src/server.js'] : ['dist/src/server.js'];
  const child = spawn(process.execPath, args, { cwd: serviceDir(name), env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached });
  const toConsole = opts.toConsole;
  const logFile = join(logsDir, `${name}.log`);
  const log = createWriteStream(logFile);
  for (const stream of [child.stdout, child.stderr]) {
    stream?.pipe(log, { end: false });
    if (toConsole) stream?.on('data', (d: Buffer) => process.stdout.write(prefixLines(name, d.toString())));
  }
  return { child, log, logFile };
}

function prefixLines(name: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${name}] `);
}

async function waitReady(name: ServiceName, s: Started, url: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    throwIfAborted(signal);
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new StackError('STACK_SERVICE_EXITED', `${name} exited (${s.child.exitCode ?? s.child.signalCode}) before it was ready; log ${s.logFile}:\n${tail(s.logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = String((err as Error).message);
    }
    await sleep(100);
  }
  throw new StackError('STACK_NOT_READY', `${name} not ready at ${url} after ${timeoutMs} ms (${last}); log ${s.logFile}:\n${tail(s.logFile)}`);
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function stopStarted(s: Started, graceMs: number): Promise<void> {
  s.stopping ??= (async () => {
    // 'close' (not 'exit') means the child's output pipes are drained into the log too.
    const closed = s.child.exitCode !== null || s.child.signalCode !== null ? Promise.resolve() : new Promise((r) => s.child.once('close', r));
    await stopProcess(s.child, graceMs);
    await Promise.race([closed, sleep(1000)]);
    await new Promise<void>((r) => s.log.end(r));
  })();
  return s.stopping;
}


