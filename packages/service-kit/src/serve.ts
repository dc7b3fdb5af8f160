import type { FastifyInstance } from 'fastify';
import { shutdownTracing } from '@mltrace/tracing';

export interface ServeOptions {
  host: string;
  port: number;
  /**
   * How long a stop waits for in-flight requests before cutting their
   * connections; default 10 000 ms, inside Kubernetes' 30 s grace period.
   */
  drainTimeoutMs?: number;
}

export interface RunningService {
  /** The address listened on, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  /**
   * Stops as on SIGTERM (no new connections, in-flight requests finished
   * within the bound, spans flushed) and exits the process with `exitCode`.
   */
  stop(reason: string, exitCode?: number): Promise<void>;
}

const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
const IDLE_SWEEP_MS = 50;

/**
 * Listens, and on SIGTERM/SIGINT stops gracefully: fastify stops accepting,
 * finishes the requests in flight (cut off after `drainTimeoutMs`), then
 * `shutdownTracing()` exports their spans, then the process exits. A second
 * signal of the same kind during the stop ends the process at once.
 */
export async function serve(app: FastifyInstance, opts: ServeOptions): Promise<RunningService> {
  const drainTimeoutMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode = 0): Promise<void> => {
    stopping ??= drainAndExit(app, reason, exitCode, drainTimeoutMs);
    return stopping;
  };
  for (const signal of STOP_SIGNALS) process.once(signal, () => void stop(signal));
  const url = await app.listen({ host: opts.host, port: opts.port });
  return { url, stop };
}

async function drainAndExit(app: FastifyInstance, reason: string, exitCode: number, drainTimeoutMs: number): Promise<void> {
  app.log.info({ reason, drainTimeoutMs }, 'shutting down: no new connections, finishing in-flight requests');
  let code = exitCode;
  // close() shuts only the connections idle at that moment; a keep-alive connection whose
  // request finishes later would hold the server open until the client drops it (undici
  // pools keep them for minutes), so keep closing those as they become idle.
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  // A request that still arrives on a connection accepted before the stop is served, and its
  // connection closes after the answer (service-app.ts, installDrainClose).
  try {
    const drained = await withinBound(app.close(), drainTimeoutMs);
    if (!drained) {
      app.log.error({ drainTimeoutMs }, 'in-flight requests did not finish in time; closing their connections');
      app.server.closeAllConnections();
      code = code || 1;
    }
    // After close(): the spans of the requests it drained are exported too.
    await shutdownTracing();
  } catch (err) {
    app.log.error({ err }, 'error while shutting down');
    code = code || 1;
  } finally {
    clearInterval(sweep);
    process.exit(code);
  }
}

/** True when `work` settles within `ms`; its rejection is passed on. */
async function withinBound(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a service's `main`; a failure to start is printed with the service's
 * name and exits with status 1 (the orchestrator restarts or reports it).
 */
export function runService(name: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    console.error(`${name} failed to start:`, err);
    process.exit(1);
  });
}
