import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { clientErrorHandler, installDrainClose } from './connection-errors';
import { installErrorHandlers, type ErrorHandlerHooks } from './error-handler';
import { formatValidationErrors, installBodyHandling } from './request-body';
import { installRequestLogging } from './request-log';

/** The members of a service's config that shape its fastify instance. */
export interface ServiceAppConfig {
  logLevel: string;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  /** What config.ts could not use; logged once, at start. */
  warnings: readonly string[];
}

export interface ServiceAppOptions extends ErrorHandlerHooks {
  /** Prefix of the service's error codes, e.g. `FST` (see installErrorHandlers). */
  codePrefix: string;
  /** More Ajv options for request validation; `coerceTypes` stays false. */
  ajv?: Record<string, unknown>;
  /** Where the JSON log lines go; default stdout. */
  logStream?: { write(line: string): void };
}

/**
 * A service's fastify instance, not listening, with the settings every
 * mltrace service shares: bounded request and connection times, requests
 * that arrive while closing still served, no type coercion of request bodies, JSON bodies only (with the
 * service's own codes for bad ones), unknown properties named, request log
 * lines that carry the trace id, the JSON error handlers, and the config
 * warnings logged.
 */
export function createServiceApp(config: ServiceAppConfig, opts: ServiceAppOptions): FastifyInstance {
  const app: FastifyInstance = Fastify({
    logger: { level: config.logLevel, ...(opts.logStream ? { stream: opts.logStream } : {}) },
    // fastify's defaults are unlimited; a stuck client must not hold a socket forever.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      // Node checks the request and header timeouts only every 30 s by default, so a client
      // sending its headers a byte at a time held a socket 33-69 s against a 5-7 s limit.
      connectionsCheckingInterval: checkingIntervalMs(config.requestTimeoutMs),
      headersTimeout: config.requestTimeoutMs,
    },
    // While draining (serve.ts), a request on a connection accepted before the stop is served and
    // that connection closed (installDrainClose), not answered 503: the client sent it before the stop.
    return503OnClosing: false,
    clientErrorHandler: clientErrorHandler(opts.codePrefix, config.requestTimeoutMs, () => app.log),
    // A string where a number belongs is a client bug to report, not to paper over.
    // Unknown properties are refused (and named), not silently dropped as fastify's default does.
    ajv: { customOptions: { ...opts.ajv, coerceTypes: false, removeAdditional: false } },
    schemaErrorFormatter: formatValidationErrors,
    // Logged by installRequestLogging instead, inside the request's span (see there).
    logController: new LogController({ disableRequestLogging: true }),
  });
  for (const warning of config.warnings) app.log.warn(`config: ${warning}`);
  installErrorHandlers(app, opts.codePrefix, opts);
  installDrainClose(app);
  installBodyHandling(app, opts.codePrefix);
  installRequestLogging(app);
  return app;
}

/** A fifth of the request timeout, between 50 ms and 1 s: a slow client is cut within 20 % of its limit. */
function checkingIntervalMs(requestTimeoutMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(requestTimeoutMs / 5)));
}
