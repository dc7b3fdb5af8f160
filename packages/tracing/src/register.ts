/**
 * The preload: `node --require @mltrace/tracing/register dist/src/server.js`.
 * Starts OpenTelemetry before the app loads http, undici, fastify, ioredis or
 * pino, so their instrumentations patch them. Tracing never takes the service
 * down: if the SDK cannot start, one warning line and the app runs untraced.
 */
import { readTracingConfig } from './config';

const warn = (message: string): void => {
  process.stderr.write(`[mltrace/tracing] ${message}\n`);
};

try {
  const config = readTracingConfig(undefined, warn); // the environment of this process
  if (!config.disabled) {
    // Loaded only when tracing is on, and inside the try: a missing or broken SDK module is a warning, not a crash.
    const { startTracing } = require('./sdk') as typeof import('./sdk');
    startTracing(config, warn);
  }
} catch (err) {
  warn(`tracing is off: the OpenTelemetry SDK failed to start (${err instanceof Error ? err.message : String(err)}); the service runs untraced`);
}
