import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_LOGS_DIR, DEFAULT_PORTS, DEFAULT_TRACES_DIR, SERVICE_NAMES, serviceDir, type ServiceName } from './paths';
import { hasRedisServer, sleep, startRedisServer, stopProcess, type RedisServer } from './process';

export type { ServiceName } from './paths';

/**
 * Where the feature store keeps its features:
 *  - 'auto' (default): `$REDIS_URL` if set, else a private seeded redis-server if the binary exists, else memory;
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
  /** `MLTRACE_SCENARIO` for every service (default: inherited from this process). */
  scenario?: string;
  /** false: start the services without the tracing preload (the untraced baseline). Default true. */
  tracing?: boolean;
  /** Extra environment for every service (after the inherited one, before the per-service one). */
  env?: Record<string, string | undefined>;
  /** Extra environment per service. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string | undefined>>>;
  /** How long each service may take to answer `/ready`; default 30 s. */
  readyTimeoutMs?: number;
  /** Grace period per process on stop before SIGKILL; default 10 s. */
  stopGraceMs?: number;
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
  /** SIGTERM to every service (gateway first), waits for them to flush spans and exit, then stops a private Redis. */
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
  const host = opts.host ?? '127.0.0.1';
  const tracesDir = absolute(opts.tracesDir ?? DEFAULT_TRACES_DIR);
  const logsDir = absolute(opts.logsDir ?? DEFAULT_LOGS_DIR);
  mkdirSync(tracesDir, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  for (const name of opts.services ?? SERVICE_NAMES) {
    const entry = join(serviceDir(name), 'dist', 'src', 'server.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx turbo run build)`);
  }

  const ports = choosePorts(opts.ports);
  const urls = Object.fromEntries(SERVICE_NAMES.map((n) => [n, `http://127.0.0.1:${ports[n]}`])) as Record<ServiceName, string>;
  const started = new Map<ServiceName, Started>();
  let privateRedis: RedisServer | undefined;

  const stopAll = async () => {
    const grace = opts.stopGraceMs ?? 10_000;
    const gateway = started.get('gateway');
    // The gateway first, so no new calls reach the others while they drain.
    if (gateway) await stopStarted(gateway, grace);
    await Promise.all([...started.values()].map((s) => stopStarted(s, grace)));
    if (privateRedis) await privateRedis.stop();
  };

  try {
    const redis = await prepareRedis(opts, logsDir, (r) => (privateRedis = r));
    const common: Record<string, string | undefined> = {
      ...process.env,
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
      const env: Record<string, string | undefined> = { ...common, ...dependencyEnv(name), PORT: String(ports[name]), OTEL_SERVICE_NAME: name, ...opts.serviceEnv?.[name] };
      const s = spawnService(name, env, opts.tracing !== false, logsDir, opts.logToConsole === true);
      started.set(name, s);
      if (ports[name] === 0) {
        ports[name] = await boundPort(name, s, env.LOG_LEVEL, opts.readyTimeoutMs ?? 30_000);
        urls[name] = `http://127.0.0.1:${ports[name]}`;
      }
      await waitReady(name, s, `${urls[name]}/ready`, opts.readyTimeoutMs ?? 30_000);
    };
    const wanted = new Set(opts.services ?? SERVICE_NAMES);
    // The gateway's readiness includes its dependencies', so it starts last.
    await Promise.all((['feature-store', 'inference', 'postprocess'] as const).filter((n) => wanted.has(n)).map(launch));
    if (wanted.has('gateway')) await launch('gateway');

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
    await stopAll();
    throw err;
  }
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
function boundPort(name: ServiceName, s: Started, logLevel: string | undefined, timeoutMs: number): Promise<number> {
  if (logLevel && QUIET_LEVELS.has(logLevel.trim().toLowerCase())) {
    return Promise.reject(new Error(`ports 'auto' reads the bound port from ${name}'s info log; LOG_LEVEL=${logLevel} hides it`));
  }
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${name} did not report a listening port within ${timeoutMs} ms; log ${s.logFile}:\n${tail(s.logFile)}`)), timeoutMs);
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-4096);
      const m = /Server listening at https?:\/\/[^"\s]*:(\d+)/.exec(seen);
      if (m) done(undefined, Number(m[1]));
    };
    const onExit = () => done(new Error(`${name} exited (${s.child.exitCode ?? s.child.signalCode}) before listening; log ${s.logFile}:\n${tail(s.logFile)}`));
    function done(err: Error | undefined, port?: number) {
      clearTimeout(timer);
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
  logsDir: string,
  onPrivate: (r: RedisServer) => void,
): Promise<{ url: string; private: boolean } | undefined> {
  const choice = opts.redis ?? 'auto';
  if (choice === 'memory') return undefined;
  if (choice !== 'auto' && choice !== 'private') return { url: choice, private: false };
  const fromEnv = process.env.REDIS_URL?.trim();
  if (choice === 'auto' && fromEnv) return { url: fromEnv, private: false };
  if (choice === 'auto' && !hasRedisServer()) return undefined;
  const redis = await startRedisServer();
  onPrivate(redis);
  await seedRedis(redis.url, opts.seedCustomers, join(logsDir, 'seed.log'));
  return { url: redis.url, private: true };
}

/** Seeds through the feature store's own seeding command, so the key layout has one owner. */
async function seedRedis(url: string, customers: number | undefined, logFile: string): Promise<void> {
  const env: Record<string, string | undefined> = { ...process.env, REDIS_URL: url };
  if (customers !== undefined) env.SEED_CUSTOMER_COUNT = String(customers);
  const child = spawn(process.execPath, ['dist/src/bin/seed.js'], { cwd: serviceDir('feature-store'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  createWriteStream(logFile).end(output);
  if (code !== 0) throw new Error(`seeding ${url} failed (exit ${code}): ${output.trim()}`);
}

function spawnService(name: ServiceName, env: Record<string, string | undefined>, tracing: boolean, logsDir: string, toConsole: boolean): Started {
  const args = tracing ? ['--require', '@mltrace/tracing/register', 'dist/src/server.js'] : ['dist/src/server.js'];
  const child = spawn(process.execPath, args, { cwd: serviceDir(name), env, stdio: ['ignore', 'pipe', 'pipe'] });
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

async function waitReady(name: ServiceName, s: Started, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new Error(`${name} exited (${s.child.exitCode ?? s.child.signalCode}) before it was ready; log ${s.logFile}:\n${tail(s.logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = String((err as Error).message);
    }
    await sleep(100);
  }
  throw new Error(`${name} not ready at ${url} after ${timeoutMs} ms (${last}); log ${s.logFile}:\n${tail(s.logFile)}`);
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


